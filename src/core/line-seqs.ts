/**
 * Line events (the line's OEE, its orders) carry the line's own id sequence, like a station's
 * events carry the station's: "line1-000000042". Checkpointed, so ids stay unique across restarts.
 */
import type { LineSpec } from './bindings.js';
import type { ParsedCheckpoint } from './checkpoint.js';

export class LineSeqs {
  private readonly seqs = new Map<string, number>();

  constructor(lines: readonly LineSpec[], restored: ParsedCheckpoint | undefined) {
    for (const line of lines) this.seqs.set(line.id, restored?.lines[line.id]?.seq ?? 0);
  }

  /** The next event id and sequence number of a line. */
  next(line: string): { id: string; seq: number } {
    const seq = (this.seqs.get(line) ?? 0) + 1;
    this.seqs.set(line, seq);
    return { id: `${line}-${String(seq).padStart(9, '0')}`, seq };
  }

  /** The last sequence number of a line, for the checkpoint. */
  seqOf(line: string): number {
    return this.seqs.get(line) ?? 0;
  }
}
