/**
 * Production orders (docs/oee.md#orders): one running order per line, counted at the output
 * station; completes by itself at its quantity; can be stopped and resumed; survives a restart; and
 * forecasts its completion at the line's pace, skipping planned stops.
 */
import { describe, expect, it } from 'vitest';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { config, Driver, MIN, MONDAY_UTC, S } from './helpers.js';

/** Two stations, pack is the output; products a (10 s at pack) and b (20 s). Shift 06:00-14:00, lunch 10:00-10:30. */
function orderLine(oeeInterval = '1m') {
  return config(`
site: { enterprise: acme, site: plant }
agent: { oeeInterval: ${oeeInterval} }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count1, address: 0 }
      - { name: count2, address: 1 }
      - { name: reject2, address: 2 }
products:
  - { id: a, code: 1, idealCycleTime: 10s }
  - { id: b, code: 2, idealCycleTime: 20s }
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", breaks: [{ name: lunch, start: "10:00", duration: 30m }] }
lines:
  - id: line1
    stations:
      - { id: weld, idealCycleTime: 10s, signals: { cycleCounter: plc1.count1 } }
      - { id: pack, idealCycleTime: 10s, signals: { cycleCounter: plc1.count2, rejectCount: plc1.reject2 } }
`);
}

const SIX = 6 * 3600_000;
const by = { user: 'ana', role: 'operator', via: 'login' };

/** Parts at both stations every `everyMs` from `from` (exclusive) to `to` (inclusive); every `rejectEvery`-th at pack is a reject. */
function produce(
  d: Driver,
  c: { n: number; r: number },
  from: number,
  to: number,
  everyMs: number,
  rejectEvery = 0,
): void {
  for (let t = from + everyMs; t <= to; t += everyMs) {
    c.n++;
    if (rejectEvery > 0 && c.n % rejectEvery === 0) c.r++;
    d.poll(t, { 'plc1.count1': c.n, 'plc1.count2': c.n, 'plc1.reject2': c.r }).tick(t);
  }
}

function start(at = SIX): { d: Driver; c: { n: number; r: number } } {
  const d = new Driver(orderLine(), { wallAtZero: MONDAY_UTC });
  d.poll(at, { 'plc1.count1': 0, 'plc1.count2': 0, 'plc1.reject2': 0 }).tick(at);
  return { d, c: { n: 0, r: 0 } };
}

describe('orders', () => {
  it('counts the output station’s parts from its start and completes at its quantity, by itself', () => {
    const { d, c } = start();
    produce(d, c, SIX, SIX + MIN, 10 * S); // 6 parts before the order: not its own
    const result = d.core.startOrder('line1', { id: '4711', product: 'a', quantity: 20 }, by);
    expect(result).toMatchObject({ ok: true, order: { id: '4711', good: 0, remaining: 20, status: 'running' } });
    produce(d, c, SIX + MIN, SIX + 6 * MIN, 10 * S, 5); // parts 7-36; 10, 15, 20, ... are rejects
    const orders = d.of('order');
    expect(orders.filter((e) => e.phase !== 'progress').map((e) => e.phase)).toEqual(['started', 'completed']);
    expect(orders.filter((e) => e.phase === 'progress').length).toBeGreaterThanOrEqual(3);
    // Parts 7-31 are 25 parts: 5 rejects (10, 15, 20, 25, 30), so part 31 is the 20th good one.
    const done = orders.at(-1);
    expect(done).toMatchObject({ orderId: '4711', good: 20, reject: 5, remaining: 0, product: 'a', quantity: 20 });
    expect(done?.end).toBe(d.of('cycle').filter((e) => e.station === 'pack')[30]?.ts);
    expect(orders[0]?.by).toEqual(by);
    // Parts after completion belong to no order.
    expect(d.core.snapshot()[0]?.order).toBeUndefined();
    // Line events share the line's id sequence with the line OEE.
    const lineSeqs = d.events.filter((e) => e.station === undefined).map((e) => e.seq);
    expect(lineSeqs).toEqual(lineSeqs.map((_, i) => i + 1));
  });

  it('starting an order sets the line’s product; only one order runs per line', () => {
    const { d } = start();
    expect(d.core.startOrder('line1', { id: 'o1', product: 'b', quantity: 5 }, by).ok).toBe(true);
    expect(d.of('product').map((e) => [e.station, e.product, e.by?.user])).toEqual([
      ['weld', 'b', 'ana'],
      ['pack', 'b', 'ana'],
    ]);
    expect(d.core.startOrder('line1', { id: 'o2', product: 'a', quantity: 5 })).toMatchObject({
      ok: false,
      code: 'ORDER_RUNNING',
    });
    expect(d.core.startOrder('line1', { id: 'o3', product: 'zz', quantity: 5 })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PRODUCT',
    });
    expect(d.core.startOrder('line9', { id: 'o3', quantity: 5 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(d.core.stopOrder('line9')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('a stopped order resumes with its counts; a completed one is not started again', () => {
    const { d, c } = start();
    d.core.startOrder('line1', { id: 'o1', product: 'a', quantity: 10 });
    produce(d, c, SIX, SIX + MIN, 10 * S);
    expect(d.core.stopOrder('line1', by)).toMatchObject({ ok: true, order: { good: 6, status: 'stopped' } });
    expect(d.core.stopOrder('line1')).toMatchObject({ ok: false, code: 'NO_ORDER' });
    produce(d, c, SIX + MIN, SIX + 2 * MIN, 10 * S); // not counted: no order runs
    expect(d.core.startOrder('line1', { id: 'o1', quantity: 12 })).toMatchObject({ ok: false, code: 'ORDER_CONFLICT' });
    expect(d.core.startOrder('line1', { id: 'new' })).toMatchObject({ ok: false, code: 'INVALID_ORDER' });
    expect(d.core.startOrder('line1', { id: 'o1' })).toMatchObject({ ok: true, order: { good: 6, status: 'running' } });
    produce(d, c, SIX + 2 * MIN, SIX + 3 * MIN, 10 * S);
    const phases = d.of('order').filter((e) => e.phase !== 'progress');
    expect(phases.map((e) => [e.phase, e.good])).toEqual([
      ['started', 0],
      ['stopped', 6],
      ['resumed', 6],
      ['completed', 10],
    ]);
    expect(d.core.startOrder('line1', { id: 'o1' })).toMatchObject({ ok: false, code: 'ORDER_COMPLETED' });
  });

  it('the forecast lays the remaining parts at the line’s pace onto the calendar, skipping the break', () => {
    const { d, c } = start();
    d.core.startOrder('line1', { id: 'o1', product: 'a', quantity: 2000, due: MONDAY_UTC + 11 * 3600_000 });
    // Before 10 minutes of production: the ideal cycle time is the pace.
    // 2,000 x 10 s = 5 h 33 min 20 s from 06:00: 4 h to lunch, the rest after it: 12:03:20.
    let f = d.core.snapshot()[0]?.order?.forecast;
    expect(f).toMatchObject({ basis: 'ideal', paceMs: 10 * S, finishesThisShift: true, onTime: false });
    expect(f?.eta).toBe(MONDAY_UTC + 12 * 3600_000 + 3 * MIN + 20 * S);
    // An hour at 20 s per part: OEE 50 %, pace 20 s per good part.
    produce(d, c, SIX, SIX + 60 * MIN, 20 * S);
    const order = d.core.snapshot()[0]?.order;
    expect(order?.good).toBe(180);
    f = order?.forecast;
    expect(f?.basis).toBe('rolling-oee');
    // (to within 1 %: the rolling hour is kept in buckets, its edges are not exact)
    expect(Math.abs((f?.paceMs ?? 0) - 20 * S)).toBeLessThan(200);
    // 1,820 parts x 20 s = 36,400 s = 10 h 6 min 40 s of production from 07:00: 3 h to the break,
    // 3.5 h after it to 14:00 (6.5 h), then the next shift (06:00 Tuesday) takes the rest: 3 h 36 min 40 s.
    const expected = MONDAY_UTC + 24 * 3600_000 + SIX + 3 * 3600_000 + 36 * MIN + 40 * S;
    expect(Math.abs((f?.eta ?? 0) - expected)).toBeLessThan(6 * MIN);
    expect(f?.finishesThisShift).toBe(false);
    expect(f?.onTime).toBe(false);
  });

  it('an order that fits before the break ends after it when the break is in the way', () => {
    const { d, c } = start();
    produce(d, c, SIX, SIX + 3 * 3600_000 + 50 * MIN, 10 * S); // to 09:50 at the ideal pace
    d.core.startOrder('line1', { id: 'o2', product: 'a', quantity: 120 }); // 20 min at 10 s
    const f = d.core.snapshot()[0]?.order?.forecast;
    // An hour at the ideal pace: OEE 100 % (to the edges of the rolling hour).
    expect(Math.abs((f?.paceMs ?? 0) - 10 * S)).toBeLessThan(50);
    // 10 min before lunch, 10 min after: 10:40.
    expect(Math.abs((f?.eta ?? 0) - (MONDAY_UTC + 10 * 3600_000 + 40 * MIN))).toBeLessThan(10 * S);
    expect(f?.finishesThisShift).toBe(true);
  });

  it('a running order and the kept ones survive a restart', () => {
    const { d, c } = start();
    d.core.startOrder('line1', { id: 'o1', product: 'a', quantity: 100 });
    produce(d, c, SIX, SIX + MIN, 10 * S);
    d.core.stopOrder('line1');
    d.core.startOrder('line1', { id: 'o2', product: 'a', quantity: 100 });
    produce(d, c, SIX + MIN, SIX + 2 * MIN, 10 * S);
    const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;
    const lastSeq = d.events.filter((e) => e.station === undefined).at(-1)?.seq ?? 0;

    const after = new Driver(orderLine(), { wallAtZero: MONDAY_UTC, restore: saved });
    after.poll(SIX + 2 * MIN + 10 * S, { 'plc1.count1': c.n + 1, 'plc1.count2': c.n + 1, 'plc1.reject2': 0 });
    after.tick(SIX + 2 * MIN + 10 * S);
    expect(after.core.snapshot()[0]?.order).toMatchObject({ id: 'o2', good: 7 });
    expect(after.core.stopOrder('line1')).toMatchObject({ ok: true, order: { id: 'o2', good: 7 } });
    expect(after.core.startOrder('line1', { id: 'o1' })).toMatchObject({ ok: true, order: { good: 6 } });
    const firstLine = after.events.find((e) => e.station === undefined);
    expect(firstLine?.seq).toBe(lastSeq + 1);
  });

  it('a checkpoint from before orders restores with none', () => {
    const { d } = start();
    const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;
    for (const line of Object.values(saved.lines)) delete (line as { orders?: unknown }).orders;
    const after = new Driver(orderLine(), { wallAtZero: MONDAY_UTC, restore: saved });
    expect(after.diagnostics.map((x) => x.code)).toContain('CHECKPOINT_RESTORED');
    expect(after.core.snapshot()[0]?.order).toBeUndefined();
  });
});
