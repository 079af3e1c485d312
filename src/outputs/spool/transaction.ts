/**
 * The commit transaction: new rows, checkpoints, cursors, the deletion of acknowledged rows and
 * pruning, all or nothing; and how far one commit deletes.
 */
import type Database from 'better-sqlite3';
import type { Acks } from './acks.js';
import type { Checkpoints } from './checkpoints.js';
import type { PruneResult, Pruner } from './prune.js';
import { idsOf, payloadOf, type BufferedRow, type SpoolStatements } from './statements.js';

const MAX_DELETE_IDS_PER_COMMIT = 10_000;

/** Everything one commit writes, decided before the transaction starts. */
export interface CommitPlan {
  readonly rows: readonly BufferedRow[];
  /** Rows with an id in (deletedThrough, deleteThrough] are deleted: every destination has them. */
  readonly deletedThrough: number;
  readonly deleteThrough: number;
  /** Persisted as last_id, so ids are never reused even when every row was deleted. */
  readonly lastRowId: number;
  readonly maxBytes: number;
  /** The wall-time cutoff for pruning by age, taken inside the transaction; undefined when the age check is not due. */
  readonly ageCutoff: (() => number) | undefined;
}

/** What the transaction deleted, for the in-memory counts and the drop reports. */
export interface CommitOutcome {
  readonly deleted: { readonly total: number; readonly events: number };
  readonly pruned: PruneResult;
  readonly aged: PruneResult;
}

/** The parts of the spool a commit writes through. */
export interface CommitTargets {
  readonly db: Database.Database;
  readonly sql: SpoolStatements;
  readonly pruner: Pruner;
  readonly checkpoints: Checkpoints;
  readonly acks: Acks;
}

/**
 * The id through which this commit deletes acknowledged rows. Acknowledged rows go in id ranges
 * of bounded size, so a cursor that jumps over a million rows (a destination skipping samples)
 * does not hold the event loop in one long DELETE. Over the size bound, delivered rows go first
 * in full, so pruning never counts them as drops.
 */
export function deleteThroughFor(
  pruner: Pruner,
  sql: SpoolStatements,
  maxBytes: number,
  deletedThrough: number,
  deletable: () => number,
  lastId: number,
): number {
  const deleteCap =
    pruner.usedBytes() > maxBytes ? Number.POSITIVE_INFINITY : deletedThrough + MAX_DELETE_IDS_PER_COMMIT;
  let through = Math.min(deletable(), lastId, deleteCap);
  // Never inside a row of samples: the row goes once all of it is delivered, so every deletion
  // starts on a row boundary.
  const row = through > deletedThrough ? sql.rowAtOrBefore.get(through) : undefined;
  if (row !== undefined && row.id + row.n - 1 > through) through = row.id - 1;
  return Math.max(deletedThrough, through);
}

/** Runs the commit transaction; throws (having written nothing) when SQLite fails. */
export function runCommit(t: CommitTargets, plan: CommitPlan): CommitOutcome {
  let deleted = { total: 0, events: 0 };
  let pruned: PruneResult = { samples: 0, oeeSnapshots: 0, stuck: false };
  let aged: PruneResult = { samples: 0, oeeSnapshots: 0, stuck: false };
  t.db.transaction(() => {
    for (const row of plan.rows) t.sql.insert.run(row.id, row.kind, row.priority, row.ts, idsOf(row), payloadOf(row));
    t.checkpoints.writeDirty(t.sql);
    t.acks.writeDirty(t.sql);
    if (plan.deleteThrough > plan.deletedThrough) {
      const counted = t.sql.countRange.get({ a: plan.deletedThrough, b: plan.deleteThrough });
      t.sql.deleteRange.run(plan.deletedThrough, plan.deleteThrough);
      deleted = { total: counted?.total ?? 0, events: counted?.events ?? 0 };
    }
    t.sql.putMeta.run('last_id', plan.lastRowId);
    pruned = t.pruner.bySize(plan.maxBytes);
    if (plan.ageCutoff !== undefined) aged = t.pruner.byAge(plan.ageCutoff());
  })();
  return { deleted, pruned, aged };
}
