/**
 * The rough degradation profile's building blocks: autocorrelated cycle-time noise (station
 * `cycleNoise`) and condition-sensor dropouts (`conditions[].dropouts`). Both are seeded, so the
 * figures below are fixed; the tolerances are still those a correct implementation meets by a
 * wide margin at these sample sizes.
 */
import { describe, expect, it } from 'vitest';
import { CycleNoise } from '../../../simulator/engine/cycle-noise.js';
import { conditionValueAt, type ConditionSource } from '../../../simulator/engine/wear.js';
import { Prng, PrngStreams } from '../../../simulator/random/prng.js';
import { ConditionSpec } from '../../../simulator/scenario-schema.js';
import { HOUR, MIN, ofType, runTruth, scenarioOf } from './helpers.js';

function lag1(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] as number) - m;
    den += d * d;
    if (i > 0) num += d * ((xs[i - 1] as number) - m);
  }
  return num / den;
}

describe('cycleNoise: AR(1) factor on cycle times', () => {
  it('has mean 1, standard deviation cv and lag-1 correlation phi', () => {
    const noise = new CycleNoise({ cv: 0.03, phi: 0.6 }, new Prng(42));
    const xs = Array.from({ length: 50_000 }, () => noise.next());
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    expect(m).toBeCloseTo(1, 2);
    expect(sd).toBeGreaterThan(0.028);
    expect(sd).toBeLessThan(0.032);
    expect(lag1(xs)).toBeGreaterThan(0.57);
    expect(lag1(xs)).toBeLessThan(0.63);
  });

  it('makes neighbouring cycles of a simulated station alike; without it they are independent', () => {
    const yaml = (extra: string) => `
name: noisy
line:
  id: l
  stations:
    - id: s
      idealCycleTime: 10s
      cycleTime: { dist: lognormal, offset: 10s, mean: 0.5s, cv: 0.5 }
${extra}`;
    const processMs = (extra: string) =>
      ofType(runTruth(scenarioOf(yaml(extra)), 6 * HOUR, 3), 'cycle').map((c) => c.processMs);
    const plain = processMs('');
    const noisy = processMs('      cycleNoise: { cv: 0.03, phi: 0.8 }');
    expect(plain.length).toBeGreaterThan(2000);
    expect(Math.abs(lag1(plain))).toBeLessThan(0.06);
    expect(lag1(noisy)).toBeGreaterThan(0.5);
  });
});

describe('condition dropouts', () => {
  const spec = (dropouts?: string) =>
    ConditionSpec.parse({
      name: 'vibration',
      base: 2,
      noise: 0.1,
      ...(dropouts !== undefined ? { dropouts: { share: 0.2, duration: dropouts } } : {}),
    });
  const source = (c: ReturnType<typeof spec>): ConditionSource => ({
    id: 'press',
    spec: { conditions: [c] },
    processing: false,
    episode: undefined,
    wearAt: () => 0,
  });

  it('read the dropout value in about `share` of the blocks and the unchanged signal otherwise', () => {
    const streams = new PrngStreams(5);
    const withDrop = source(spec('10m'));
    const without = source(spec());
    let dead = 0;
    const blocks = 2000;
    for (let b = 0; b < blocks; b++) {
      const mono = b * 10 * MIN + 3 * MIN;
      const v = conditionValueAt(withDrop, 'vibration', mono, streams);
      if (v === 0) dead++;
      else expect(v).toBe(conditionValueAt(without, 'vibration', mono, streams));
      // A dropout lasts the whole block.
      expect(conditionValueAt(withDrop, 'vibration', mono + 6 * MIN, streams) === 0).toBe(v === 0);
    }
    expect(dead / blocks).toBeGreaterThan(0.17);
    expect(dead / blocks).toBeLessThan(0.23);
  });
});
