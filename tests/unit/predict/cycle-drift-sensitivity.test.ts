/**
 * The statistics behind cycle drift on stations with only a part counter: trimmed subgroup
 * means, serial correlation (lag-1 autocorrelation and the AR(1) widening of EWMA and CUSUM
 * limits), and cycles timed from the end of a wait. Deterministic input: a seeded generator.
 */
import { describe, expect, it } from 'vitest';
import type { CycleEvent, StationState } from '../../../src/core/events.js';
import { CycleDriftDetector } from '../../../src/predict/detectors/cycle-drift.js';
import { PRESETS } from '../../../src/predict/presets.js';
import {
  ewmaVariance,
  lag1Autocorrelation,
  longRunVarianceFactor,
  MAX_RHO,
} from '../../../src/predict/stats/autocorrelation.js';
import { NumberRing } from '../../../src/predict/stats/ring.js';
import { trimmedMean } from '../../../src/predict/stats/trimmed.js';

/** mulberry32 + Box-Muller: a small seeded normal generator. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function ringOf(values: readonly number[]): NumberRing {
  const ring = new NumberRing(values.length);
  for (const v of values) ring.push(v);
  return ring;
}

function ar1(n: number, phi: number, seed: number): number[] {
  const z = normals(seed);
  const out: number[] = [];
  let e = z();
  for (let i = 0; i < n; i++) {
    e = phi * e + Math.sqrt(1 - phi * phi) * z();
    out.push(e);
  }
  return out;
}

describe('trimmed mean', () => {
  it('ignores one cycle that hid a short stop, follows a slowdown of every cycle', () => {
    const cycles = Array.from({ length: 30 }, (_, i) => 12_000 + (i % 3) * 100);
    const plain = trimmedMean(Float64Array.from(cycles), 30, 0);
    const withStop = Float64Array.from(cycles.map((c, i) => (i === 7 ? c + 9_000 : c)));
    expect(trimmedMean(withStop, 30, 0) - plain).toBeCloseTo(300, 0);
    expect(Math.abs(trimmedMean(withStop, 30, 0.1) - plain)).toBeLessThan(40);
    const slower = Float64Array.from(cycles.map((c) => c * 1.03));
    expect(trimmedMean(slower, 30, 0.1) / trimmedMean(Float64Array.from(cycles), 30, 0.1)).toBeCloseTo(1.03, 6);
  });
});

describe('serial correlation', () => {
  it('estimates the lag-1 autocorrelation of an AR(1) series and clamps negative ones to 0', () => {
    expect(lag1Autocorrelation(ringOf(ar1(2000, 0.6, 1)))).toBeGreaterThan(0.55);
    expect(lag1Autocorrelation(ringOf(ar1(2000, 0.6, 1)))).toBeLessThan(0.65);
    expect(lag1Autocorrelation(ringOf(ar1(2000, 0, 2)))).toBeLessThan(0.05);
    expect(lag1Autocorrelation(ringOf(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 1 : -1))))).toBe(0);
    expect(lag1Autocorrelation(ringOf(ar1(2000, 0.99, 3)))).toBe(MAX_RHO);
    expect(lag1Autocorrelation(ringOf([1, 2]))).toBe(0);
  });

  it('widens the EWMA and CUSUM limits by the AR(1) factors', () => {
    expect(ewmaVariance(0.2, 0)).toBeCloseTo(0.2 / 1.8, 12);
    expect(ewmaVariance(0.2, 0.6)).toBeCloseTo((0.2 / 1.8) * (1.48 / 0.52), 12);
    expect(longRunVarianceFactor(0)).toBe(1);
    expect(longRunVarianceFactor(0.6)).toBeCloseTo(4, 12);
    // The EWMA formula against a simulated AR(1) series.
    const xs = ar1(200_000, 0.6, 4);
    let ewma = 0;
    let sum2 = 0;
    for (const x of xs) {
      ewma = 0.2 * x + 0.8 * ewma;
      sum2 += ewma * ewma;
    }
    expect(sum2 / xs.length / ewmaVariance(0.2, 0.6)).toBeGreaterThan(0.95);
    expect(sum2 / xs.length / ewmaVariance(0.2, 0.6)).toBeLessThan(1.05);
  });
});

/** Drives a CycleDriftDetector with medium tuning on a fake clock. */
class Chart {
  readonly detector = new CycleDriftDetector(PRESETS.medium.cycleDrift, 12_000);
  now = Date.UTC(2025, 0, 6, 6);
  seq = 0;
  signals: number[] = [];
  subgroups = 0;

  cycle(ms: number, cycleTimeMs: number | undefined = ms): void {
    this.now += ms;
    const e: CycleEvent = {
      type: 'cycle',
      id: `s-${this.seq}`,
      line: 'l',
      station: 's',
      seq: this.seq++,
      ts: this.now,
      good: true,
      ...(cycleTimeMs !== undefined ? { cycleTimeMs } : {}),
    };
    const v = this.detector.onCycle(e);
    if (v === undefined) return;
    this.subgroups++;
    if (typeof v === 'object') this.signals.push(this.subgroups);
  }

  state(state: StationState): void {
    this.detector.onState(state, this.now);
  }
}

const SUBGROUP = PRESETS.medium.cycleDrift.subgroupSize;

describe('cycle drift at medium', () => {
  it('detects a 3 % slowdown after warm-up within 6 subgroups', () => {
    const chart = new Chart();
    const z = normals(11);
    // 3 % cycle-to-cycle noise: about 0.55 % on a subgroup mean.
    for (let i = 0; i < 200 * SUBGROUP; i++) chart.cycle(Math.round(12_000 * (1 + 0.03 * z())));
    expect(chart.signals).toEqual([]);
    const before = chart.subgroups;
    for (let i = 0; i < 6 * SUBGROUP; i++) chart.cycle(Math.round(12_000 * 1.03 * (1 + 0.03 * z())));
    expect(chart.signals.length).toBeGreaterThan(0);
    expect((chart.signals[0] as number) - before).toBeLessThanOrEqual(6);
  });

  it('stays quiet on a process that wanders (AR(1) subgroup levels, phi 0.6) over 1000 subgroups', () => {
    const chart = new Chart();
    const z = normals(12);
    // Each subgroup's level is an AR(1) series with a 0.6 % standard deviation (material
    // batches, temperature), plus 3 % independent noise per cycle.
    const levels = ar1(1000, 0.6, 13);
    for (const level of levels)
      for (let i = 0; i < SUBGROUP; i++) chart.cycle(Math.round(12_000 * (1 + 0.006 * level) * (1 + 0.03 * z())));
    expect(chart.subgroups).toBeGreaterThanOrEqual(999);
    expect(chart.signals).toEqual([]);
  });

  it('times the cycle after a wait from the end of the wait', () => {
    const chart = new Chart();
    // The station waits 20 s for a part before every other cycle: its count-to-count cycle time
    // is 32 s then, beyond twice the ideal; its processing time is still 12 s.
    for (let i = 0; i < 100 * SUBGROUP; i++) {
      if (i % 2 === 0) {
        chart.state('starved');
        chart.now += 20_000;
        chart.state('running');
        chart.cycle(12_000, 32_000);
      } else chart.cycle(12_000);
    }
    expect(chart.subgroups).toBeGreaterThanOrEqual(99);
    const baseline = chart.detector.checkpoint().baseline;
    expect(baseline.length).toBeGreaterThan(0);
    expect(baseline.every((m) => m === 12_000)).toBe(true);
  });
});
