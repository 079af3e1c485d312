/**
 * The core's checkpoint in a JSON file, until the spool's SQLite holds it. A power cut must leave
 * either the previous or the new checkpoint, never half of one: each save writes a temporary file
 * in the same directory, fsyncs it, renames it over the checkpoint and fsyncs the directory (the
 * rename is only durable once the directory entry is on disk).
 *
 * A file that cannot be read as a checkpoint (truncated, edited by hand, from another version) is
 * moved aside as "<file>.corrupt-<time>" for inspection, reported, and the agent starts fresh:
 * losing the shift's running figures is better than not starting.
 *
 * Saves may be requested faster than the SD card writes: a save while one is in flight replaces
 * any queued one, so at most one write runs and one waits, and the last checkpoint always lands.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseCheckpoint, type CheckpointStore, type CoreCheckpoint } from '../core/checkpoint.js';
import { errorMessage, LinesideError } from '../lib/errors.js';

export interface CheckpointFileDiagnostic {
  readonly code: 'CHECKPOINT_CORRUPT';
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
}

export interface FileCheckpointStore extends CheckpointStore {
  readonly path: string;
  /** Synchronous save for the last moment of a shutdown (signal handler, before exit). */
  saveSync(checkpoint: CoreCheckpoint): void;
}

export interface FileCheckpointStoreOptions {
  /** Told when a stored checkpoint was unusable and moved aside. */
  readonly onDiagnostic?: (d: CheckpointFileDiagnostic) => void;
  /** Clock for the ".corrupt-<time>" suffix (tests). */
  readonly now?: () => number;
}

export function createFileCheckpointStore(path: string, options: FileCheckpointStoreOptions = {}): FileCheckpointStore {
  const tmpPath = `${path}.${process.pid}.tmp`;
  // Its own temporary file: a shutdown save may overlap an asynchronous one still in flight.
  const syncTmpPath = `${path}.${process.pid}.sync.tmp`;
  let inFlight: Promise<void> | undefined;
  let queued: { checkpoint: CoreCheckpoint; promise: Promise<void> } | undefined;

  const ioError = (action: string, err: unknown): LinesideError =>
    new LinesideError('SPOOL_IO', `cannot ${action} checkpoint ${path}: ${errorMessage(err)}`, { path, code: (err as NodeJS.ErrnoException).code }, { cause: err });

  async function write(checkpoint: CoreCheckpoint): Promise<void> {
    const text = JSON.stringify(checkpoint);
    try {
      await mkdir(dirname(path), { recursive: true });
      const file = await open(tmpPath, 'w', 0o644);
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmpPath, path);
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      throw ioError('write', err);
    }
  }

  function save(checkpoint: CoreCheckpoint): Promise<void> {
    if (inFlight === undefined) {
      const running = write(checkpoint).finally(() => {
        if (inFlight === running) inFlight = undefined;
      });
      inFlight = running;
      return running;
    }
    if (queued !== undefined) {
      queued.checkpoint = checkpoint;
      return queued.promise;
    }
    const entry = { checkpoint, promise: Promise.resolve() };
    entry.promise = inFlight
      .catch(() => undefined) // the earlier write's failure was reported to its own caller
      .then(() => {
        queued = undefined;
        return save(entry.checkpoint);
      });
    queued = entry;
    return entry.promise;
  }

  async function load(): Promise<CoreCheckpoint | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read', err);
    }
    let why: string;
    try {
      const parsed = parseCheckpoint(JSON.parse(text));
      if (parsed.ok) return JSON.parse(text) as CoreCheckpoint;
      why = parsed.message;
    } catch (err) {
      why = `not JSON (${errorMessage(err)})`;
    }
    const aside = `${path}.corrupt-${new Date(options.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
    let movedTo: string | undefined = aside;
    try {
      await rename(path, aside);
    } catch {
      movedTo = undefined;
    }
    options.onDiagnostic?.({
      code: 'CHECKPOINT_CORRUPT',
      message: `checkpoint ${path} is unusable (${why}); starting the shift's figures from zero${movedTo !== undefined ? `, the file was kept as ${movedTo}` : ''}`,
      context: { path, reason: why, ...(movedTo !== undefined ? { movedTo } : {}) },
    });
    return undefined;
  }

  function saveSync(checkpoint: CoreCheckpoint): void {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(syncTmpPath, 'w', 0o644);
      try {
        writeSync(fd, JSON.stringify(checkpoint));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(syncTmpPath, path);
      const dirFd = openSync(dirname(path), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch (err) {
      throw ioError('write', err);
    }
  }

  return { path, load, save, saveSync };
}
