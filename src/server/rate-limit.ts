/**
 * A tiny token bucket per client address for the POST routes (operator actions and login), so
 * a stuck script or a token-guessing loop cannot flood the core or the log. In memory, bounded:
 * idle buckets are forgotten and at most `maxKeys` are kept.
 */
export interface RateLimitOptions {
  /** Requests allowed in a burst. */
  readonly burst: number;
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Buckets kept at most (oldest forgotten first); default 10,000. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /**
   * Takes `cost` tokens for `key` at monotonic time `nowMs`. Returns 0 when allowed, else the
   * seconds until enough tokens are back (for Retry-After).
   */
  take(key: string, nowMs: number, cost = 1): number {
    const bucket = this.refill(key, nowMs);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - bucket.tokens) / this.options.perSecond));
  }

  /** Takes tokens whether or not there are enough (a failed login costs extra, even when already limited). */
  penalize(key: string, nowMs: number, cost: number): void {
    const bucket = this.refill(key, nowMs);
    bucket.tokens = Math.max(-this.options.burst, bucket.tokens - cost);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
      bucket = { tokens: this.options.burst, atMs: nowMs };
    } else {
      this.buckets.delete(key); // re-insert: Map order is then least recently used first
      const elapsedS = Math.max(0, nowMs - bucket.atMs) / 1000;
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + elapsedS * this.options.perSecond);
      bucket.atMs = nowMs;
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
