/**
 * What a spooled-output runner has read from the spool and not yet delivered, with the spool id
 * of each item, and how far the destination's cursor may move: past delivered items at once
 * (a streaming destination's progress, a rate-limited slice), past skipped rows once nothing
 * before them is pending.
 */
import type { SpoolCursor, SpoolRow } from './spool/index.js';

/** Rows looked at per fill at least, before yielding: skipping a long run must not stall the loop. */
const MIN_SCAN_BUDGET = 5_000;
/**
 * Rows read from the spool at a time. A read's rows are garbage as soon as they are converted;
 * read 5,000 at once, they outlived a young-generation collection and were promoted.
 */
const READ_CHUNK = 500;

export class PendingBatch<P> {
  private items: P[] = [];
  private ids: number[] = [];
  /** Every row up to here is pending or was skipped. */
  private scannedTo: number;
  private readonly scanBudget: number;
  /** When the oldest item was read (the runner's monotonic ms): a small batch waits from then. */
  firstAt = 0;

  constructor(
    private readonly cursor: SpoolCursor,
    private readonly convert: (row: SpoolRow) => P | undefined,
    batchSize: number,
  ) {
    this.scannedTo = cursor.acked;
    this.scanBudget = Math.max(MIN_SCAN_BUDGET, 4 * batchSize);
  }

  get length(): number {
    return this.items.length;
  }

  /** Every row up to this id was read (pending or skipped). */
  get scanned(): number {
    return this.scannedTo;
  }

  /**
   * Reads committed rows after the cursor until `capacity` items are pending; true when it read
   * to the end of what is committed, false when full or the scan budget ran out.
   */
  fill(capacity: number, now: number): boolean {
    let scanned = 0;
    while (this.items.length < capacity) {
      if (scanned >= this.scanBudget) return false;
      const limit = Math.min(capacity - this.items.length, READ_CHUNK);
      const { rows, scannedTo } = this.cursor.next(limit);
      scanned += rows.length;
      for (const row of rows) {
        const item = this.convert(row);
        if (item === undefined) continue;
        if (this.items.length === 0) this.firstAt = now;
        this.items.push(item);
        this.ids.push(row.id);
      }
      this.scannedTo = Math.max(this.scannedTo, scannedTo);
      if (rows.length < limit) return true;
    }
    return false;
  }

  /** A copy of `count` items from `from` (a copy: more items arrive while a send is under way). */
  range(from: number, count: number): readonly P[] {
    return this.items.slice(from, from + count);
  }

  /** The first `n` items are delivered: the spool may release them (they stay pending). */
  releaseThrough(n: number): void {
    if (n > 0) this.release(this.ids[Math.min(n, this.ids.length) - 1] ?? 0);
  }

  /** The first `n` items are done with (delivered or dropped): forgets and releases them. */
  shift(n: number): void {
    if (n <= 0) return;
    this.releaseThrough(n);
    this.items = this.items.slice(n);
    this.ids = this.ids.slice(n);
  }

  /** With nothing pending, every scanned row is done with. */
  acknowledge(): void {
    if (this.items.length === 0) this.release(this.scannedTo);
  }

  private release(id: number): void {
    if (id > this.cursor.acked) this.cursor.ack(id);
  }
}
