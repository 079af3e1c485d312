/**
 * Opening a local SQLite file that may have been damaged by a power cut on an SD card: one
 * `PRAGMA quick_check`, and a damaged file (or one that is not a database at all) is moved aside
 * with its WAL and shm so a fresh one can start while the damaged one stays for forensics.
 * Shared by the spool and the local history; each says in its own words what was lost.
 */
import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { errorMessage } from './errors.js';

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE']);

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code);
}

/** Returns null when the file is sound, else what is wrong with it. Permission and I/O errors throw. */
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

export interface SoundDb {
  readonly db: Database.Database;
  /** Set when the file failed its check and was replaced by an empty one. */
  readonly movedAside?: { readonly movedTo: string; readonly problem: string };
}

/**
 * Opens `file` (its directory must exist) and checks it; a damaged file is moved to
 * `<file>.corrupt-<wall time>` and an empty database opened in its place. Pragmas and migrations
 * are the caller's. Throws the driver's error for anything that is not corruption.
 */
export function openSoundDb(file: string, wallMs: number): SoundDb {
  const db = new Database(file);
  const problem = integrityProblem(db);
  if (problem === null) return { db };
  db.close();
  const movedTo = moveAside(file, wallMs);
  return { db: new Database(file), movedAside: { movedTo, problem } };
}
