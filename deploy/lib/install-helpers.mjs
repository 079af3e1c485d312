#!/usr/bin/env node
// The parts of deploy/install.sh that are safer in Node than in sed: random secrets, Mosquitto's
// password hash, adapting the example config, the InfluxDB config edit and InfluxDB users.
// Only Node built-ins: this runs before (or without) `npm ci`. Secrets arrive in environment
// variables, never in argv (argv is visible to every user in `ps`).
//
//   random-secret                         print 32 url-safe random characters
//   mosquitto-hash                        print user:hash for $HASH_USER / $HASH_PASSWORD
//   adapt-config [--mqtt URL] [--influx]  stdin: example config; stdout: adapted config
//   adapt-plant-config --storage DIR      stdin: config/plant.yaml; stdout: it with storage.dir: DIR
//   influx-auth FILE                      enable [http] auth-enabled in influxdb.conf; prints changed|unchanged
//   influx-provision URL                  admin + database + retention policy + lineside user
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const fail = (message, code = 1) => {
  process.stderr.write(`install-helpers: ${message}\n`);
  process.exit(code);
};

const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') fail(`${name} is not set`);
  return value;
};

function randomSecret() {
  // base64url: no quotes, '$' or '\' that could break the env file, YAML or InfluxQL; 24 bytes
  // give 32 characters, never all digits (so a ${VAR} substitution cannot turn into a number).
  return randomBytes(24).toString('base64url');
}

/** Mosquitto 2.0's password-file format: $7$ = PBKDF2-SHA512, 101 iterations, 12-byte salt. */
function mosquittoHash(user, password) {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `${user}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Line edits inside one top-level YAML block of config/example.yaml. Each edit must match exactly
 * once; otherwise the example changed shape and the caller is told which line to add by hand.
 */
function editBlock(lines, block, edits) {
  const start = lines.findIndex((l) => l.startsWith(`${block}:`));
  if (start < 0) return edits.map((e) => `${block}.${e.key}: no "${block}:" block found`);
  let end = lines.findIndex((l, i) => i > start && /^[A-Za-z]/.test(l));
  if (end < 0) end = lines.length;
  const problems = [];
  for (const edit of edits) {
    const hits = [];
    for (let i = start + 1; i < end; i++) if (edit.match.test(lines[i])) hits.push(i);
    if (hits.length !== 1) {
      problems.push(`${block}.${edit.key}: expected one line matching ${edit.match}, found ${hits.length}`);
      continue;
    }
    const i = hits[0];
    const indent = /^\s*/.exec(lines[i])[0];
    lines[i] = `${indent}${edit.key}: ${edit.value}${edit.comment ? `   # ${edit.comment}` : ''}`;
  }
  return problems;
}

function adaptConfig(text, { mqttUrl, influx }) {
  const lines = text.split('\n');
  const problems = [];
  if (mqttUrl !== undefined) {
    problems.push(
      ...editBlock(lines, 'mqtt', [
        { key: 'url', match: /^\s{2}url:/, value: mqttUrl, comment: 'local Mosquitto (install.sh --with-mosquitto)' },
        { key: 'username', match: /^\s{2}#\s*username:/, value: 'lineside' },
        {
          key: 'password',
          match: /^\s{2}#\s*password:/,
          value: '${LINESIDE_MQTT_PASSWORD}',
          comment: 'from /etc/lineside/secrets.env',
        },
      ]),
    );
  }
  if (influx) {
    problems.push(
      ...editBlock(lines, 'influx', [
        {
          key: 'enabled',
          match: /^\s{2}enabled:/,
          value: 'true',
          comment: 'local InfluxDB (install.sh --with-influxdb)',
        },
        { key: 'username', match: /^\s{2}#\s*username:/, value: 'lineside' },
        {
          key: 'password',
          match: /^\s{2}#\s*passwordFile:/,
          value: '${LINESIDE_INFLUX_PASSWORD}',
          comment: 'from /etc/lineside/secrets.env',
        },
        {
          key: 'createDatabase',
          match: /^\s{2}createDatabase:/,
          value: 'false',
          comment: 'install.sh created it; the lineside user is no admin',
        },
      ]),
    );
  }
  return { text: lines.join('\n'), problems };
}

/** Sets `auth-enabled = true` in the [http] section of influxdb.conf, keeping everything else. */
function influxAuth(file) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*\[http\]\s*$/.test(l));
  if (start < 0) {
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    lines.push('', '[http]', '  auth-enabled = true', '');
  } else {
    let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
    if (end < 0) end = lines.length;
    const active = lines.slice(start + 1, end).findIndex((l) => /^\s*auth-enabled\s*=/.test(l));
    const commented = lines.slice(start + 1, end).findIndex((l) => /^\s*#\s*auth-enabled\s*=/.test(l));
    if (active >= 0) lines[start + 1 + active] = '  auth-enabled = true';
    else if (commented >= 0) lines.splice(start + 1 + commented + 1, 0, '  auth-enabled = true');
    else lines.splice(start + 1, 0, '  auth-enabled = true');
  }
  const next = lines.join('\n');
  if (next === text) return 'unchanged';
  writeFileSync(`${file}.tmp`, next);
  renameSync(`${file}.tmp`, file);
  return 'changed';
}

async function influxQuery(url, q, auth) {
  const body = new URLSearchParams({ q });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const res = await fetch(new URL('/query', url), { method: 'POST', body, headers });
  const json = await res.json().catch(() => ({}));
  const error = json.error ?? json.results?.find((r) => r.error)?.error;
  if (!res.ok || error)
    throw new Error(`${q.replace(/PASSWORD '[^']*'/g, "PASSWORD '***'")}: HTTP ${res.status} ${error ?? ''}`.trim());
  return json;
}

/**
 * Idempotent: creates the admin user only while InfluxDB has no users at all (1.x allows that
 * one unauthenticated statement when auth is on), then with admin rights the database, its
 * retention policy and the lineside user with ALL on that database only.
 */
async function influxProvision(url) {
  const admin = { user: env('INFLUX_ADMIN_USER'), password: env('INFLUX_ADMIN_PASSWORD') };
  const lineside = env('LINESIDE_INFLUX_PASSWORD');
  const database = process.env.INFLUX_DATABASE || 'lineside';
  const retention = process.env.INFLUX_RETENTION || '90d';
  const userNames = async () =>
    ((await influxQuery(url, 'SHOW USERS', admin)).results?.[0]?.series?.[0]?.values ?? []).map((row) => row[0]);
  let known;
  try {
    known = await userNames();
  } catch {
    // Either no users yet (then 1.x accepts this one unauthenticated statement) or an admin we do
    // not know (then it fails too, and a person has to decide).
    await influxQuery(url, `CREATE USER "${admin.user}" WITH PASSWORD '${admin.password}' WITH ALL PRIVILEGES`).catch(
      (err) =>
        fail(
          `InfluxDB at ${url} already has users and rejects the admin from /etc/influxdb/admin-credentials.env: ${err.message}`,
        ),
    );
    known = await userNames();
  }
  // Auth off (SHOW USERS works for anyone): create the admin anyway, then refuse to go on below.
  if (!known.includes(admin.user))
    await influxQuery(url, `CREATE USER "${admin.user}" WITH PASSWORD '${admin.password}' WITH ALL PRIVILEGES`, admin);
  const anonymous = await fetch(new URL('/query?q=SHOW%20DATABASES', url));
  if (anonymous.status !== 401)
    fail(`InfluxDB at ${url} answers without credentials: auth-enabled is not in effect (restart influxdb)`);

  await influxQuery(url, `CREATE DATABASE "${database}" WITH DURATION ${retention} NAME "lineside"`, admin).catch(
    (err) => {
      // The database exists with another default policy: keep the operator's policies.
      if (!/conflict|already exists/.test(err.message)) throw err;
    },
  );
  if (known.includes('lineside')) await influxQuery(url, `SET PASSWORD FOR "lineside" = '${lineside}'`, admin);
  else await influxQuery(url, `CREATE USER "lineside" WITH PASSWORD '${lineside}'`, admin);
  await influxQuery(url, `GRANT ALL ON "${database}" TO "lineside"`, admin);
  process.stdout.write(`InfluxDB ${url}: admin "${admin.user}", database "${database}", user "lineside" ready\n`);
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'random-secret':
    process.stdout.write(randomSecret());
    break;
  case 'mosquitto-hash':
    process.stdout.write(`${mosquittoHash(env('HASH_USER'), env('HASH_PASSWORD'))}\n`);
    break;
  case 'adapt-config': {
    const mqttAt = args.indexOf('--mqtt');
    const mqttUrl = mqttAt >= 0 ? args[mqttAt + 1] : undefined;
    const { text, problems } = adaptConfig(readFileSync(0, 'utf8'), { mqttUrl, influx: args.includes('--influx') });
    if (problems.length > 0) fail(`cannot adapt the example config:\n  ${problems.join('\n  ')}`, 3);
    process.stdout.write(text);
    break;
  }
  case 'adapt-plant-config': {
    const storageAt = args.indexOf('--storage');
    const dir = (storageAt >= 0 ? args[storageAt + 1] : undefined) ?? fail('adapt-plant-config --storage DIR', 2);
    const lines = readFileSync(0, 'utf8').split('\n');
    const problems = editBlock(lines, 'storage', [
      { key: 'dir', match: /^\s{2}dir:/, value: dir, comment: "lineside-plant.service's StateDirectory (install.sh)" },
    ]);
    if (problems.length > 0) fail(`cannot adapt the sample plant config:\n  ${problems.join('\n  ')}`, 3);
    process.stdout.write(lines.join('\n'));
    break;
  }
  case 'influx-auth':
    process.stdout.write(`${influxAuth(args[0] ?? fail('influx-auth FILE'))}\n`);
    break;
  case 'influx-provision':
    await influxProvision(args[0] ?? fail('influx-provision URL')).catch((err) => fail(err.message));
    break;
  default:
    fail(`unknown command "${command ?? ''}"`, 2);
}
