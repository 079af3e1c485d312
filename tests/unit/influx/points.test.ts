/**
 * Spool rows -> points: where each record lands in time (what makes replays idempotent and keeps
 * distinct records apart), which fields it carries, and that every field has its schema type
 * (a wrong type is a permanent "field type conflict" in the customer's database).
 */
import { FieldType } from 'influx';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import type { CoreEvent, OeeEvent } from '../../../src/core/events.js';
import {
  buildPointContext,
  eventPoint,
  microTime,
  rowToPoint,
  samplePoint,
  type InfluxPoint,
  type RowResult,
} from '../../../src/outputs/influx/points.js';
import { FIELD_TYPES, TAG_KEYS } from '../../../src/outputs/influx/schema.js';

const T = Date.UTC(2026, 2, 2, 6, 0, 0);

function ctxFor(writeSamples = true) {
  const result = loadConfigText(
    `
site: { enterprise: acme, site: plant1 }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: vib, area: input, address: 0, type: float32 }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 12.5s
        signals: { cycleCounter: plc1.count }
        conditions: [{ tag: plc1.vib, kind: vibration }]
influx: { writeSamples: ${writeSamples} }
`,
    { env: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return buildPointContext(result.config);
}
const ctx = ctxFor();

function pointOf(r: RowResult): InfluxPoint {
  if (!('point' in r)) throw new Error(`no point: ${r.skipped}`);
  return r.point;
}
const base = { line: 'line1', station: 'press' };
const figures: OeeEvent['figures'] = {
  availability: 0.9,
  performance: 0.8,
  quality: 1,
  oee: 0.72,
  counts: { total: 10, good: 10, reject: 0 },
  runTimeMs: 1,
  plannedTimeMs: 2,
  downtimeMs: 3,
  smallStopMs: 4,
  commsLostMs: 0,
  downtimeByReason: {},
};

const EVENTS: CoreEvent[] = [
  { ...base, type: 'cycle', id: 'press-1', seq: 1, ts: T + 0.6, cycleTimeMs: 12_345.5, good: true, shift: 'early' },
  {
    ...base,
    type: 'state',
    id: 'press-2',
    seq: 2,
    ts: T + 120_000,
    state: 'down',
    previous: 'small_stop',
    since: T,
    reason: 'jam',
  },
  {
    ...base,
    type: 'downtime',
    id: 'press-3',
    seq: 3,
    ts: T,
    phase: 'started',
    downtimeId: 'press-3',
    start: T,
    reason: 'unassigned',
    category: 'breakdown',
  },
  {
    ...base,
    type: 'downtime',
    id: 'press-4',
    seq: 4,
    ts: T + 60_000,
    phase: 'ended',
    downtimeId: 'press-3',
    start: T,
    end: T + 60_000,
    durationMs: 59_999.5,
    reason: 'jam',
    category: 'breakdown',
    faultCode: 7,
  },
  {
    ...base,
    type: 'oee',
    id: 'press-5',
    seq: 5,
    ts: T + 5_000,
    final: false,
    window: { kind: 'shift', shift: 'early', start: T - 3_600_000, end: T + 25_200_000 },
    figures: { ...figures, target: 2000, behindBy: -3, mtbfMs: 100, mttrMs: 10 },
  },
  {
    line: 'line1',
    type: 'oee',
    id: 'line1-1',
    seq: 1,
    ts: T + 5_000,
    final: true,
    window: { kind: 'rolling', start: T - 3_595_000, end: T + 5_000 },
    figures,
  },
  {
    ...base,
    type: 'alert',
    id: 'press-6',
    seq: 1006,
    ts: T + 7_000,
    alertId: 'a1',
    kind: 'cycle_drift',
    severity: 'critical',
    status: 'active',
    evidence: { slope: 0.2 },
  },
];

describe('point times', () => {
  it.each([
    [
      'a cycle at its end, seq in the sub-millisecond digits (two cycles of one poll stay two points)',
      0,
      `${T * 1000 + 1}`,
    ],
    [
      'a state at the start of its interval, on the whole millisecond (a reclassified small stop is replaced)',
      1,
      `${T * 1000}`,
    ],
    ['a downtime at its start while open', 2, `${T * 1000}`],
    ['the same downtime at the same time once ended (overwrites the open one)', 3, `${T * 1000}`],
    ['a shift OEE snapshot at the shift start (each snapshot replaces the last)', 4, `${(T - 3_600_000) * 1000}`],
    ['a rolling OEE snapshot at its own time plus seq', 5, `${(T + 5_000) * 1000 + 1}`],
    ['an alert at its time plus seq mod 1000', 6, `${(T + 7_000) * 1000 + 6}`],
  ])('%s', (_what, index, expected) => {
    expect(pointOf(eventPoint(EVENTS[index] as CoreEvent, 1, ctx)).timestamp).toBe(expected);
  });

  it('refuses times before 2000 (a Pi whose clock is not set yet) instead of writing them to 1970', () => {
    expect(microTime(5_000)).toBeUndefined();
    expect(microTime(Number.NaN)).toBeUndefined();
    expect(eventPoint({ ...(EVENTS[0] as CoreEvent), ts: 12_000 }, 1, ctx)).toEqual({ skipped: 'bad-time' });
  });
});

describe('fields and tags', () => {
  it('carries the ideal cycle time on every cycle, for cycle time against ideal', () => {
    expect(pointOf(eventPoint(EVENTS[0] as CoreEvent, 1, ctx))).toMatchObject({
      measurement: 'cycle',
      tags: { site: 'plant1', line: 'line1', station: 'press' },
      fields: { cycle_time_ms: 12_345.5, ideal_cycle_time_ms: 12_500, good: true, seq: 1, shift: 'early' },
    });
  });

  it('writes the full downtime field set at every phase, so an overwrite leaves nothing stale', () => {
    const open = pointOf(eventPoint(EVENTS[2] as CoreEvent, 1, ctx));
    const ended = pointOf(eventPoint(EVENTS[3] as CoreEvent, 1, ctx));
    expect(Object.keys(open.fields).sort()).toEqual(Object.keys(ended.fields).sort());
    expect(open.fields).toMatchObject({ open: true, duration_ms: 0, end_ms: 0, reason: 'unassigned', fault_code: 0 });
    expect(ended.fields).toMatchObject({
      open: false,
      duration_ms: 59_999.5,
      end_ms: T + 60_000,
      reason: 'jam',
      fault_code: 7,
    });
    expect(ended.tags).toEqual({ site: 'plant1', line: 'line1', station: 'press' }); // reason is a field: reassignment overwrites
  });

  it('puts line roll-ups in the same measurements without a station tag', () => {
    const p = pointOf(eventPoint(EVENTS[5] as CoreEvent, 1, ctx));
    expect(p.measurement).toBe('oee_rolling');
    expect(p.tags).toEqual({ site: 'plant1', line: 'line1' });
  });

  it('routes condition tags to "condition" and other tags to "sample", by value type', () => {
    expect(pointOf(samplePoint({ tag: 'plc1.vib', value: 2.5, ts: T, mono: 0 }, 1, ctx))).toMatchObject({
      measurement: 'condition',
      tags: { station: 'press', tag: 'plc1.vib' },
      fields: { value: 2.5 },
    });
    expect(pointOf(samplePoint({ tag: 'plc1.count', value: 7, ts: T, mono: 0 }, 1, ctx))).toMatchObject({
      measurement: 'sample',
      tags: { station: 'press' },
      fields: { value: 7 },
    });
    expect(pointOf(samplePoint({ tag: 'plc1.run', value: true, ts: T, mono: 0 }, 1, ctx))).toMatchObject({
      measurement: 'sample',
      tags: { site: 'plant1', tag: 'plc1.run' },
      fields: { value: 1, flag: true },
    });
    expect(pointOf(samplePoint({ tag: 'plc1.id', value: 'LS-1', ts: T, mono: 0 }, 1, ctx)).fields).toEqual({
      text: 'LS-1',
    });
    expect(samplePoint({ tag: 'plc1.count', value: Number.NaN, ts: T, mono: 0 }, 1, ctx)).toEqual({
      skipped: 'bad-value',
    });
  });

  it('skips samples when writeSamples is off', () => {
    expect(
      rowToPoint(
        { id: 1, kind: 'sample', priority: 0, ts: T, sample: { tag: 'plc1.count', value: 1, ts: T, mono: 0 } },
        ctxFor(false),
      ),
    ).toEqual({ skipped: 'not-written' });
  });

  it('leaves out non-finite figures rather than sending NaN (line protocol has none)', () => {
    const p = pointOf(
      eventPoint({ ...(EVENTS[5] as OeeEvent), figures: { ...figures, performance: Number.NaN } }, 1, ctx),
    );
    expect(p.fields).not.toHaveProperty('performance');
    expect(p.fields).toHaveProperty('availability', 0.9);
  });

  it('gives every field its schema type and uses only schema tags', () => {
    const points = [
      ...EVENTS.map((e) => pointOf(eventPoint(e, 1, ctx))),
      pointOf(samplePoint({ tag: 'plc1.vib', value: 2.5, ts: T, mono: 0 }, 1, ctx)),
      pointOf(samplePoint({ tag: 'plc1.run', value: false, ts: T, mono: 0 }, 1, ctx)),
      pointOf(samplePoint({ tag: 'plc1.id', value: 'x', ts: T, mono: 0 }, 1, ctx)),
    ];
    for (const p of points) {
      for (const tag of Object.keys(p.tags))
        expect(TAG_KEYS[p.measurement], `${p.measurement} tag ${tag}`).toContain(tag);
      for (const [field, value] of Object.entries(p.fields)) {
        const type = FIELD_TYPES[p.measurement][field];
        const ok =
          type === FieldType.FLOAT
            ? typeof value === 'number'
            : type === FieldType.INTEGER
              ? Number.isInteger(value)
              : type === FieldType.BOOLEAN
                ? typeof value === 'boolean'
                : type === FieldType.STRING
                  ? typeof value === 'string'
                  : false;
        expect(ok, `${p.measurement}.${field} = ${String(value)} is not of its schema type`).toBe(true);
      }
    }
  });
});
