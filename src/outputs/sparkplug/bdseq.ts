/**
 * The edge node's birth/death sequence number (Sparkplug 3.0, tck-id-payloads-ndeath-bdseq):
 * 0..255, one more for every CONNECT, wrapping to 0, and kept across restarts, so a host never
 * mistakes a new session's NDEATH for an old one. Written to its own small file before each
 * CONNECT (atomically, fsynced): the spool commits in batches, and a bdSeq used but not yet
 * committed when the power fails would be used twice.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

export class BdSeqStore {
  private last: number | undefined;
  /** The value before the last `next()`, for `release()`. */
  private before: number | undefined;

  constructor(private readonly file: string) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { bdSeq?: unknown };
      if (typeof saved.bdSeq === 'number' && Number.isInteger(saved.bdSeq) && saved.bdSeq >= 0 && saved.bdSeq <= 255)
        this.last = saved.bdSeq;
      this.before = this.last;
    } catch {
      // None yet (or unreadable): the first CONNECT uses 0.
    }
  }

  /** The bdSeq the previous CONNECT used, if any. */
  get previous(): number | undefined {
    return this.last;
  }

  /** The bdSeq for the next CONNECT, written to disk before it is returned. */
  next(): number {
    const value = this.last === undefined ? 0 : (this.last + 1) % 256;
    this.write(value);
    this.before = this.last;
    this.last = value;
    return value;
  }

  /**
   * The attempt that took the last value never sent its CONNECT (the broker was unreachable):
   * the next attempt takes the same value again, so bdSeq counts CONNECTs, not dial attempts.
   */
  release(): void {
    if (this.before === this.last) return;
    if (this.before === undefined) rmSync(this.file, { force: true });
    else this.write(this.before);
    this.last = this.before;
  }

  private write(value: number): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify({ bdSeq: value })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
