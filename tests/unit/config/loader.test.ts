import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDurationMs, formatDurationMs } from '../../../src/config/duration.js';
import { jsonSchemaText } from '../../../src/config/json-schema.js';
import { formatIssue } from '../../../src/config/issues.js';
import { loadConfigText } from '../../../src/config/load.js';
import { closest } from '../../../src/config/suggest.js';

const MINIMAL = readFileSync(join(import.meta.dirname, '../../configs/valid-minimal.yaml'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'lineside-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function load(text: string, env: Record<string, string> = {}) {
  return loadConfigText(text, { env, baseDir: tmp });
}

describe('durations', () => {
  it.each([
    ['100ms', 100], ['2s', 2000], ['2m', 120_000], ['8h', 28_800_000], ['1h30m', 5_400_000], ['2.5s', 2500], ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', '10', '10 seconds', 'm5', '5x', '-1s'])('rejects %j', (text) => expect(parseDurationMs(text)).toBeUndefined());
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
    if (!result.ok) expect(result.issues.map(formatIssue)).toContain(`mqtt.passwordFile (23:17): cannot read secret file ${join(tmp, 'missing.secret')} (ENOENT)`);
  });

  it('lists every problem, not just the first', () => {
    const text = MINIMAL.replace('idealCycleTime: 10s', 'idealCycleTime: 10').replace('cycleCounter: plc1.partCount', 'cycleCounter: plc1.nope');
    const result = load(text);
    expect(result.ok).toBe(false);
    // zod errors come first; cross-field checks need a parsed config, so they follow once zod passes.
    if (!result.ok) expect(result.issues.map((i) => i.path.join('.'))).toEqual(['lines.0.stations.0.idealCycleTime']);
    const second = load(MINIMAL.replace('cycleCounter: plc1.partCount', 'cycleCounter: plc1.nope').replace('"5": jam', '"5": jamm'));
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.issues).toHaveLength(2);
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
    const schema = JSON.parse(jsonSchemaText()) as { properties: { storage: { properties: { commitInterval: { type: string; pattern: string } } } } };
    expect(schema.properties.storage.properties.commitInterval.type).toBe('string');
    expect(schema.properties.storage.properties.commitInterval.pattern).toContain('ms|s|m|h|d');
  });
});
