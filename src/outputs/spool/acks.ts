/**
 * Each destination's acknowledged id (its cursor in the spool), persisted with the next commit,
 * and from them the id through which every configured destination is done.
 */
import type { SpoolStatements } from './statements.js';

export class Acks {
  private readonly cursors = new Map<string, number>();
  private readonly dirty = new Set<string>();

  /** `destinations` are those that must acknowledge a row before it is deleted. */
  constructor(readonly destinations: readonly string[]) {}

  /** Restores the cursors a previous run committed. */
  load(rows: Iterable<{ destination: string; acked_id: number }>): void {
    for (const row of rows) this.cursors.set(row.destination, row.acked_id);
  }

  /** Gives each configured destination that has no cursor yet this one, to be persisted. */
  startNew(startCursor: number): void {
    for (const destination of this.destinations) {
      if (!this.cursors.has(destination)) {
        this.cursors.set(destination, startCursor);
        this.dirty.add(destination);
      }
    }
  }

  /** Moves the destination's cursor forward (never past a committed row); true when it moved. */
  ack(destination: string, uptoId: number, committedId: number): boolean {
    const current = this.cursors.get(destination) ?? 0;
    const upto = Math.min(uptoId, committedId);
    if (upto <= current) return false;
    this.cursors.set(destination, upto);
    this.dirty.add(destination);
    return true;
  }

  ackedId(destination: string): number {
    return this.cursors.get(destination) ?? 0;
  }

  /** The cursor below which every configured destination is done. */
  deletableThrough(committedId: number): number {
    let min = committedId;
    for (const destination of this.destinations) min = Math.min(min, this.cursors.get(destination) ?? 0);
    return min;
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Writes the moved cursors; call inside the commit transaction. */
  writeDirty(sql: SpoolStatements): void {
    for (const destination of this.dirty) sql.putCursor.run(destination, this.cursors.get(destination) ?? 0);
  }

  /** The commit that wrote them went through. */
  clearDirty(): void {
    this.dirty.clear();
  }
}
