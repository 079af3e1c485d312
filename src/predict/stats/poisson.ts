/**
 * Poisson tail probabilities, for "is this count surprising given the station's own rate?".
 * Summed in log space so large means and counts neither overflow nor underflow.
 */

/** ln(k!) by summation for small k, Stirling's series beyond. */
export function logFactorial(k: number): number {
  if (k < 2) return 0;
  if (k < 64) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** P(X >= k) for X ~ Poisson(mean). */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (!(mean > 0)) return 0;
  // P(X >= k) = 1 - P(X <= k-1); for k well above the mean sum the upper terms directly (accuracy).
  if (k > mean) {
    let term = Math.exp(-mean + k * Math.log(mean) - logFactorial(k));
    let sum = 0;
    for (let i = k; i < k + 1000; i++) {
      sum += term;
      term *= mean / (i + 1);
      if (term < sum * 1e-15) break;
    }
    return Math.min(1, sum);
  }
  let term = Math.exp(-mean);
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= mean / (i + 1);
  }
  return Math.max(0, 1 - cdf);
}
