import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDurationMs, formatDurationMs } from '../../../src/config/duration.js';
import { jsonSchemaText } from '../../../src/config/json-schema.js';
import { formatIssue } from '../../../src/config/issues.js';
import { loadConfigFile, loadConfigText } from '../../../src/config/load.js';
import { closest } from '../../../src/config/suggest.js';

const MINIMAL = readFileSync(join(import.meta.dirname, '../../configs/valid-minimal.yaml'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'lineside-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function load(text: string, env: Record<string, string> = {}) {
  return loadConfigText(text, { env, baseDir: tmp });
}

describe('durations', () => {
  it.each([
    ['100ms', 100],
    ['2s', 2000],
    ['2m', 120_000],
    ['8h', 28_800_000],
    ['1h30m', 5_400_000],
    ['2.5s', 2500],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', '10', '10 seconds', 'm5', '5x', '-1s'])('rejects %j', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
  it('formats back readably', () => expect(formatDurationMs(5_400_250)).toBe('1h30m250ms'));
});

describe('loading', () => {
  it('applies documented defaults, parses durations to ms and freezes the result', () => {
    const result = load(MINIMAL);
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    const { config } = result;
    const device = config.devices[0];
    expect(device?.pollInterval).toBe(1000);
    expect(device?.timeout).toBe(500);
    expect(device?.protocol === 'modbus-tcp' && device.port).toBe(502);
    expect(config.lines[0]?.stations[0]?.idealCycleTime).toBe(10_000);
    expect(config.lines[0]?.stations[0]?.microStopThreshold).toBe(120_000);
    expect(config.mqtt.url).toBe('embedded');
    expect(config.storage.commitInterval).toBe(250);
    expect(Object.isFrozen(config.lines[0]?.stations[0])).toBe(true);
  });

  it('substitutes ${ENV} with defaults and types whole-scalar numbers', () => {
    const text = MINIMAL.replace('host: 127.0.0.1', 'host: ${PLC_HOST:-127.0.0.9}\n    port: ${PLC_PORT}');
    const result = load(text, { PLC_PORT: '15020' });
    expect(result.ok).toBe(true);
    const device = result.ok ? result.config.devices[0] : undefined;
    expect(device?.protocol === 'modbus-tcp' && [device.host, device.port]).toEqual(['127.0.0.9', 15020]);
  });

  it('reads a secret from passwordFile and never keeps the file name as the password', () => {
    const secret = join(tmp, 'mqtt.password');
    writeFileSync(secret, 's3cret\n');
    const result = load(`${MINIMAL}mqtt:\n  url: mqtt://127.0.0.1:1883\n  username: u\n  passwordFile: ${secret}\n`);
    expect(result.ok && result.config.mqtt.password).toBe('s3cret');
  });

  it('names an unreadable secret file with its path', () => {
    const result = load(`${MINIMAL}mqtt:\n  passwordFile: ./missing.secret\n`);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map(formatIssue)).toContain(
        `mqtt.passwordFile (23:17): cannot read secret file ${join(tmp, 'missing.secret')} (ENOENT)`,
      );
  });

  it('lists every problem, not just the first: schema and cross-field problems together, in file order', () => {
    const text = MINIMAL.replace('cycleCounter: plc1.partCount', 'cycleCounter: plc1.nope').replace(
      'idealCycleTime: 10s',
      'idealCycleTime: 10',
    );
    const result = load(text);
    expect(result.ok).toBe(false);
    // The cross-field checks run on whatever validated, so the bad duration does not hide the bad reference.
    if (!result.ok) {
      expect(result.issues.map(formatIssue)).toEqual([
        'lines[0].stations[0].idealCycleTime (16:25): expected a duration with a unit, such as "500ms", "10s" or "2m"; got 10',
        'lines[0].stations[0].signals.cycleCounter (18:25): no tag "plc1.nope"',
      ]);
    }
    const second = load(
      MINIMAL.replace('cycleCounter: plc1.partCount', 'cycleCounter: plc1.nope').replace('"5": jam', '"5": jamm'),
    );
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.issues).toHaveLength(2);
  });

  it('says what was written: a value out of range, a value of the wrong type, a key that is missing', () => {
    const result = load(
      MINIMAL.replace('host: 127.0.0.1', 'host: 127.0.0.1\n    port: 65536\n    unitId: "one"').replace(
        '      - id: press\n',
        '      - name: Press\n',
      ),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map(formatIssue)).toEqual([
        'devices[0].port (6:11): must be <= 65535; got 65536',
        'devices[0].unitId (7:13): expected number; got "one"',
        'lines[0].stations[0].id (17:9): required (string)',
      ]);
    }
  });

  it('refuses a config over 1 MB before parsing it', () => {
    const big = `${MINIMAL}# ${'x'.repeat(1024 * 1024)}\n`;
    const result = load(big);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map(formatIssue)).toEqual([
        '(root): the file is 1.0 MB; a config over 1 MB is refused before parsing (a real one is a few KB)',
      ]);
    const file = join(tmp, 'big.yaml');
    writeFileSync(file, big);
    const fromFile = loadConfigFile(file);
    expect(!fromFile.ok && fromFile.issues[0]?.message).toBe(
      `cannot read ${file}: the file is 1.0 MB; a config over 1 MB is refused before parsing (a real one is a few KB)`,
    );
    expect(loadConfigFile(tmp)).toEqual({
      ok: false,
      issues: [{ path: [], message: `cannot read ${tmp}: it is a directory, not a file` }],
    });
  });

  it('turns an alias bomb into a problem, not an exception, and still allows a few aliases', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefgh'
      .split('')
      .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)
      .join('\n')}\n`;
    const result = load(bomb);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map(formatIssue)[0]).toMatch(/^\(root\): YAML error: too many aliases .*alias bomb$/);
    const aliased = MINIMAL.replace('{ id: jam, label: Jam }', '{ id: &jam jam, label: Jam }').replace(
      '"5": jam',
      '"5": *jam, "6": *jam',
    );
    expect(load(aliased).ok).toBe(true);
  });

  it('keeps a "__proto__" key a key (reported as unknown), never the prototype of the parsed config', () => {
    const result = load(`${MINIMAL}__proto__: { site: 1 }\n`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map(formatIssue)).toEqual(['__proto__ (22:1): unknown key "__proto__"']);
  });

  it('rejects a config that is not a map', () => {
    const result = load('- just\n- a list\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toContain('must be a YAML map');
  });
});

describe('near-miss suggestions', () => {
  it('suggests only plausible typos', () => {
    expect(closest('plc1.partcount', ['plc1.partCount', 'plc1.running'])).toBe('plc1.partCount');
    expect(closest('temperature', ['plc1.partCount', 'plc1.running'])).toBeUndefined();
  });
});

describe('generated JSON Schema', () => {
  it('is committed and current (run `npm run schema:gen` after changing the schema)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../../config/lineside.schema.json'), 'utf8');
    expect(committed).toBe(jsonSchemaText());
  });
  it('shows durations as strings with a pattern so editors can validate them', () => {
    const schema = JSON.parse(jsonSchemaText()) as {
      properties: { storage: { properties: { commitInterval: { type: string; pattern: string } } } };
    };
    expect(schema.properties.storage.properties.commitInterval.type).toBe('string');
    expect(schema.properties.storage.properties.commitInterval.pattern).toContain('ms|s|m|h|d');
  });
});
