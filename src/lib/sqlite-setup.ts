/**
 * Connection pragmas and `PRAGMA user_version` migrations for Lineside's local SQLite files (the
 * spool and the history). Each file chooses its own durability; the mechanics are shared.
 */
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface WalPragmas {
  /** FULL fsyncs the WAL at every commit (survives power loss); NORMAL may lose the last commits. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** The WAL is truncated to this after checkpoints so it does not stay at its peak size. */
  readonly journalSizeLimitBytes: number;
}

/** Pragmas are per connection, so they are set on every open. WAL: readers never block the writer. */
export function applyWalPragmas(db: Db, pragmas: WalPragmas): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${pragmas.synchronous}`);
  db.pragma(`journal_size_limit = ${pragmas.journalSizeLimitBytes}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
}

/**
 * Brings the file to `migrations.length`, one transaction per step; returns the version it had.
 * Throws on a file written by a newer Lineside (`what` names the file's kind in the message).
 */
export function runMigrations(db: Db, migrations: readonly ((db: Db) => void)[], what: string): number {
  const latest = migrations.length;
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latest) {
    throw new Error(`written by a newer Lineside (${what} version ${from}, this version knows ${latest})`);
  }
  for (let version = from; version < latest; version++) {
    const step = migrations[version];
    if (step === undefined) break;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return from;
}
