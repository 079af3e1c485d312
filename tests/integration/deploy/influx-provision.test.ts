/**
 * What --with-influxdb does to a real InfluxDB 1.x (Debian's influxd, private temp dirs and
 * loopback ports): Debian's influxdb.conf edited by install-helpers.mjs really turns auth on,
 * and provisioning leaves an admin, a database with a 90-day policy, and a lineside user that
 * can write and read its database but cannot administer the server. Running it again is harmless.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../helpers/binaries.js';
import { freePort } from '../../helpers/ports.js';
import { ManagedProcess } from '../../helpers/service.js';
import { removeTempDirs, repoRoot, run, tempDir } from './support.js';

const helpers = path.join(repoRoot, 'deploy/lib/install-helpers.mjs');
const admin = { user: 'admin', password: 'admin-Secret_0123456789abcdefghij' };
const linesidePassword = 'lineside-Secret_0123456789abcdefg';
const provisionEnv = {
  INFLUX_ADMIN_USER: admin.user,
  INFLUX_ADMIN_PASSWORD: admin.password,
  LINESIDE_INFLUX_PASSWORD: linesidePassword,
};

let influxd: ManagedProcess | undefined;
let url: string;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function query(
  q: string,
  auth?: { user: string; password: string },
  db?: string,
): Promise<{ status: number; body: string }> {
  const params = new URLSearchParams({ q, ...(db ? { db } : {}) });
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    body: params,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth ? { authorization: basic(auth.user, auth.password) } : {}),
    },
  });
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  const dir = tempDir('influxd-auth');
  for (const sub of ['meta', 'data', 'wal']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === port) rpcPort = await freePort();
  url = `http://127.0.0.1:${port}`;

  // Debian's stock file, edited the way install.sh edits it...
  const confFile = path.join(dir, 'influxdb.conf');
  writeFileSync(confFile, readFileSync(path.join(repoRoot, 'tests/fixtures/deploy/influxdb.conf')));
  const edit = run(process.execPath, [helpers, 'influx-auth', confFile]);
  expect(edit.stdout.trim(), edit.stderr).toBe('changed');
  // ...then moved to private dirs and ports, nothing else.
  const conf = readFileSync(confFile, 'utf8')
    .replaceAll('/var/lib/influxdb', dir)
    .replace(/^\[http\]$/m, `[http]\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false`);
  writeFileSync(confFile, `bind-address = "127.0.0.1:${rpcPort}"\n${conf}`);

  influxd = new ManagedProcess({
    name: `influxd-auth:${port}`,
    command: requireBinary('influxd', 'influxdb'),
    args: ['-config', confFile],
    cwd: dir,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INFLUXDB_'))),
    probe: async () => (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) })).status === 204,
    ports: [port, rpcPort],
    readyTimeoutMs: 30_000,
  });
  await influxd.start();
}, 60_000);

afterAll(async () => {
  await influxd?.stop();
  removeTempDirs();
});

describe('InfluxDB provisioning by install-helpers.mjs', () => {
  it('auth is on: before any user exists, an anonymous query is refused', async () => {
    const anonymous = await query('SHOW DATABASES');
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toContain('create admin user first');
  });

  it('creates the admin, the lineside database with a 90-day policy, and a lineside user limited to it', async () => {
    const result = run(process.execPath, [helpers, 'influx-provision', url], provisionEnv);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('user "lineside" ready');

    const users = await query('SHOW USERS', admin);
    expect(users.status).toBe(200);
    expect(JSON.parse(users.body).results[0].series[0].values).toEqual(
      expect.arrayContaining([
        ['admin', true],
        ['lineside', false],
      ]),
    );

    const policies = await query('SHOW RETENTION POLICIES ON "lineside"', admin);
    expect(JSON.parse(policies.body).results[0].series[0].values).toEqual(
      expect.arrayContaining([['lineside', '2160h0m0s', expect.any(String), 1, true]]),
    );

    const lineside = { user: 'lineside', password: linesidePassword };
    const write = await fetch(`${url}/write?db=lineside&precision=ms`, {
      method: 'POST',
      // A current timestamp: a point older than the 90-day policy would be dropped.
      body: `cycle,station=press cycleTimeMs=12040 ${Date.now()}`,
      headers: { authorization: basic(lineside.user, lineside.password) },
    });
    expect(write.status).toBe(204);
    const read = await query('SELECT cycleTimeMs FROM cycle', lineside, 'lineside');
    expect(JSON.parse(read.body).results[0].series[0].values[0][1]).toBe(12040);

    const notAdmin = await query('CREATE DATABASE other', lineside);
    expect(notAdmin.body).toMatch(/admin privilege/);
    expect(await query('SHOW DATABASES', { user: 'lineside', password: 'wrong' })).toMatchObject({ status: 401 });
    expect((await query('SHOW DATABASES')).status).toBe(401);
  });

  it('running it again (an upgrade or re-run) succeeds and keeps the lineside password working', async () => {
    const again = run(process.execPath, [helpers, 'influx-provision', url], provisionEnv);
    expect(again.status, again.stderr).toBe(0);
    const read = await query(
      'SELECT count(cycleTimeMs) FROM cycle',
      { user: 'lineside', password: linesidePassword },
      'lineside',
    );
    expect(JSON.parse(read.body).results[0].series[0].values[0][1]).toBe(1);
  });

  it('refuses, with a clear message, a server whose admin is not the one in admin-credentials.env', () => {
    const result = run(process.execPath, [helpers, 'influx-provision', url], {
      ...provisionEnv,
      INFLUX_ADMIN_PASSWORD: 'someone-elses',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('already has users and rejects the admin');
  });
});
