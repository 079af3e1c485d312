/**
 * The edge node's birth/death sequence number (Sparkplug 3.0, tck-id-payloads-ndeath-bdseq):
 * 0..255, one more for every CONNECT, wrapping to 0, and kept across restarts, so a host never
 * mistakes a new session's NDEATH for an old one. Written to its own small file before each
 * CONNECT (atomically, fsynced): the spool commits in batches, and a bdSeq used but not yet
 * committed when the power fails would be used twice.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class BdSeqStore {
  private last: number | undefined;

  constructor(private readonly file: string) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { bdSeq?: unknown };
      if (typeof saved.bdSeq === 'number' && Number.isInteger(saved.bdSeq) && saved.bdSeq >= 0 && saved.bdSeq <= 255)
        this.last = saved.bdSeq;
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
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify({ bdSeq: value })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.last = value;
    return value;
  }
}
