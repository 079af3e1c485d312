/**
 * deploy/lib/install-helpers.mjs, the edits install.sh makes to files it does not own: InfluxDB's
 * config gets auth on whatever shape it has and is left alone when already right; the example
 * config is adapted only where the expected lines are, and otherwise install.sh is told so
 * (exit 3) instead of writing a half-edited file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoRoot, run, tempDir } from './support.js';

const helpers = path.join(repoRoot, 'deploy/lib/install-helpers.mjs');
const helper = (args: string[], input?: string) => {
  if (input === undefined) return run(process.execPath, [helpers, ...args]);
  const dir = tempDir('helper-in');
  const file = path.join(dir, 'in.yaml');
  writeFileSync(file, input);
  return run('bash', ['-c', `"${process.execPath}" "${helpers}" ${args.map((a) => `'${a}'`).join(' ')} < "${file}"`]);
};

afterAll(() => {
  removeTempDirs();
});

describe('influx-auth', () => {
  const influxAuth = (text: string) => {
    const file = path.join(tempDir('influx-conf'), 'influxdb.conf');
    writeFileSync(file, text);
    const first = helper(['influx-auth', file]);
    const afterFirst = readFileSync(file, 'utf8');
    const second = helper(['influx-auth', file]);
    return {
      first: first.stdout.trim(),
      second: second.stdout.trim(),
      text: afterFirst,
      unchangedBySecond: readFileSync(file, 'utf8') === afterFirst,
    };
  };

  it.each([
    [
      'an active "auth-enabled = false"',
      '[meta]\n  dir = "/x"\n[http]\n  enabled = true\n  auth-enabled = false\n[logging]\n',
      '[meta]\n  dir = "/x"\n[http]\n  enabled = true\n  auth-enabled = true\n[logging]\n',
    ],
    [
      'only a commented default',
      '[http]\n  # auth-enabled = false\n  # realm = "x"\n',
      '[http]\n  # auth-enabled = false\n  auth-enabled = true\n  # realm = "x"\n',
    ],
    [
      'an [http] section without the key',
      '[http]\n  enabled = true\n[tls]\n',
      '[http]\n  auth-enabled = true\n  enabled = true\n[tls]\n',
    ],
    ['no [http] section', '[meta]\n  dir = "/x"\n', '[meta]\n  dir = "/x"\n\n[http]\n  auth-enabled = true\n'],
  ])('turns auth on in a config with %s, once', (_name, input, expected) => {
    const result = influxAuth(input);
    expect(result.first).toBe('changed');
    expect(result.text).toBe(expected);
    expect(result.second).toBe('unchanged');
    expect(result.unchangedBySecond).toBe(true);
  });

  it('leaves an auth-enabled key of another section alone', () => {
    const result = influxAuth('[other]\n  auth-enabled = false\n[http]\n  enabled = true\n');
    expect(result.text).toBe('[other]\n  auth-enabled = false\n[http]\n  auth-enabled = true\n  enabled = true\n');
  });
});

describe('adapt-config', () => {
  const example = readFileSync(path.join(repoRoot, 'config/example.yaml'), 'utf8');

  it('without options it returns the example unchanged', () => {
    const result = helper(['adapt-config'], example);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(example);
  });

  it('changes only the mqtt and influx lines it is asked to', () => {
    const result = helper(['adapt-config', '--mqtt', 'mqtt://127.0.0.1:1884', '--influx'], example);
    expect(result.status, result.stderr).toBe(0);
    const before = example.split('\n');
    const after = result.stdout.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after
      .map((line, i) => [before[i], line])
      .filter(([a, b]) => a !== b)
      .map(([, b]) => b!.trim());
    expect(changed).toEqual([
      'url: mqtt://127.0.0.1:1884   # local Mosquitto (install.sh --with-mosquitto)',
      'username: lineside',
      'password: ${LINESIDE_MQTT_PASSWORD}   # from /etc/lineside/secrets.env',
      'enabled: true   # local InfluxDB (install.sh --with-influxdb)',
      'username: lineside',
      'password: ${LINESIDE_INFLUX_PASSWORD}   # from /etc/lineside/secrets.env',
      'createDatabase: false   # install.sh created it; the lineside user is no admin',
    ]);
  });

  it('refuses (exit 3, naming the key) an example whose lines are not where expected', () => {
    const reshaped = example.replace(/^ {2}# username: lineside\n/m, '');
    const result = helper(['adapt-config', '--mqtt', 'mqtt://127.0.0.1:1883'], reshaped);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('mqtt.username');
    expect(result.stdout).toBe('');
  });
});

describe('secrets', () => {
  it('random-secret gives 32 url-safe characters, different every time', () => {
    const a = helper(['random-secret']).stdout;
    const b = helper(['random-secret']).stdout;
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
  });

  it('mosquitto-hash takes the password from the environment, never from argv', () => {
    const missing = helper(['mosquitto-hash', 'lineside', 'pw']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('HASH_USER is not set');
    const ok = run(process.execPath, [helpers, 'mosquitto-hash'], { HASH_USER: 'lineside', HASH_PASSWORD: 'pw' });
    expect(ok.stdout).toMatch(/^lineside:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\n$/);
  });
});
