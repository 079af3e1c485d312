/**
 * Robust location and scale: median and MAD (scaled to a normal sigma). Baselines use them so a
 * few wild values (a cycle that hid a stop, a sensor spike) do not move the reference.
 */
import type { NumberRing } from './ring.js';

/** Consistency constant: 1.4826 x MAD estimates sigma for normal data. */
export const MAD_TO_SIGMA = 1.4826;

export interface RobustEstimate {
  readonly median: number;
  readonly sigma: number;
  readonly n: number;
}

export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median and MAD-sigma of the ring's values (allocates one scratch array: called per subgroup, not per sample). */
export function robustOf(values: NumberRing | readonly number[]): RobustEstimate {
  const n = values.length;
  if (n === 0) return { median: Number.NaN, sigma: Number.NaN, n: 0 };
  const a = new Float64Array(n);
  if (Array.isArray(values)) for (let i = 0; i < n; i++) a[i] = values[i] as number;
  else for (let i = 0; i < n; i++) a[i] = (values as NumberRing).at(i);
  a.sort();
  const m = median(a);
  for (let i = 0; i < n; i++) a[i] = Math.abs((a[i] as number) - m);
  a.sort();
  return { median: m, sigma: MAD_TO_SIGMA * median(a), n };
}
