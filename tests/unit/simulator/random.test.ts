import { describe, expect, it } from 'vitest';
import { gamma, meanMs, sampleMs, stdDevMs, type TimeDist } from '../../../simulator/random/distributions.js';
import { Prng, PrngStreams } from '../../../simulator/random/prng.js';

const draws = (p: Prng, n: number) => Array.from({ length: n }, () => p.nextUint32());

describe('seeded PRNG streams', () => {
  it('the same seed and name give the same sequence; another seed does not', () => {
    expect(draws(new PrngStreams(42).stream('press/cycle'), 5)).toEqual(
      draws(new PrngStreams(42).stream('press/cycle'), 5),
    );
    expect(draws(new PrngStreams(43).stream('press/cycle'), 5)).not.toEqual(
      draws(new PrngStreams(42).stream('press/cycle'), 5),
    );
  });

  it('streams are independent: using one never shifts another', () => {
    const a = new PrngStreams(7);
    const untouched = draws(a.stream('weld/cycle'), 5);
    const b = new PrngStreams(7);
    draws(b.stream('press/cycle'), 1000);
    expect(draws(b.stream('weld/cycle'), 5)).toEqual(untouched);
    expect(draws(a.stream('press/cycle'), 5)).not.toEqual(untouched);
  });

  it('uniform draws are in [0, 1) with the right mean', () => {
    const p = new Prng(1);
    let sum = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = p.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    // standard error of the mean of U(0,1): sqrt(1/12/n) ~ 0.0009; allow 5 standard errors.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
  });

  it('counter-based noise is a pure function of (seed, name, index)', () => {
    const s = new PrngStreams(9);
    expect(s.normalAt(123, 77)).toBe(new PrngStreams(9).normalAt(123, 77));
    expect(s.normalAt(123, 78)).not.toBe(s.normalAt(123, 77));
  });
});

describe('time distributions', () => {
  it('gamma matches known values', () => {
    expect(gamma(5)).toBeCloseTo(24, 10);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 10);
    expect(gamma(1 + 1 / 1.5)).toBeCloseTo(0.9027452929509336, 10);
  });

  const cases: [string, TimeDist][] = [
    ['exponential 1 h', { kind: 'exponential', meanMs: 3_600_000, offsetMs: 0 }],
    ['lognormal 30 s cv 0.5', { kind: 'lognormal', meanMs: 30_000, cv: 0.5, offsetMs: 0 }],
    ['lognormal excess over 12 s', { kind: 'lognormal', meanMs: 800, cv: 0.5, offsetMs: 12_000 }],
    ['weibull shape 1.5 mean 70 min', { kind: 'weibull', shape: 1.5, meanMs: 4_200_000, offsetMs: 0 }],
    ['normal 19 s sd 1 s', { kind: 'normal', meanMs: 19_000, sdMs: 1_000, offsetMs: 0 }],
    ['uniform 10..40 s', { kind: 'uniform', lowMs: 10_000, highMs: 40_000, offsetMs: 0 }],
  ];
  it.each(cases)('%s: sample mean within 5 standard errors of the declared mean', (_name, dist) => {
    const p = new Prng(2024);
    const n = 40_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sampleMs(dist, p);
    const se = stdDevMs(dist) / Math.sqrt(n);
    // +0.5 ms: draws are rounded to whole milliseconds.
    expect(Math.abs(sum / n - meanMs(dist))).toBeLessThan(5 * se + 0.5);
  });

  it('clamps apply and samples never go below the floor', () => {
    const p = new Prng(3);
    for (let i = 0; i < 1000; i++) {
      const v = sampleMs({ kind: 'normal', meanMs: 100, sdMs: 1000, offsetMs: 0, minMs: 50, maxMs: 150 }, p);
      expect(v).toBeGreaterThanOrEqual(50);
      expect(v).toBeLessThanOrEqual(150);
      expect(sampleMs({ kind: 'normal', meanMs: 0, sdMs: 1000, offsetMs: 0 }, p, 1)).toBeGreaterThanOrEqual(1);
    }
  });
});
