/**
 * Time distributions of a scenario (cycle times, stop durations, MTBF, MTTR), already converted
 * to milliseconds by the scenario schema. Samples are rounded to whole milliseconds: the
 * simulation clock ticks in integer ms so runs are exact and reproducible.
 */
import type { Prng } from './prng.js';

export type TimeDist =
  | {
      readonly kind: 'fixed';
      readonly valueMs: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    }
  | {
      readonly kind: 'exponential';
      readonly meanMs: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    }
  | {
      readonly kind: 'lognormal';
      readonly meanMs: number;
      readonly cv: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    }
  | {
      readonly kind: 'normal';
      readonly meanMs: number;
      readonly sdMs: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    }
  | {
      readonly kind: 'uniform';
      readonly lowMs: number;
      readonly highMs: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    }
  | {
      readonly kind: 'weibull';
      readonly shape: number;
      readonly meanMs: number;
      readonly offsetMs: number;
      readonly minMs?: number;
      readonly maxMs?: number;
    };

/** Lanczos approximation of the gamma function (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function gamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

/** A raw draw in ms (before offset, clamps and rounding). */
function draw(dist: TimeDist, prng: Prng): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs;
    case 'exponential':
      return -dist.meanMs * Math.log(prng.nextOpen());
    case 'lognormal': {
      if (dist.cv === 0) return dist.meanMs;
      // Parameters from mean m and coefficient of variation cv: sigma^2 = ln(1 + cv^2), mu = ln m - sigma^2 / 2.
      const sigma2 = Math.log(1 + dist.cv * dist.cv);
      const mu = Math.log(dist.meanMs) - sigma2 / 2;
      return Math.exp(mu + Math.sqrt(sigma2) * prng.nextNormal());
    }
    case 'normal':
      return dist.meanMs + dist.sdMs * prng.nextNormal();
    case 'uniform':
      return dist.lowMs + (dist.highMs - dist.lowMs) * prng.next();
    case 'weibull': {
      const scale = dist.meanMs / gamma(1 + 1 / dist.shape);
      return scale * Math.pow(-Math.log(prng.nextOpen()), 1 / dist.shape);
    }
  }
}

/** One sample in whole milliseconds, never below `floorMs` (default 0). */
export function sampleMs(dist: TimeDist, prng: Prng, floorMs = 0): number {
  let value = draw(dist, prng) + dist.offsetMs;
  if (dist.minMs !== undefined && value < dist.minMs) value = dist.minMs;
  if (dist.maxMs !== undefined && value > dist.maxMs) value = dist.maxMs;
  return Math.max(floorMs, Math.round(value));
}

/**
 * Expected value in ms of the unclamped distribution (offset included): what the statistics
 * tests compare the simulated means against. min/max clamps are not accounted for.
 */
export function meanMs(dist: TimeDist): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.valueMs + dist.offsetMs;
    case 'uniform':
      return (dist.lowMs + dist.highMs) / 2 + dist.offsetMs;
    default:
      return dist.meanMs + dist.offsetMs;
  }
}

/** Standard deviation in ms of the unclamped distribution. */
export function stdDevMs(dist: TimeDist): number {
  switch (dist.kind) {
    case 'fixed':
      return 0;
    case 'exponential':
      return dist.meanMs;
    case 'lognormal':
      return dist.meanMs * dist.cv;
    case 'normal':
      return dist.sdMs;
    case 'uniform':
      return (dist.highMs - dist.lowMs) / Math.sqrt(12);
    case 'weibull': {
      const scale = dist.meanMs / gamma(1 + 1 / dist.shape);
      const g1 = gamma(1 + 1 / dist.shape);
      const g2 = gamma(1 + 2 / dist.shape);
      return scale * Math.sqrt(g2 - g1 * g1);
    }
  }
}
