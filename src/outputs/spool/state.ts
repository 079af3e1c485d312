/**
 * The spool's in-memory view, shared by the facade (spool.ts) and the committer, and how it is
 * restored from the file at open.
 */
import type { Acks } from './acks.js';
import type { Checkpoints } from './checkpoints.js';
import type { BufferedRow, SpoolStatements } from './statements.js';

export interface SpoolState {
  /** Appended but not yet committed, in id order. */
  buffer: BufferedRow[];
  /** Highest id handed out, buffered or committed. */
  lastId: number;
  /** Highest committed id: the most `read` can return. */
  committedId: number;
  /** Rows at or below this id were deleted as acknowledged by every destination. */
  deletedThrough: number;
  /** Committed rows in the file, by kind. */
  events: number;
  samples: number;
  closed: boolean;
}

/** Reads what a previous run left (ids, cursors, checkpoints, row counts) into a fresh view. */
export function restoreState(sql: SpoolStatements, acks: Acks, checkpoints: Checkpoints): SpoolState {
  const maxRowId = sql.maxId.get()?.id ?? 0;
  // last_id outlives the rows, so ids are never reused after every row was deleted.
  const lastId = Math.max(maxRowId, sql.getMeta.get('last_id')?.value ?? 0);
  acks.load(sql.allCursors.all());
  checkpoints.load(sql.allCheckpoints.all());
  // A new destination starts at the oldest row still in the spool: it gets everything kept.
  const oldestRow = sql.minId.get()?.id;
  const startCursor = oldestRow === undefined || oldestRow === null ? lastId : oldestRow - 1;
  acks.startNew(startCursor);
  const deletedThrough = oldestRow === undefined || oldestRow === null ? lastId : oldestRow - 1;
  const counts = sql.countByKind.get();
  const events = counts?.events ?? 0;
  return {
    buffer: [],
    lastId,
    committedId: lastId,
    deletedThrough,
    events,
    samples: (counts?.total ?? 0) - events,
    closed: false,
  };
}
