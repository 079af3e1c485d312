/**
 * Weibull fit of times between failures (maximum likelihood) and the conditional failure
 * probability it implies. Shape > 1 means wear-out: the longer since the last repair, the likelier
 * a failure soon; shape ~ 1 means failures are random and age tells nothing.
 */

export interface WeibullFit {
  readonly shape: number;
  /** Scale (characteristic life), same unit as the data. */
  readonly scale: number;
  readonly n: number;
}

/** MLE by Newton iterations on the shape; undefined for fewer than 3 positive values. */
export function fitWeibull(values: readonly number[]): WeibullFit | undefined {
  const xs = values.filter((v) => v > 0 && Number.isFinite(v));
  const n = xs.length;
  if (n < 3) return undefined;
  const maxX = Math.max(...xs);
  const t = xs.map((v) => v / maxX); // scale-free for numerical stability
  const logs = t.map((v) => Math.log(v));
  const meanLog = logs.reduce((s, v) => s + v, 0) / n;
  let k = 1.2;
  for (let iter = 0; iter < 100; iter++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const tk = Math.pow(t[i] as number, k);
      const l = logs[i] as number;
      s0 += tk;
      s1 += tk * l;
      s2 += tk * l * l;
    }
    const f = s1 / s0 - 1 / k - meanLog;
    const df = (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (k * k);
    const next = Math.min(50, Math.max(0.05, k - f / df));
    if (Math.abs(next - k) < 1e-9) {
      k = next;
      break;
    }
    k = next;
  }
  let s0 = 0;
  for (const v of t) s0 += Math.pow(v, k);
  const scale = maxX * Math.pow(s0 / n, 1 / k);
  // Small samples overstate the shape (MLE bias ~ n/(n-2)); correct so random failures do not look like wear.
  const shape = n > 2 ? (k * (n - 2)) / n : k;
  return { shape, scale, n };
}

/** P(failure within `horizon` | survived `age`). */
export function conditionalFailureProbability(fit: WeibullFit, age: number, horizon: number): number {
  const a = Math.pow(Math.max(0, age) / fit.scale, fit.shape);
  const b = Math.pow((Math.max(0, age) + horizon) / fit.scale, fit.shape);
  return 1 - Math.exp(a - b);
}

/** Remaining life r such that P(failure within r | survived age) = q. */
export function residualLifeQuantile(fit: WeibullFit, age: number, q: number): number {
  const a = Math.pow(Math.max(0, age) / fit.scale, fit.shape);
  return fit.scale * Math.pow(a - Math.log(1 - q), 1 / fit.shape) - Math.max(0, age);
}
