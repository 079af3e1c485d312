/**
 * Token bucket for the publish rate (pure; time comes from the caller's monotonic clock). Keeps a
 * drained backlog from saturating the broker and the plant network: at most `perSecond` messages
 * a second, with bursts of up to a tenth of a second's worth.
 */
/** Refills add fractions of a token; without a tolerance ten 0.1s would not make one. */
const EPSILON = 1e-9;

export class RateLimiter {
  private tokens: number;
  private lastMono: number;
  private readonly burst: number;

  constructor(
    private readonly perSecond: number,
    nowMono: number,
  ) {
    this.burst = Math.max(1, Math.ceil(perSecond / 10));
    this.tokens = this.burst;
    this.lastMono = nowMono;
  }

  private refill(nowMono: number): void {
    const elapsed = Math.max(0, nowMono - this.lastMono);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.lastMono = nowMono;
  }

  /** Takes one token if available. */
  tryTake(nowMono: number): boolean {
    this.refill(nowMono);
    if (this.tokens < 1 - EPSILON) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until one token is available (0 if one is). */
  waitMs(nowMono: number): number {
    this.refill(nowMono);
    return this.tokens >= 1 - EPSILON ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
