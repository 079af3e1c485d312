/**
 * Opens the history file: pragmas and migrations. A file that is not a database or fails
 * `PRAGMA quick_check` is moved aside (with its WAL and shm) and a fresh history is started:
 * the dashboard loses its past, the agent keeps running, the damaged file stays for forensics.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import { openSoundDb } from '../../lib/sqlite-integrity.js';
import type { Logger } from '../../lib/logger.js';
import { applyPragmas, migrate } from './schema.js';

export function openHistoryDb(file: string, logger: Logger, wallMs: number): Database.Database {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new LinesideError(
      'HISTORY_IO',
      `cannot create the history directory ${path.dirname(file)}: ${errorMessage(err)}`,
      { component: 'history', file },
      { cause: err },
    );
  }
  let db: Database.Database;
  try {
    const opened = openSoundDb(file, wallMs);
    db = opened.db;
    if (opened.movedAside !== undefined) {
      const { movedTo, problem } = opened.movedAside;
      logger.error(
        { file, movedTo, problem },
        `history ${file} failed its integrity check (${problem}); moved it to ${movedTo} and started an empty history`,
      );
    }
    applyPragmas(db);
  } catch (err) {
    throw new LinesideError(
      'HISTORY_IO',
      `cannot open the history ${file}: ${errorMessage(err)}`,
      { component: 'history', file },
      { cause: err },
    );
  }
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw new LinesideError(
      'HISTORY_IO',
      `cannot use the history ${file}: ${errorMessage(err)}`,
      { component: 'history', file },
      { cause: err },
    );
  }
  return db;
}
