/**
 * Products (docs/oee.md#products): a product code register or an operator sets what a station
 * runs; parts count at their product's ideal cycle time, so performance stays right through a
 * product change, and stop detection waits as long as the running product's cycle needs.
 */
import { describe, expect, it } from 'vitest';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { config, Driver, MIN, S } from './helpers.js';

/** press: own ideal 10 s; product a (code 1) at 10 s, b (code 2) at 15 s; c has no ideal of its own. */
function productLine(options: { productTag?: 'line' | 'station'; shifts?: string } = {}) {
  const where = options.productTag ?? 'station';
  return config(`
site: { enterprise: acme, site: plant }
agent: { oeeInterval: 24h }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: product, address: 1 }
products:
  - { id: a, name: Bracket A, code: 1, idealCycleTime: 10s }
  - { id: b, code: 2, stations: { press: 15s } }
  - { id: c, code: "C-7" }
${options.shifts ?? ''}
lines:
  - id: line1
    ${where === 'line' ? 'productCode: plc1.product' : ''}
    stations:
      - id: press
        idealCycleTime: 10s
        signals:
          cycleCounter: plc1.count
          ${where === 'station' ? 'productCode: plc1.product' : ''}
`);
}

/** Parts every `everyMs` from `from` (exclusive) to `to` (inclusive), continuing the count. */
function produce(d: Driver, count: { n: number }, from: number, to: number, everyMs: number): void {
  for (let t = from + everyMs; t <= to; t += everyMs) {
    count.n++;
    d.poll(t, { 'plc1.count': count.n }).tick(t);
  }
}

function figures(d: Driver) {
  const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
  if (f === undefined) throw new Error('no shift figures');
  return f;
}

describe('products', () => {
  for (const where of ['station', 'line'] as const) {
    it(`performance is Σ(count x ideal of its product) / run time through a change (code on the ${where})`, () => {
      const d = new Driver(productLine({ productTag: where })).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
      const count = { n: 0 };
      produce(d, count, 0, 10 * MIN, 10 * S); // 60 parts of a at its ideal
      d.poll(10 * MIN, { 'plc1.product': 2 }).tick(10 * MIN);
      produce(d, count, 10 * MIN, 20 * MIN, 15 * S); // 40 parts of b at its ideal
      const f = figures(d);
      expect(f.counts.total).toBe(100);
      expect(f.runTimeMs).toBe(20 * MIN);
      // One ideal for all (10 s) would say 1000 s / 1200 s = 83 %.
      expect(f.performance).toBeCloseTo(1, 9);
      expect(d.core.snapshot()[0]?.stations[0]?.idealCycleTimeMs).toBe(15 * S);
      expect(d.of('product').map((e) => [e.previous, e.product, e.source, e.code])).toEqual([
        [undefined, 'a', 'plc', '1'],
        ['a', 'b', 'plc', '2'],
      ]);
      const cycles = d.of('cycle');
      expect(cycles[59]?.product).toBe('a');
      expect(cycles[60]?.product).toBe('b');
    });
  }

  it('parts read in the same poll as a new code were made as the old product', () => {
    const d = new Driver(productLine()).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    d.poll(10 * S, { 'plc1.count': 1, 'plc1.product': 2 }).tick(10 * S);
    d.poll(25 * S, { 'plc1.count': 2 }).tick(25 * S);
    expect(d.of('cycle').map((e) => e.product)).toEqual(['a', 'b']);
    expect(figures(d).performance).toBeCloseTo((10 + 15) / 25, 9);
  });

  it("stop detection waits stoppedAfterIdealCycles of the running product's ideal", () => {
    const d = new Driver(productLine()).poll(0, { 'plc1.count': 0, 'plc1.product': 2 }).tick(0);
    const count = { n: 0 };
    // A part every 40 s: a stop under the station's 10 s ideal (30 s gap), not under b's 15 s (45 s).
    produce(d, count, 0, 10 * MIN, 40 * S);
    expect(d.states()).toEqual(['running']);
    d.poll(10 * MIN + 1, { 'plc1.product': 1 });
    produce(d, count, 10 * MIN + 1, 20 * MIN, 40 * S);
    // The change to a is a changeover until a's first part (40 s later, so it began 30 s later);
    // then a part every 40 s is a stop under a's 10 s ideal.
    expect(d.states().slice(0, 4)).toEqual(['running', 'down:changeover', 'running', 'small_stop']);
  });

  it('a code no product has is reported once and the station runs at its own ideal; a string code maps', () => {
    const d = new Driver(productLine()).poll(0, { 'plc1.count': 0, 'plc1.product': 99 }).tick(0);
    d.poll(10 * S, { 'plc1.count': 1, 'plc1.product': 99 }).tick(10 * S);
    d.poll(20 * S, { 'plc1.count': 2, 'plc1.product': 98 }).tick(20 * S);
    d.poll(30 * S, { 'plc1.count': 3, 'plc1.product': 99 }).tick(30 * S);
    const unknown = d.diagnostics.filter((x) => x.code === 'UNKNOWN_PRODUCT_CODE');
    expect(unknown.map((x) => x.context.code)).toEqual(['99', '98']);
    expect(unknown[0]?.context).toMatchObject({ station: 'press', tag: 'plc1.product' });
    expect(d.of('product')).toEqual([]);
    expect(d.core.snapshot()[0]?.stations[0]?.idealCycleTimeMs).toBe(10 * S);
    d.poll(40 * S, { 'plc1.product': ' C-7 ' }).tick(40 * S);
    expect(d.of('product').map((e) => e.product)).toEqual(['c']);
    // c sets no ideal: the station's own applies.
    expect(d.core.snapshot()[0]?.stations[0]?.idealCycleTimeMs).toBe(10 * S);
  });

  it('an operator sets the product of a line; a later code change overrides it', () => {
    const d = new Driver(productLine()).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    d.clock.mono = 60 * S;
    const by = { user: 'anna', role: 'operator', via: 'login' };
    expect(d.core.setProduct({ line: 'line1' }, 'b', by)).toEqual({ ok: true, changed: ['press'] });
    expect(d.core.setProduct({ line: 'line1' }, 'b', by)).toEqual({ ok: true, changed: [] });
    expect(d.core.setProduct({ line: 'line1' }, 'zz')).toMatchObject({ ok: false, code: 'UNKNOWN_PRODUCT' });
    expect(d.core.setProduct({ line: 'line9' }, 'a')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(d.core.setProduct({ line: 'line1', station: 'weld' }, 'a')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    // The same code read again is no change; a new code is.
    d.poll(70 * S, { 'plc1.product': 1 }).tick(70 * S);
    expect(d.core.snapshot()[0]?.stations[0]?.idealCycleTimeMs).toBe(15 * S);
    d.poll(80 * S, { 'plc1.product': 2 })
      .poll(90 * S, { 'plc1.product': 1 })
      .tick(90 * S);
    expect(d.of('product').map((e) => [e.product, e.source, e.by?.user])).toEqual([
      ['a', 'plc', undefined],
      ['b', 'operator', 'anna'],
      ['a', 'plc', undefined],
    ]);
    expect(d.of('product')[1]?.ts).toBe(d.clock.wallAtZero + 60 * S);
    expect(d.core.setProduct({ line: 'line1' }, null)).toEqual({ ok: true, changed: ['press'] });
    expect(d.of('product').at(-1)).toMatchObject({ previous: 'a', source: 'operator' });
    expect(d.of('product').at(-1)?.product).toBeUndefined();
  });

  it('a restart keeps the product and the performance; a checkpoint from before products restores at the station ideal', () => {
    const shifts = `shifts:\n  timezone: UTC\n  shifts: [{ name: day, start: "00:00", end: "23:59" }]`;
    const cfg = productLine({ shifts });
    const d = new Driver(cfg).poll(0, { 'plc1.count': 0, 'plc1.product': 2 }).tick(0);
    const count = { n: 0 };
    produce(d, count, 0, 10 * MIN, 15 * S);
    const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;
    const again = new Driver(cfg, { restore: saved, wallAtZero: d.clock.wallAtZero + 10 * MIN });
    again.poll(0, { 'plc1.count': count.n, 'plc1.product': 2 }).tick(0);
    expect(again.of('product')).toEqual([]);
    expect(again.core.snapshot()[0]?.stations[0]?.idealCycleTimeMs).toBe(15 * S);
    expect(figures(again).performance).toBeCloseTo(1, 9);

    // The same checkpoint as an older agent wrote it: no idealMs, no product.
    const old = JSON.parse(
      JSON.stringify(saved, (k, v: unknown) => (k === 'idealMs' || k === 'product' ? undefined : v)),
    ) as CoreCheckpoint;
    const older = new Driver(cfg, { restore: old, wallAtZero: d.clock.wallAtZero + 10 * MIN });
    older.tick(0);
    // 40 parts at the station's own 10 s in 10 min of run time.
    expect(figures(older).performance).toBeCloseTo(400 / 600, 9);
  });
});
