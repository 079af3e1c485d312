/**
 * How far a batch's messages have completed in order (pure). Messages are published with ids
 * 1, 2, 3, ... and complete (PUBACK for QoS 1/2, the socket write for QoS 0) in any order; the
 * spool may release a message only when it and every one before it completed.
 */
export class AckWindow {
  /** Completed ids past the contiguous prefix. */
  private readonly ahead = new Set<number>();
  private prefix: number;

  constructor(completedThrough: number) {
    this.prefix = completedThrough;
  }

  /** `id` completed; repeated or already covered ids change nothing. */
  completed(id: number): void {
    if (id <= this.prefix) return;
    if (id === this.prefix + 1)
      this.prefix = id; // the usual case: in order
    else this.ahead.add(id);
    while (this.ahead.delete(this.prefix + 1)) this.prefix += 1;
  }

  /** Highest id such that it and every id before it completed. */
  releasable(): number {
    return this.prefix;
  }
}
