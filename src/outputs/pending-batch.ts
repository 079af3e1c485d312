/**
 * The items a spooled-output runner has read and not yet delivered, with the spool id of each:
 * what a partial delivery (a streaming destination's progress, a rate-limited slice) may release.
 */
export class PendingBatch<P> {
  private items: P[] = [];
  private ids: number[] = [];
  /** When the oldest item was read (the runner's monotonic ms): a small batch waits from then. */
  firstAt = 0;

  get length(): number {
    return this.items.length;
  }

  add(item: P, id: number, now: number): void {
    if (this.items.length === 0) this.firstAt = now;
    this.items.push(item);
    this.ids.push(id);
  }

  /** A copy of `count` items from `from` (a copy: more items arrive while a send is under way). */
  range(from: number, count: number): readonly P[] {
    return this.items.slice(from, from + count);
  }

  /** Spool id of the `n`-th item (1-based): the row up to which `n` delivered items release. */
  idThrough(n: number): number {
    return this.ids[n - 1] ?? 0;
  }

  /** Drops the first `n` items; returns the spool id the last of them had (0 when none). */
  shift(n: number): number {
    if (n <= 0) return 0;
    const lastId = this.idThrough(Math.min(n, this.ids.length));
    if (n >= this.items.length) {
      this.items = [];
      this.ids = [];
    } else {
      this.items = this.items.slice(n);
      this.ids = this.ids.slice(n);
    }
    return lastId;
  }
}
