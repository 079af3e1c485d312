/**
 * Writes one batch so that bad points cannot block the good ones (InfluxDB 1.x answers HTTP 400
 * for a field type conflict or an unparsable line, and retrying that is futile): on a 400 the
 * batch is halved until each bad point stands alone; those are handed to `onPoison` (logged and
 * counted by the caller) and everything else is written. Re-sending points that a "partial write"
 * already stored is harmless: same series, same timestamp, same values.
 *
 * Any other failure (network, 5xx, auth, missing database) rejects with the WriteFailure, and the
 * caller retries the same batch later; entries already written or poisoned are not sent again.
 */
import { allPointsBad, classifyWriteError, type WriteFailure } from './failures.js';

/** One point, encoded, and the spool row it came from (for logs about a refused point). */
export interface BatchEntry {
  readonly line: string;
  readonly spoolId: number;
  state: 'pending' | 'written' | 'poisoned';
}

/** Sends lines in one request; rejects with whatever the request failed with. */
export type SendLines = (lines: readonly string[]) => Promise<void>;
export type PoisonHandler = (entries: readonly BatchEntry[], failure: WriteFailure) => void;

export class WriteFailedError extends Error {
  override readonly name = 'WriteFailedError';
  constructor(readonly failure: WriteFailure) {
    super(failure.detail);
  }
}

export interface BatchWriteStats {
  /** HTTP requests made (splits included). */
  requests: number;
  /** Times a request was split because of a 400/413. */
  splits: number;
}

export async function writeBatch(
  entries: readonly BatchEntry[],
  send: SendLines,
  onPoison: PoisonHandler,
  stats?: BatchWriteStats,
): Promise<void> {
  const todo = entries.filter((e) => e.state === 'pending');
  if (todo.length === 0) return;
  try {
    if (stats !== undefined) stats.requests += 1;
    await send(todo.map((e) => e.line));
  } catch (err) {
    const failure = classifyWriteError(err);
    if (failure.kind !== 'bad-points' && failure.kind !== 'too-large') throw new WriteFailedError(failure);
    if (todo.length === 1 || allPointsBad(failure, todo.length)) {
      for (const e of todo) e.state = 'poisoned';
      onPoison(todo, failure);
      return;
    }
    if (stats !== undefined) stats.splits += 1;
    const mid = todo.length >>> 1;
    await writeBatch(todo.slice(0, mid), send, onPoison, stats);
    await writeBatch(todo.slice(mid), send, onPoison, stats);
    return;
  }
  for (const e of todo) e.state = 'written';
}
