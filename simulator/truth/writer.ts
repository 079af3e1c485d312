/**
 * Streams truth records to a JSONL file: one JSON object per line, written through a 64 KiB
 * buffer with synchronous writes, so a simulated week never sits in memory and the bytes depend
 * only on the records (same seed, same file). Key order is the order the records are built in.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TruthRecord } from './records.js';

const FLUSH_AT = 64 * 1024;

export class TruthWriter {
  private fd: number | undefined;
  private chunks: string[] = [];
  private pendingChars = 0;
  /** Records written so far. */
  records = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Bound `write`, usable directly as `onTruth`. */
  readonly write = (record: TruthRecord): void => {
    if (this.fd === undefined) return;
    const line = `${JSON.stringify(record)}\n`;
    this.chunks.push(line);
    this.pendingChars += line.length;
    this.records++;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  };

  flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.pendingChars = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
