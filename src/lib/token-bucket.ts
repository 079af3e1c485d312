/**
 * Token bucket for a delivery rate (pure; time comes from the caller's monotonic clock). Keeps a
 * drained backlog from saturating a broker and the plant network: at most `perSecond` items a
 * second, in bursts of up to a tenth of a second's worth.
 */
/** Refills add fractions of a token; without a tolerance ten 0.1s would not make one. */
const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private lastMono: number;
  /** The most items one burst may take. */
  readonly burst: number;

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
    return this.takeUpTo(1, nowMono) === 1;
  }

  /** Takes as many whole tokens as are available, `want` at most; returns how many. */
  takeUpTo(want: number, nowMono: number): number {
    this.refill(nowMono);
    const taken = Math.max(0, Math.min(want, Math.floor(this.tokens + EPSILON)));
    this.tokens -= taken;
    return taken;
  }

  /** Ms until one token is available (0 if one is). */
  waitMs(nowMono: number): number {
    this.refill(nowMono);
    return this.tokens >= 1 - EPSILON ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
