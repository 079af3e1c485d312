/**
 * Trimmed mean: the mean of the values left after dropping the `trim` share at each end. A
 * subgroup of cycles may hold a cycle that hid a short stop (seconds long, unseen between two
 * polls): one such cycle moves a plain mean of 30 by several percent, the trimmed mean hardly at
 * all, while a slowdown of every cycle moves both alike.
 */

/** Sorts `values[0..n)` in place and returns their trimmed mean; trim 0 gives the plain mean. */
export function trimmedMean(values: Float64Array, n: number, trim: number): number {
  if (n <= 0) return Number.NaN;
  const part = values.subarray(0, n);
  part.sort();
  const cut = Math.min(Math.floor(n * trim), (n - 1) >> 1);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += part[i] as number;
  return sum / (n - 2 * cut);
}
