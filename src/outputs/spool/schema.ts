/**
 * The spool's SQLite schema and its migrations, versioned with `PRAGMA user_version`.
 * Migration i takes the file from version i to i + 1; each runs in its own transaction.
 * Add new migrations at the end; never edit a released one.
 */
import type Database from 'better-sqlite3';
import { applyWalPragmas, runMigrations } from '../../lib/sqlite-setup.js';

type Db = Database.Database;

export const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  // 0 -> 1: rows, destination cursors, checkpoints and counters.
  (db) => {
    db.exec(`
      CREATE TABLE rows (
        id       INTEGER PRIMARY KEY,          -- monotonic, assigned by the spool, never reused
        kind     TEXT    NOT NULL,             -- 'event' | 'sample'
        priority INTEGER NOT NULL,             -- 0 sample, 1 periodic OEE, 2 never dropped
        ts       INTEGER NOT NULL,             -- wall ms of the event/sample
        payload  TEXT    NOT NULL              -- topic-independent JSON (CoreEvent or Sample)
      );
      -- Destinations that skip samples (MQTT without sample publishing) read events through this
      -- partial index instead of stepping over every sample; samples do not pay for it on insert.
      CREATE INDEX rows_events ON rows(id) WHERE kind = 'event';
      CREATE TABLE cursors (
        destination TEXT PRIMARY KEY,
        acked_id    INTEGER NOT NULL
      );
      CREATE TABLE checkpoints (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `);
  },
  // 1 -> 2: a row covers ids id .. id + n - 1. Samples appended together (a poll's) share one row
  // (a JSON array), so 10,000 tags a second are 100 inserts, reads and deletes, not 10,000.
  // Events stay one per row (n = 1).
  (db) => {
    db.exec('ALTER TABLE rows ADD COLUMN n INTEGER NOT NULL DEFAULT 1');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Pragmas are per connection, so they are set on every open.
 * - WAL: readers never block the writer; one fsync per commit.
 * - synchronous=FULL: better-sqlite3 builds WAL with NORMAL, where a committed transaction can
 *   roll back on power loss. FULL fsyncs the WAL at every commit; commits are batched (~250 ms).
 * - journal_size_limit: truncate the WAL after checkpoints so it does not stay at its peak size.
 */
export function applyPragmas(db: Db): void {
  applyWalPragmas(db, { synchronous: 'FULL', journalSizeLimitBytes: 16 * 1024 * 1024 });
}

/** Brings the file to SCHEMA_VERSION; returns the version it had. Throws on a newer file. */
export function migrate(db: Db): number {
  return runMigrations(db, MIGRATIONS, 'schema');
}
