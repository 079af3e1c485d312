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

  /** `burst`: default a tenth of a second's worth (at least one). */
  constructor(
    private readonly perSecond: number,
    nowMono: number,
    burst?: number,
  ) {
    this.burst = Math.max(1, burst ?? Math.ceil(perSecond / 10));
    this.tokens = this.burst;
    this.lastMono = nowMono;
  }

  private refill(nowMono: number): void {
    const elapsed = Math.max(0, nowMono - this.lastMono);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.lastMono = nowMono;
  }

  /**
   * Takes as many whole tokens as are available, `want` at most; returns how many. With `atLeast`,
   * takes none unless that many are there (a caller that batches does not wake for one at a time).
   */
  takeUpTo(want: number, nowMono: number, atLeast = 1): number {
    this.refill(nowMono);
    const available = Math.floor(this.tokens + EPSILON);
    if (available < Math.min(want, atLeast)) return 0;
    const taken = Math.max(0, Math.min(want, available));
    this.tokens -= taken;
    return taken;
  }

  /** Ms until `count` tokens (one by default, at most a burst) are available (0 if they are). */
  waitMs(nowMono: number, count = 1): number {
    this.refill(nowMono);
    const need = Math.min(count, this.burst);
    return this.tokens >= need - EPSILON ? 0 : Math.ceil(((need - this.tokens) * 1000) / this.perSecond);
  }
}
