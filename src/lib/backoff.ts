/**
 * The one retry delay of the agent: Modbus reconnects, the MQTT broker, InfluxDB writes and
 * webhooks all wait by it. Exponential from `initialMs`, capped at `maxMs`, with "equal jitter":
 * half of each step fixed, half random, so many agents (or many devices behind one gateway) that
 * lost the same peer do not all come back in the same millisecond; never below `initialMs`, so a
 * configured minimum is a minimum. Pure: the random source is injected.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of every delay, ms. */
  readonly maxMs: number;
}

/** First delay where a config gives only the cap (Modbus `backoffMax`): shorter than a typical poll. */
export const DEFAULT_BACKOFF_INITIAL_MS = 250;

/** Delay before retry number `attempt` (1 = the first retry), ms. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.max(1, policy.maxMs);
  const initial = Math.min(Math.max(1, policy.initialMs), cap);
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const step = Math.min(cap, initial * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(Math.max(initial, step / 2 + (step / 2) * r));
}

/** The same delays for a retry loop that counts its own attempts. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    /** Uniform [0, 1); injected so tests are deterministic. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, ms; each call counts one failed attempt. */
  next(): number {
    this.attempt += 1;
    return backoffDelayMs(this.attempt, this.policy, this.random);
  }

  /** After a success (a connection that stayed up, a batch written): start again from the minimum. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
