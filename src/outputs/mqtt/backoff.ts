/**
 * Capped exponential backoff with jitter for reconnecting to the broker (pure). mqtt.js only
 * retries at a fixed `reconnectPeriod`; after a plant-wide broker restart, hundreds of agents
 * retrying in lockstep would hit it together, so each delay is drawn from [d/2, d] where
 * d = min(max, min * 2^attempt).
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    /** Uniform [0, 1); injected so tests are deterministic. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, ms; each call counts one failed attempt. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const jittered = ceiling / 2 + (ceiling / 2) * this.random();
    return Math.max(1, Math.round(Math.max(Math.min(this.minMs, ceiling), jittered)));
  }

  /** After a connection that stayed up: start again from the minimum. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
