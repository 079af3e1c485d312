/**
 * Opens the spool file: integrity check, pragmas, migrations. A file that fails
 * `PRAGMA quick_check` (or is not a database at all) is moved aside, with its WAL and shm, and a
 * fresh spool is started: the agent keeps running, and the damaged file stays for forensics.
 * Permission and I/O errors are not corruption: they throw SPOOL_IO for the user to fix.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import { openSoundDb } from '../../lib/sqlite-integrity.js';
import type { Logger } from '../../lib/logger.js';
import { applyPragmas, migrate } from './schema.js';

export interface OpenedDb {
  readonly db: Database.Database;
  readonly recovered?: { readonly movedTo: string; readonly reason: string; readonly at: number };
}

export function openSpoolDb(file: string, logger: Logger, wallMs: number): OpenedDb {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new LinesideError(
      'SPOOL_IO',
      `cannot create the spool directory ${path.dirname(file)}: ${errorMessage(err)}`,
      { file },
      { cause: err },
    );
  }

  let db: Database.Database;
  let recovered: OpenedDb['recovered'];
  try {
    const opened = openSoundDb(file, wallMs);
    db = opened.db;
    if (opened.movedAside !== undefined) {
      const { movedTo, problem } = opened.movedAside;
      recovered = { movedTo, reason: problem, at: wallMs };
      logger.error(
        { err: { code: 'SPOOL_CORRUPT' }, file, movedTo, problem },
        `SPOOL_CORRUPT spool ${file} failed its integrity check (${problem}); moved it to ${movedTo} and started a new, empty spool. Rows not yet delivered are in the moved file.`,
      );
    }
    applyPragmas(db);
  } catch (err) {
    if (err instanceof LinesideError) throw err;
    throw new LinesideError(
      'SPOOL_IO',
      `cannot open the spool ${file}: ${errorMessage(err)}`,
      { file },
      { cause: err },
    );
  }

  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw new LinesideError('SPOOL_IO', `cannot use the spool ${file}: ${errorMessage(err)}`, { file }, { cause: err });
  }
  return recovered === undefined ? { db } : { db, recovered };
}
