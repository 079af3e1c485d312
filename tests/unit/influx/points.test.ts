/**
 * Spool rows -> points: where each record lands in time (what makes replays idempotent and keeps
 * distinct records apart), which fields it carries, and that every field has its schema type
 * (a wrong type is a permanent "field type conflict" in the customer's database).
 */
import { FieldType } from 'influx';
import { describe, expect, it } from 'vitest';
import type { CoreEvent, OeeEvent } from '../../../src/core/events.js';
import { eventPoint, microTime, type InfluxPoint, type RowResult } from '../../../src/outputs/influx/points.js';
import { FIELD_TYPES, TAG_KEYS } from '../../../src/outputs/influx/schema.js';
import { ctx, EVENTS, figures, T } from './fixtures.js';

function pointOf(r: RowResult): InfluxPoint {
  if (!('point' in r)) throw new Error(`no point: ${r.skipped}`);
  return r.point;
}

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
    ['a product change at its time plus seq', 7, `${(T + 8_000) * 1000 + 7}`],
    ['a changeover at its start, on the whole millisecond (ended overwrites started)', 9, `${(T + 10_000) * 1000}`],
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

  it("carries a product's cycle with that product and its ideal cycle time at the station", () => {
    expect(pointOf(eventPoint(EVENTS[8] as CoreEvent, 1, ctx)).fields).toMatchObject({
      ideal_cycle_time_ms: 15_000,
      product: 'b',
    });
    expect(pointOf(eventPoint(EVENTS[0] as CoreEvent, 1, ctx)).fields).not.toHaveProperty('product');
  });

  it('writes a product change with who set it and the full field set', () => {
    expect(pointOf(eventPoint(EVENTS[7] as CoreEvent, 1, ctx))).toMatchObject({
      measurement: 'product',
      tags: { site: 'plant1', line: 'line1', station: 'press' },
      fields: { product: 'b', previous: '', source: 'operator', code: '', by_user: 'anna', seq: 7 },
    });
  });

  it('writes an ended changeover with its products, duration and target', () => {
    expect(pointOf(eventPoint(EVENTS[9] as CoreEvent, 1, ctx)).fields).toEqual({
      changeover_id: 'press-9',
      from_product: '',
      to_product: 'b',
      open: false,
      duration_ms: 1_489_999.5,
      end_ms: T + 1_500_000,
      target_ms: 1_200_000,
      planned: false,
      trigger: 'product',
      seq: 10,
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

  it('writes a cycle without a time (the first after a start) without cycle_time_ms, still counted', () => {
    const { cycleTimeMs: _unknown, ...first } = EVENTS[0] as CoreEvent & { cycleTimeMs: number };
    const p = pointOf(eventPoint(first as CoreEvent, 1, ctx));
    expect(p.fields).not.toHaveProperty('cycle_time_ms');
    expect(p.fields).toMatchObject({ good: true, seq: 1 });
  });

  it('leaves out non-finite figures rather than sending NaN (line protocol has none)', () => {
    const p = pointOf(
      eventPoint({ ...(EVENTS[5] as OeeEvent), figures: { ...figures, performance: Number.NaN } }, 1, ctx),
    );
    expect(p.fields).not.toHaveProperty('performance');
    expect(p.fields).toHaveProperty('availability', 0.9);
  });

  it('gives every field its schema type and uses only schema tags', () => {
    const points = [...EVENTS.map((e) => pointOf(eventPoint(e, 1, ctx)))];
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
