/**
 * Serial correlation of a chart's statistic. Control-chart limits assume independent subgroups;
 * real cycle times wander (material batches, oil temperature), so neighbouring subgroup means
 * are alike and the plain limits are too narrow: the chart cries wolf on a process that merely
 * wanders. Under an AR(1) model with lag-1 correlation rho the limits widen by known factors.
 */
import type { NumberRing } from './ring.js';

/** Correlations this high leave too little independent information to chart; clamp to it. */
export const MAX_RHO = 0.9;

/**
 * Lag-1 autocorrelation of the ring's values (oldest first), clamped to [0, MAX_RHO]: a negative
 * estimate would narrow the limits, which noise alone must never do. NaN-free: 0 below 3 values.
 */
export function lag1Autocorrelation(values: NumberRing): number {
  const n = values.length;
  if (n < 3) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values.at(i);
  mean /= n;
  let num = 0;
  let den = 0;
  let prev = values.at(0) - mean;
  den += prev * prev;
  for (let i = 1; i < n; i++) {
    const d = values.at(i) - mean;
    den += d * d;
    num += d * prev;
    prev = d;
  }
  if (!(den > 0)) return 0;
  return Math.min(MAX_RHO, Math.max(0, num / den));
}

/**
 * Variance of an EWMA (weight lambda) of an AR(1) series with unit variance and lag-1 correlation
 * rho, in steady state: lambda / (2 - lambda) x (1 + rho (1 - lambda)) / (1 - rho (1 - lambda)).
 * rho = 0 gives the textbook lambda / (2 - lambda).
 */
export function ewmaVariance(lambda: number, rho: number): number {
  const r = rho * (1 - lambda);
  return (lambda / (2 - lambda)) * ((1 + r) / (1 - r));
}

/**
 * Long-run variance factor of an AR(1) series: the variance of a sum of n values is n sigma^2
 * (1 + rho) / (1 - rho) for large n, i.e. only n (1 - rho) / (1 + rho) values' worth of evidence.
 * A CUSUM accumulates sums, so its sigma grows by the square root of this.
 */
export function longRunVarianceFactor(rho: number): number {
  return (1 + rho) / (1 - rho);
}
