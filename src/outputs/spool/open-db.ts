/**
 * Opens the spool file: integrity check, pragmas, migrations. A file that fails
 * `PRAGMA quick_check` (or is not a database at all) is moved aside, with its WAL and shm, and a
 * fresh spool is started: the agent keeps running, and the damaged file stays for forensics.
 * Permission and I/O errors are not corruption: they throw SPOOL_IO for the user to fix.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { applyPragmas, migrate } from './schema.js';

export interface OpenedDb {
  readonly db: Database.Database;
  readonly recovered?: { readonly movedTo: string; readonly reason: string; readonly at: number };
}

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE']);

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code);
}

/** Returns null when the file is sound, else what is wrong with it. */
function integrityProblem(db: Database.Database): string | null {
  try {
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    return problems.length === 0 ? null : problems.slice(0, 5).join('; ');
  } catch (err) {
    if (isCorruption(err)) return errorMessage(err);
    throw err;
  }
}

function moveAside(file: string, wallMs: number): string {
  const stamp = new Date(wallMs).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.corrupt-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  }
  return target;
}

function openRaw(file: string): Database.Database {
  return new Database(file);
}

export function openSpoolDb(file: string, logger: Logger, wallMs: number): OpenedDb {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new LinesideError('SPOOL_IO', `cannot create the spool directory ${path.dirname(file)}: ${errorMessage(err)}`, { file }, { cause: err });
  }

  let db: Database.Database;
  let recovered: OpenedDb['recovered'];
  try {
    db = openRaw(file);
    const problem = integrityProblem(db);
    if (problem !== null) {
      db.close();
      const movedTo = moveAside(file, wallMs);
      recovered = { movedTo, reason: problem, at: wallMs };
      logger.error(
        { err: { code: 'SPOOL_CORRUPT' }, file, movedTo, problem },
        `SPOOL_CORRUPT spool ${file} failed its integrity check (${problem}); moved it to ${movedTo} and started a new, empty spool. Rows not yet delivered are in the moved file.`,
      );
      db = openRaw(file);
    }
    applyPragmas(db);
  } catch (err) {
    if (err instanceof LinesideError) throw err;
    throw new LinesideError('SPOOL_IO', `cannot open the spool ${file}: ${errorMessage(err)}`, { file }, { cause: err });
  }

  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw new LinesideError('SPOOL_IO', `cannot use the spool ${file}: ${errorMessage(err)}`, { file }, { cause: err });
  }
  return recovered === undefined ? { db } : { db, recovered };
}
