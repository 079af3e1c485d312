/** Reads committed rows for a destination, skipping (and counting) rows that cannot be decoded. */
import type { Logger } from '../../lib/logger.js';
import type { RecentRows } from './recent-rows.js';
import { decodeRow, type RawRow, type SpoolStatements } from './statements.js';
import type { SpoolReadOptions, SpoolRow } from './types.js';

export class RowReader {
  private unreadableRows = 0;
  private readonly unreadableIds = new Set<number>();

  constructor(
    private readonly sql: SpoolStatements,
    private readonly logger: Logger,
    private readonly file: string,
    private readonly recent: RecentRows,
  ) {}

  /** Rows that could not be decoded, each counted once however often it is read. */
  get unreadable(): number {
    return this.unreadableRows;
  }

  read(destination: string, afterId: number, limit: number, options: SpoolReadOptions): SpoolRow[] {
    const kept = this.recent.read(afterId, limit, options);
    if (kept !== undefined) return kept;
    const kinds = options.kinds;
    const onlyEvents = kinds !== undefined && kinds.length === 1 && kinds[0] === 'event';
    const onlySamples = kinds !== undefined && kinds.length === 1 && kinds[0] === 'sample';
    const stmt = onlyEvents ? this.sql.readEvents : onlySamples ? this.sql.readSamples : this.sql.readAll;
    const out: SpoolRow[] = [];
    // A cursor may stop inside a row of samples (a send delivered part of it): its rest comes first.
    if (!onlyEvents) {
      const straddling = this.sql.rowAtOrBefore.get(afterId);
      if (straddling !== undefined && straddling.kind === 'sample' && straddling.id + straddling.n - 1 > afterId)
        this.take(straddling, afterId, limit, out, destination);
    }
    // Rows that cannot be decoded are skipped, and the read goes on until `limit` good rows or
    // the end: callers rely on "fewer than limit" meaning "everything committed was scanned".
    let after = afterId;
    while (out.length < limit) {
      const want = limit - out.length;
      const raws = stmt.all(after, want);
      for (const raw of raws) {
        after = raw.id;
        this.take(raw, afterId, limit, out, destination);
        if (out.length >= limit) return out;
      }
      if (raws.length < want) break;
    }
    return out;
  }

  /** Appends the rows `raw` covers above `afterId`, up to `limit` in all. */
  private take(raw: RawRow, afterId: number, limit: number, out: SpoolRow[], destination: string): void {
    const rows = decodeRow(raw, afterId);
    if (rows === null) {
      this.noteUnreadable(raw.id, destination);
      return;
    }
    for (const row of rows) {
      if (out.length >= limit) return;
      out.push(row);
    }
  }

  private noteUnreadable(id: number, destination: string): void {
    if (this.unreadableIds.has(id)) return; // read again by another destination or after a reconnect
    if (this.unreadableIds.size < 10_000) this.unreadableIds.add(id);
    this.unreadableRows += 1;
    if (this.unreadableRows <= 5)
      this.logger.warn({ file: this.file, id, destination }, 'spool row cannot be decoded; skipping it');
  }
}
