/**
 * Reconnect and retry delays: exponential, capped, with jitter so that many agents (or many
 * devices behind one gateway) that lost the same PLC do not all come back in the same
 * millisecond. Pure: the random source is injected.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of every delay, ms (the config's `backoffMax`). */
  readonly maxMs: number;
}

/** Default first delay: short enough that a single glitch costs less than a typical poll. */
export const DEFAULT_BACKOFF_INITIAL_MS = 250;

/**
 * Delay before retry number `attempt` (1 = first retry): "equal jitter" — half of the
 * exponential step is fixed, the other half random — so a delay is never below half its step
 * (no hammering) and never above `maxMs`.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.max(0, policy.maxMs);
  const initial = Math.min(Math.max(1, policy.initialMs), cap);
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const step = Math.min(cap, initial * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * r);
}
