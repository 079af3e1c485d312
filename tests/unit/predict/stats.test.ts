import { describe, expect, it } from 'vitest';
import { poissonUpperTail } from '../../../src/predict/stats/poisson.js';
import { fitLine, normalQuantile, studentTQuantile } from '../../../src/predict/stats/regression.js';
import { robustOf } from '../../../src/predict/stats/robust.js';
import { NumberRing } from '../../../src/predict/stats/ring.js';
import { conditionalFailureProbability, fitWeibull, residualLifeQuantile } from '../../../src/predict/stats/weibull.js';

describe('statistics behind the detectors', () => {
  it.each([
    [0, 3, 1],
    [1, 2, 1 - Math.exp(-2)],
    [5, 2, 1 - Math.exp(-2) * (1 + 2 + 2 + 4 / 3 + 2 / 3)],
    [20, 2, 6.4437e-14],
  ])('Poisson P(X >= %i | mean %f)', (k, mean, expected) => {
    const p = poissonUpperTail(k, mean);
    expect(Math.abs(p - expected) / Math.max(expected, 1e-300)).toBeLessThan(0.05);
  });

  it('Poisson tail is monotone in k and stable for large means', () => {
    let prev = 1;
    for (let k = 0; k < 300; k += 10) {
      const p = poissonUpperTail(k, 150);
      expect(p).toBeLessThanOrEqual(prev + 1e-12);
      prev = p;
    }
    expect(poissonUpperTail(150, 150)).toBeGreaterThan(0.45);
    expect(poissonUpperTail(150, 150)).toBeLessThan(0.55);
  });

  it('least squares recovers slope and its standard error shrinks with clean data', () => {
    const x = Array.from({ length: 50 }, (_, i) => i);
    const y = x.map((v, i) => 3 + 0.5 * v + 0.01 * Math.sin(i * 7));
    const fit = fitLine(x, y, 50);
    expect(fit?.slope).toBeCloseTo(0.5, 3);
    expect(fit?.intercept).toBeCloseTo(3, 1);
    expect(fit?.slopeSe).toBeLessThan(1e-3);
    expect(fitLine([1, 1, 1], [1, 2, 3], 3)).toBeUndefined();
  });

  it('normal and Student-t quantiles match tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.95996, 4);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.64485, 4);
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.812, 2);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 2);
  });

  it('median and MAD ignore a wild value', () => {
    const r = robustOf([10, 11, 9, 10, 10.5, 9.5, 1000]);
    expect(r.median).toBe(10);
    expect(r.sigma).toBeLessThan(1.5);
  });

  it('the ring keeps the newest values without growing', () => {
    const ring = new NumberRing(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.pop()).toBe(5);
    expect(ring.shift()).toBe(3);
    expect(ring.toArray()).toEqual([4]);
  });

  it('Weibull fit tells wear-out from random failures', () => {
    // Quantiles of Weibull(shape 4, scale 40) and of an exponential (shape 1, scale 40).
    const n = 30;
    const wear = Array.from({ length: n }, (_, i) => 40 * Math.pow(-Math.log(1 - (i + 0.5) / n), 1 / 4));
    const random = Array.from({ length: n }, (_, i) => 40 * -Math.log(1 - (i + 0.5) / n));
    const w = fitWeibull(wear);
    const r = fitWeibull(random);
    expect(w?.shape).toBeGreaterThan(3);
    expect(w?.scale).toBeGreaterThan(36);
    expect(w?.scale).toBeLessThan(44);
    expect(r?.shape).toBeGreaterThan(0.8);
    expect(r?.shape).toBeLessThan(1.2);
    const fit = w as NonNullable<typeof w>;
    // Older parts are likelier to fail within the next 5 units.
    expect(conditionalFailureProbability(fit, 38, 5)).toBeGreaterThan(conditionalFailureProbability(fit, 10, 5) * 5);
    expect(residualLifeQuantile(fit, 30, 0.1)).toBeLessThan(residualLifeQuantile(fit, 30, 0.9));
  });
});
