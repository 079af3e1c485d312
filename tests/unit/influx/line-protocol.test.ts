/**
 * The lines Lineside sends are the ones node-influx sent before it encoded its own: an agent
 * upgraded on a plant whose database it has filled for months must land in the same series with
 * the same field types (a float where an integer was is a "field type conflict" for good). Each
 * case is compared, character for character, with node-influx's encoding of the same point.
 */
import { escape, InfluxDB, type IPoint } from 'influx';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/core/sample.js';
import { encodeLine, describeLine } from '../../../src/outputs/influx/line-protocol.js';
import { encodePoint, eventPoint, type InfluxPoint } from '../../../src/outputs/influx/points.js';
import { SampleLines } from '../../../src/outputs/influx/sample-lines.js';
import { influxSchemas } from '../../../src/outputs/influx/schema.js';
import { ctx, ctxFor, EVENTS, T } from './fixtures.js';

const nodeInflux = new InfluxDB({ database: 'db', schema: influxSchemas('db') });

/** node-influx's line for a point, built as its writePoints builds it. */
function nodeInfluxLine(point: IPoint): string {
  const { measurement, tags, tagsNames, fieldsPairs, castedTimestamp } = nodeInflux.parsePoint(point, {
    database: 'db',
    precision: 'u',
  });
  let line = measurement ?? '';
  for (const name of tagsNames) line += `,${escape.tag(name)}=${escape.tag((tags ?? {})[name] ?? '')}`;
  fieldsPairs.forEach(([name, value], i) => {
    line += `${i === 0 ? ' ' : ','}${escape.tag(name)}=${value}`;
  });
  return `${line} ${castedTimestamp ?? ''}`;
}

function pointOf(result: ReturnType<typeof eventPoint>): InfluxPoint {
  if (!('point' in result)) throw new Error(`no point: ${result.skipped}`);
  return result.point;
}

const sample = (tag: string, value: Sample['value'], ts = T): Sample => ({ tag, value, ts, mono: 0 });

describe('event points as line protocol', () => {
  it.each(EVENTS.map((e) => [`${e.type} ${e.id}`, e] as const))('%s: as node-influx wrote it', (_what, event) => {
    const p = pointOf(eventPoint(event, 1, ctx));
    expect(encodePoint(p)).toBe(nodeInfluxLine(p));
  });

  it('types fields by the schema: integers with i, booleans as T/F, strings quoted and escaped', () => {
    const line = encodeLine(
      'alert',
      { site: 'plant 1', line: 'a,b', station: 'x=y' },
      { alert_id: 'a"1\\', seq: 7.9, severity_code: 3, evidence: '{"a":1, "b":2}' },
      '1',
    );
    expect(line).toBe(
      'alert,site=plant\\ 1,line=a\\,b,station=x\\=y alert_id="a\\"1\\\\",evidence="{\\"a\\":1, \\"b\\":2}",seq=7i,severity_code=3i 1',
    );
  });

  it('refuses a field the schema does not have (a bug, caught here rather than in a database)', () => {
    expect(() => encodeLine('cycle', { site: 's' }, { cycle_tme_ms: 1 }, '1')).toThrow(/no field "cycle_tme_ms"/);
  });

  it('cuts long lines for logs', () => {
    expect(describeLine('x'.repeat(400), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(describeLine('short')).toBe('short');
  });
});

describe('sample lines', () => {
  const lines = new SampleLines(ctx);
  const structured = (measurement: 'sample' | 'condition', tags: Record<string, string>, fields: IPoint['fields']) =>
    nodeInfluxLine({ measurement, tags, fields: fields ?? {}, timestamp: String(T * 1000) });
  const press = { site: 'plant1', line: 'line1', station: 'press' };

  it.each([
    [
      "a station's condition tag: condition.value",
      sample('plc1.vib', 2.5),
      structured('condition', { ...press, tag: 'plc1.vib' }, { value: 2.5 }),
    ],
    [
      "a station's counter: sample.value",
      sample('plc1.count', 7),
      structured('sample', { ...press, tag: 'plc1.count' }, { value: 7 }),
    ],
    [
      'a tag of no station: site and tag only',
      sample('plc1.other', -0.125),
      structured('sample', { site: 'plant1', tag: 'plc1.other' }, { value: -0.125 }),
    ],
    [
      'a boolean: value 1/0 and flag',
      sample('plc1.run', true),
      structured('sample', { site: 'plant1', tag: 'plc1.run' }, { value: 1, flag: true }),
    ],
    [
      'a boolean false',
      sample('plc1.run', false),
      structured('sample', { site: 'plant1', tag: 'plc1.run' }, { value: 0, flag: false }),
    ],
    [
      'a string, quoted and escaped',
      sample('plc1.id', 'LS "7" \\ a,b=c'),
      structured('sample', { site: 'plant1', tag: 'plc1.id' }, { text: 'LS "7" \\ a,b=c' }),
    ],
    [
      'a tag id with a space, comma and equals sign, escaped in the series key',
      sample('gpio.door a,b=c', 1),
      structured('sample', { site: 'plant1', tag: 'gpio.door a,b=c' }, { value: 1 }),
    ],
  ])('%s: as node-influx wrote it', (_what, s, expected) => {
    expect(lines.line(s)).toBe(expected);
  });

  it('cuts a string over 4,096 characters (InfluxDB 1.x refuses string fields over 64 KiB)', () => {
    const line = lines.line(sample('plc1.id', 'y'.repeat(10_000)));
    expect(line).toBe(`sample,site=plant1,tag=plc1.id text="${'y'.repeat(4_096)}" ${T * 1000}`);
  });

  it('skips what line protocol cannot hold: NaN and infinities, and times before 2000 (a Pi without its clock)', () => {
    expect(lines.line(sample('plc1.count', Number.NaN))).toBe('bad-value');
    expect(lines.line(sample('plc1.count', Number.POSITIVE_INFINITY))).toBe('bad-value');
    expect(lines.line(sample('plc1.count', 1, 12_000))).toBe('bad-time');
  });

  it('writes a read time in whole microseconds', () => {
    expect(lines.line(sample('plc1.other', 1, T + 0.75))).toBe(`sample,site=plant1,tag=plc1.other value=1 ${T * 1000}`);
  });

  it('takes the site from the config', () => {
    expect(new SampleLines({ ...ctxFor(), site: 'north hall' }).line(sample('plc1.other', 1))).toBe(
      `sample,site=north\\ hall,tag=plc1.other value=1 ${T * 1000}`,
    );
  });
});
