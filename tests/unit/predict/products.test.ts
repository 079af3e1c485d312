/**
 * Cycle drift is product-aware: each product has its own baseline, so changing between a fast
 * and a slow product (40 changes here) raises no cycle-drift alert, while a real slowdown within
 * one product still does. Fed with a fake clock; deterministic.
 */
import { describe, expect, it } from 'vitest';
import { Feeder, stationConfig } from './helpers.js';

const PRODUCTS = '[{ id: a, idealCycleTime: 10s }, { id: b, idealCycleTime: 15s }]';
const IDEAL: Record<string, number> = { a: 10_000, b: 15_000 };

/** `changes` stretches of `cycles` parts, alternating a and b, each at 1.03 x its ideal with ±3 % noise. */
function run(f: Feeder, changes: number, cycles: number, announce: boolean, slowdown = (_i: number) => 1): void {
  let i = 0;
  for (let c = 0; c < changes; c++) {
    const product = c % 2 === 0 ? 'a' : 'b';
    if (announce) f.product(product);
    for (let k = 0; k < cycles; k++, i++) {
      const ms = Math.round((IDEAL[product] as number) * 1.03 * (1 + 0.03 * Feeder.noise(i)) * slowdown(i));
      f.cycle(ms, announce ? product : undefined);
    }
  }
}

describe('cycle drift with products', () => {
  it('40 product changes between a 10 s and a 15 s product raise no cycle-drift alert', () => {
    const f = new Feeder(stationConfig({ products: PRODUCTS }));
    f.setState('running');
    run(f, 40, 300, true);
    expect(f.opened('cycle_drift')).toEqual([]);
    const cp = f.predictor.checkpoint().stations.press;
    expect(Object.keys(cp?.cycleDriftByProduct ?? {}).sort()).toEqual(['a', 'b']);
  });

  it('the same cycles without products on them look like drift: the per-product baselines are what prevents it', () => {
    const f = new Feeder(stationConfig({ products: PRODUCTS, ideal: '15s' }));
    f.setState('running');
    run(f, 40, 300, false);
    expect(f.opened('cycle_drift').length).toBeGreaterThan(0);
  });

  it('a machine that slows down within one product is still warned about, and a restart keeps both baselines', () => {
    const f = new Feeder(stationConfig({ products: PRODUCTS }));
    f.setState('running');
    run(f, 10, 300, true);
    expect(f.opened('cycle_drift')).toEqual([]);
    const again = new Feeder(stationConfig({ products: PRODUCTS }), f.predictor.checkpoint());
    // Both products' baselines came back, not just the station's own chart.
    const restored = again.predictor.checkpoint().stations.press?.cycleDriftByProduct ?? {};
    expect(Object.keys(restored).sort()).toEqual(['a', 'b']);
    expect(restored.b?.baseline.length).toBeGreaterThan(0);
    again.now = f.now;
    again.setState('running');
    // b's cycles get 10 % slower over 600 parts.
    again.product('b');
    for (let i = 0; i < 900; i++)
      again.cycle(Math.round(15_000 * 1.03 * (1 + 0.03 * Feeder.noise(i)) * (1 + Math.min(0.1, i / 6000))), 'b');
    expect(again.opened('cycle_drift').length).toBe(1);
  });
});
