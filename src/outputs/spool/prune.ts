/**
 * Keeps the spool within its size and age bounds by deleting the oldest droppable rows, lowest
 * priority first (raw samples, then periodic OEE snapshots). Rows of priority 2 (cycles, states,
 * downtime, alerts, final OEE) are never deleted here. Runs inside the commit transaction, in
 * chunks, so one commit never holds the database for long.
 */
import type Database from 'better-sqlite3';

type Db = Database.Database;

/** Rows (samples counted one by one) deleted by one pruning pass, by priority. */
export interface PruneResult {
  samples: number;
  oeeSnapshots: number;
  /** True when the bound is still exceeded and only never-dropped rows are left. */
  stuck: boolean;
}

const CHUNK_ROWS = 20_000;
/** Most rows one commit deletes for a bound; the rest waits for the next commit. */
const MAX_ROWS_PER_PASS = 200_000;
/** Prune down to this fraction of the bound so we do not prune again at the very next commit. */
const SIZE_TARGET = 0.9;

export class Pruner {
  private readonly oldestOfPriority: Database.Statement<[number], { id: number; ts: number }>;
  /** Both deletes return the ids each deleted row covered (samples are counted one by one). */
  private readonly deleteOldestBefore: Database.Statement<[number, number, number], { n: number }>;
  private readonly oldestSizes: Database.Statement<[number, number], { id: number; bytes: number }>;
  private readonly deleteThrough: Database.Statement<[number, number], { n: number }>;

  constructor(private readonly db: Db) {
    this.oldestOfPriority = db.prepare('SELECT id, ts FROM rows WHERE priority = ? ORDER BY id LIMIT 1');
    this.deleteOldestBefore = db.prepare(
      'DELETE FROM rows WHERE id IN (SELECT id FROM rows WHERE priority = ? ORDER BY id LIMIT ?) AND ts < ? RETURNING n',
    );
    this.oldestSizes = db.prepare(
      'SELECT id, LENGTH(CAST(payload AS BLOB)) AS bytes FROM rows WHERE priority = ? ORDER BY id LIMIT ?',
    );
    this.deleteThrough = db.prepare('DELETE FROM rows WHERE priority = ? AND id <= ? RETURNING n');
  }

  /** Bytes held by live pages (the file itself does not shrink; free pages are reused). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Deletes the oldest rows of the lowest priority until the live pages are below 90 % of the
   * bound. How many: the rows whose payloads add up to the excess, measured, not estimated from
   * an average (a row of samples holds up to a thousand of them, an event row one; an average
   * over both once deleted every sample to free a tenth of the file). Pages hold a little more
   * than their payloads, so a pass may take a second round; it never takes more than it must.
   */
  bySize(maxBytes: number): PruneResult {
    const result: PruneResult = { samples: 0, oeeSnapshots: 0, stuck: false };
    let used = this.usedBytes();
    if (used <= maxBytes) return result;
    const target = maxBytes * SIZE_TARGET;
    for (const priority of [0, 1] as const) {
      let rowsDeleted = 0;
      while (used > target && rowsDeleted < MAX_ROWS_PER_PASS) {
        const oldest = this.oldestSizes.all(priority, CHUNK_ROWS);
        const through = rowsToFree(oldest, used - target);
        if (through === undefined) break; // nothing (more) of this priority
        const gone = this.deleteThrough.all(priority, through);
        const ids = idsIn(gone);
        if (priority === 0) result.samples += ids;
        else result.oeeSnapshots += ids;
        rowsDeleted += gone.length;
        used = this.usedBytes();
      }
    }
    result.stuck = used > maxBytes;
    return result;
  }

  byAge(cutoffTs: number): PruneResult {
    const result: PruneResult = { samples: 0, oeeSnapshots: 0, stuck: false };
    for (const priority of [0, 1] as const) {
      // Ids follow append order and ts roughly follows ids, so look at the oldest row first and
      // delete in id-ordered chunks; a full scan by ts on every commit would be too slow on a Pi.
      let rowsDeleted = 0;
      while (rowsDeleted < MAX_ROWS_PER_PASS) {
        const oldest = this.oldestOfPriority.get(priority);
        if (oldest === undefined || oldest.ts >= cutoffTs) break;
        const gone = this.deleteOldestBefore.all(priority, CHUNK_ROWS, cutoffTs);
        const deleted = gone.length;
        const ids = idsIn(gone);
        if (priority === 0) result.samples += ids;
        else result.oeeSnapshots += ids;
        rowsDeleted += deleted;
        if (deleted < CHUNK_ROWS) break;
      }
    }
    return result;
  }
}

/** The id through which the oldest rows' payloads add up to `bytes` (at least one row). */
function rowsToFree(oldest: readonly { id: number; bytes: number }[], bytes: number): number | undefined {
  let sum = 0;
  for (const row of oldest) {
    sum += row.bytes;
    if (sum >= bytes) return row.id;
  }
  return oldest.at(-1)?.id;
}

function idsIn(rows: readonly { n: number }[]): number {
  let ids = 0;
  for (const row of rows) ids += row.n;
  return ids;
}
