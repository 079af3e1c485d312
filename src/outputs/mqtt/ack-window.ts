/**
 * Tracks publishes in flight and tells how far the spool cursor may move (pure).
 *
 * Rows are published in id order; completions (PUBACK for QoS 1/2, the socket write for QoS 0)
 * can arrive in any order. The cursor may only move to just below the oldest row still in
 * flight: a row is released when it and every row before it completed. Rows the publisher reads
 * but does not send (samples it does not publish, unchanged values) are covered by `scanned`.
 *
 * Two counts bound the window separately: QoS >= 1 messages awaiting PUBACK (the broker's
 * receive window) and QoS 0 messages awaiting their socket write (our own send buffer), because
 * a QoS 0 write completes in microseconds and a PUBACK takes a round trip.
 */
export type Completion = 'puback' | 'write';

export class AckWindow {
  /** In flight, in publish (= id) order: id -> completed. Maps iterate in insertion order. */
  private readonly entries = new Map<number, boolean>();
  private pendingPuback = 0;
  private pendingWrite = 0;
  private readonly kindOf = new Map<number, Completion>();
  private scannedThrough: number;

  constructor(releasedThrough: number) {
    this.scannedThrough = releasedThrough;
  }

  /** Messages awaiting a PUBACK. */
  get awaitingPuback(): number {
    return this.pendingPuback;
  }

  /** QoS 0 messages not yet written to the socket. */
  get awaitingWrite(): number {
    return this.pendingWrite;
  }

  /** Rows from the oldest incomplete one to the newest sent (what a reconnect would resend). */
  get span(): number {
    return this.entries.size;
  }

  /** Incomplete messages of either kind. */
  get inFlight(): number {
    return this.pendingPuback + this.pendingWrite;
  }

  /** A row was published; ids must increase. */
  add(id: number, completion: Completion): void {
    this.entries.set(id, false);
    this.kindOf.set(id, completion);
    if (completion === 'puback') this.pendingPuback += 1;
    else this.pendingWrite += 1;
    if (id > this.scannedThrough) this.scannedThrough = id;
  }

  /** Every row up to `id` was read (sent or deliberately skipped). */
  scanned(id: number): void {
    if (id > this.scannedThrough) this.scannedThrough = id;
  }

  /** `id` completed. Unknown or repeated ids (from a previous connection) are ignored. */
  completed(id: number): void {
    if (this.entries.get(id) !== false) return;
    this.entries.set(id, true);
    if (this.kindOf.get(id) === 'puback') this.pendingPuback -= 1;
    else this.pendingWrite -= 1;
    for (const [first, done] of this.entries) {
      if (!done) break;
      this.entries.delete(first);
      this.kindOf.delete(first);
    }
  }

  /** Highest id such that it and every id before it is done. */
  releasable(): number {
    for (const first of this.entries.keys()) return first - 1;
    return this.scannedThrough;
  }

  /** Connection lost: nothing is in flight any more; sending resumes after `releasedThrough`. */
  reset(releasedThrough: number): void {
    this.entries.clear();
    this.kindOf.clear();
    this.pendingPuback = 0;
    this.pendingWrite = 0;
    this.scannedThrough = releasedThrough;
  }
}
