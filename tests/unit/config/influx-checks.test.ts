/**
 * The InfluxDB cross-checks (src/config/cross-checks-influx.ts): the API, the token and the
 * bucket fields load together when they make sense, and each combination that cannot work is
 * named by its config path. The same messages, located in a file, are in tests/configs/broken/57-60.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIssue } from '../../../src/config/issues.js';
import { loadConfigText } from '../../../src/config/load.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-influx-checks-'));
writeFileSync(join(tmp, 'token'), 'from-file\nignored\n');
writeFileSync(join(tmp, 'pw'), 'password\n');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function load(influx: Record<string, unknown>, env: Record<string, string> = {}) {
  const doc = {
    site: { enterprise: 'acme', site: 'plant1' },
    devices: [
      { id: 'plc1', protocol: 'modbus-tcp', host: '10.0.0.5', tags: [{ name: 'n', address: 0, type: 'uint32' }] },
    ],
    lines: [{ id: 'line1', stations: [{ id: 'press', idealCycleTime: '10s', signals: { cycleCounter: 'plc1.n' } }] }],
    influx: { enabled: true, ...influx },
  };
  return loadConfigText(stringify(doc), { env, baseDir: tmp });
}

/** Problems as "path: message", without the line:column. */
function problems(influx: Record<string, unknown>): string[] {
  const result = load(influx);
  return result.ok ? [] : result.issues.map(({ line: _line, column: _column, ...issue }) => formatIssue(issue));
}

describe('influx config checks', () => {
  it('loads InfluxDB 1.x (the defaults), a token over v1, and the v2 API with org, bucket and token', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ url: 'https://influx2:8086', token: 't' })).toEqual([]);
    expect(problems({ url: 'https://influx3:8181', token: 't', tokenScheme: 'Bearer', setup: 'off' })).toEqual([]);
    expect(problems({ api: 'v2', org: 'acme', bucket: 'lineside', token: 't' })).toEqual([]);
  });

  it('fills the defaults: v1 API, Token scheme, set-up auto', () => {
    const result = load({});
    expect(result.ok && result.config.influx).toMatchObject({ api: 'v1', tokenScheme: 'Token', setup: 'auto' });
  });

  it('reads the token from the environment and from tokenFile', () => {
    const env = load({ token: '${INFLUX_TOKEN}' }, { INFLUX_TOKEN: 'from-env' });
    expect(env.ok && env.config.influx.token).toBe('from-env');
    const file = load({ api: 'v2', org: 'o', bucket: 'b', tokenFile: 'token' });
    expect(file.ok && file.config.influx.token).toBe('from-file');
  });

  it('names each thing the v2 API lacks', () => {
    expect(problems({ api: 'v2' })).toEqual([
      'influx.api: influx.api v2 writes to a bucket: set influx.bucket',
      'influx.api: influx.api v2 needs the organization that owns the bucket: set influx.org',
      'influx.api: influx.api v2 authenticates with an API token: set influx.token or influx.tokenFile',
    ]);
    expect(problems({ api: 'v2', org: 'o', tokenFile: 'token' })).toEqual([
      'influx.api: influx.api v2 writes to a bucket: set influx.bucket',
    ]);
  });

  it.each([
    [{ token: 't', username: 'u' }, 'influx.token'],
    [{ token: 't', password: 'p' }, 'influx.token'],
    [{ tokenFile: 'token', passwordFile: 'pw' }, 'influx.tokenFile'],
    [{ token: 't', url: 'http://u:p@influx:8086' }, 'influx.token'],
  ])('refuses a token together with a username or password (%j)', (influx, path) => {
    const found = problems(influx);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${path.replace('.', '\\.')}: set either an API token`));
  });

  it('refuses org and bucket on the v1 API, where they would be ignored', () => {
    expect(problems({ token: 't', bucket: 'b', org: 'o' }).map((p) => p.split(':')[0])).toEqual([
      'influx.bucket',
      'influx.org',
    ]);
  });

  it('refuses unknown APIs, token schemes and set-up modes by name', () => {
    expect(problems({ api: 'v3' })[0]).toMatch(/^influx\.api: must be one of "v1", "v2"/);
    expect(problems({ token: 't', tokenScheme: 'Basic' })[0]).toMatch(/^influx\.tokenScheme: must be one of/);
    expect(problems({ setup: 'never' })[0]).toMatch(/^influx\.setup: must be one of/);
  });

  it('refuses an empty token, also when it came from the environment', () => {
    expect(problems({ api: 'v2', org: 'o', bucket: 'b', token: '' })).toContain(
      'influx.api: influx.api v2 authenticates with an API token: set influx.token or influx.tokenFile',
    );
  });
});
