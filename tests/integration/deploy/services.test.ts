/**
 * --with-mosquitto, --with-influxdb and --with-journald-limits in a throwaway root: the broker
 * refuses anonymous clients and accepts the generated lineside password (checked against a real
 * Mosquitto), InfluxDB's Debian config gets auth on without other changes, the fresh config
 * points at both with secrets from secrets.env, and a re-run changes no password.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import {
  envValue,
  fingerprint,
  install,
  makeSourceCheckout,
  modeOf,
  removeTempDirs,
  repoRoot,
  tempDir,
} from './support.js';

const debianInfluxConf = path.join(repoRoot, 'tests/fixtures/deploy/influxdb.conf');

let checkout: string;
let root: string;
let broker: MosquittoHandle | undefined;

beforeAll(() => {
  checkout = makeSourceCheckout();
  root = tempDir('root-services');
  // What `apt-get install influxdb` leaves behind on Debian bookworm (1.6.7).
  mkdirSync(path.join(root, 'etc/influxdb'), { recursive: true });
  copyFileSync(debianInfluxConf, path.join(root, 'etc/influxdb/influxdb.conf'));
}, 120_000);

afterAll(async () => {
  await broker?.close();
  removeTempDirs();
});

const at = (p: string) => path.join(root, p);

describe('install.sh --with-mosquitto --with-influxdb --with-journald-limits', () => {
  it('renders broker, database and journald config, and points the fresh config at them with generated secrets', () => {
    const result = install(checkout, root, ['--with-mosquitto', '--with-influxdb', '--with-journald-limits']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('would run: apt-get install mosquitto');
    expect(result.stdout).toContain('would run: apt-get install influxdb');

    const secrets = at('etc/lineside/secrets.env');
    const mqttPassword = envValue(secrets, 'LINESIDE_MQTT_PASSWORD');
    const influxPassword = envValue(secrets, 'LINESIDE_INFLUX_PASSWORD');
    expect(mqttPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(influxPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(mqttPassword).not.toBe(influxPassword);
    expect(modeOf(secrets)).toBe('0600');

    // InfluxDB's admin is not the agent's: root-only, beside InfluxDB's config, not in secrets.env.
    const adminEnv = at('etc/influxdb/admin-credentials.env');
    expect(modeOf(adminEnv)).toBe('0600');
    expect(envValue(adminEnv, 'INFLUX_ADMIN_USER')).toBe('admin');
    expect(envValue(adminEnv, 'INFLUX_ADMIN_PASSWORD')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(secrets, 'utf8')).not.toContain('ADMIN');

    const mosquittoConf = readFileSync(at('etc/mosquitto/conf.d/lineside.conf'), 'utf8');
    expect(mosquittoConf).toMatch(/^listener 1883 127\.0\.0\.1$/m);
    expect(mosquittoConf).toMatch(/^allow_anonymous false$/m);
    expect(mosquittoConf).toMatch(/^password_file \/etc\/mosquitto\/lineside\.passwd$/m);
    expect(modeOf(at('etc/mosquitto/lineside.passwd'))).toBe('0640');
    expect(readFileSync(at('etc/mosquitto/lineside.passwd'), 'utf8')).toMatch(/^lineside:\$7\$101\$[^$]+\$[^$]+\n$/);

    // Exactly one line added to Debian's influxdb.conf, inside [http].
    const before = readFileSync(debianInfluxConf, 'utf8').split('\n');
    const after = readFileSync(at('etc/influxdb/influxdb.conf'), 'utf8').split('\n');
    expect(after.length).toBe(before.length + 1);
    const added = after.findIndex((line, i) => line !== before[i]);
    expect(after[added]).toBe('  auth-enabled = true');
    const section = after
      .slice(0, added)
      .filter((l) => /^\s*\[/.test(l))
      .at(-1);
    expect(section?.trim()).toBe('[http]');

    expect(readFileSync(at('etc/systemd/journald.conf.d/lineside.conf'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'deploy/journald-lineside.conf'), 'utf8'),
    );

    // The agent's view of the fresh config, with the environment systemd would give it.
    const env = { ...process.env, LINESIDE_MQTT_PASSWORD: mqttPassword, LINESIDE_INFLUX_PASSWORD: influxPassword };
    const loaded = loadConfigFileWithEnv(at('etc/lineside/config.yaml'), env);
    expect(loaded.mqtt).toMatchObject({ url: 'mqtt://127.0.0.1:1883', username: 'lineside', password: mqttPassword });
    expect(loaded.influx).toMatchObject({
      enabled: true,
      username: 'lineside',
      password: influxPassword,
      createDatabase: false,
      url: 'http://127.0.0.1:8086',
    });
  });

  it('the rendered broker settings admit lineside with its password and refuse anonymous and wrong passwords (real Mosquitto)', async () => {
    const conf = readFileSync(at('etc/mosquitto/conf.d/lineside.conf'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('allow_anonymous') || l.startsWith('password_file'))
      .map((l) => l.replace('/etc/mosquitto/lineside.passwd', at('etc/mosquitto/lineside.passwd')))
      .join('\n');
    broker = await startMosquitto({ extraConf: conf });
    const password = envValue(at('etc/lineside/secrets.env'), 'LINESIDE_MQTT_PASSWORD');
    const opts = { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 5 as const };

    const client = await mqtt.connectAsync(broker.url, { ...opts, username: 'lineside', password });
    await client.publishAsync('acme/stuttgart/agents/line1-pi/status', 'online', { qos: 1 });
    await client.endAsync();

    await expect(mqtt.connectAsync(broker.url, opts)).rejects.toThrow(
      /Not authorized|not authorised|Bad User Name or Password/i,
    );
    await expect(mqtt.connectAsync(broker.url, { ...opts, username: 'lineside', password: 'wrong' })).rejects.toThrow(
      /Not authorized|not authorised|Bad User Name or Password/i,
    );
  });

  it('re-run with the same options: no password, hash or file changes', () => {
    const before = fingerprint(root);
    const result = install(checkout, root, ['--with-mosquitto', '--with-influxdb', '--with-journald-limits']);
    expect(result.status, result.stderr).toBe(0);
    expect(fingerprint(root)).toEqual(before);
    expect(result.stdout).toContain('Mosquitto: unchanged');
    expect(result.stdout).toContain('journald: limits unchanged');
  });

  it('on an existing config, --with-mosquitto leaves the config and other broker users alone and says what to set', () => {
    const other = tempDir('root-existing');
    expect(install(checkout, other).status).toBe(0);
    const config = readFileSync(path.join(other, 'etc/lineside/config.yaml'));
    // A user the engineer added for SCADA, hand-edited without a final newline.
    const scada = 'scada:$7$101$AAAAAAAAAAAAAAAA$BBBB';
    mkdirSync(path.join(other, 'etc/mosquitto'), { recursive: true });
    writeFileSync(path.join(other, 'etc/mosquitto/lineside.passwd'), scada);

    const result = install(checkout, other, ['--with-mosquitto']);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(path.join(other, 'etc/lineside/config.yaml'))).toEqual(config);
    expect(result.stdout).toContain('mqtt.password: ${LINESIDE_MQTT_PASSWORD}');
    expect(envValue(path.join(other, 'etc/lineside/secrets.env'), 'LINESIDE_MQTT_PASSWORD')).toMatch(
      /^[A-Za-z0-9_-]{32}$/,
    );
    const users = readFileSync(path.join(other, 'etc/mosquitto/lineside.passwd'), 'utf8').split('\n');
    expect(users[0]).toBe(scada);
    expect(users[1]).toMatch(/^lineside:\$7\$101\$/);
  });

  it('--uninstall --purge removes the broker config and password file but keeps InfluxDB admin credentials', () => {
    const result = install(checkout, root, ['--uninstall', '--purge']);
    expect(result.status, result.stderr).toBe(0);
    const left = [...fingerprint(root).keys()].filter((p) => p.includes('lineside'));
    expect(left).toEqual([]);
    expect(envValue(at('etc/influxdb/admin-credentials.env'), 'INFLUX_ADMIN_PASSWORD')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.stdout).toContain('admin credentials: /etc/influxdb/admin-credentials.env');
  });
});

function loadConfigFileWithEnv(file: string, env: NodeJS.ProcessEnv) {
  const result = loadConfigFile(file, { env });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}
