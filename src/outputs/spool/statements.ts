/** Prepared statements of the spool (prepared once per open) and row decoding. */
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../core/events.js';
import type { Sample } from '../../core/sample.js';
import type { SampleColumns } from './sample-row.js';
import type { SpoolPriority, SpoolRow } from './types.js';

/** An event row (its JSON made at append), or the samples appended in a row since the last event. */
export type BufferedRow =
  | {
      readonly id: number;
      readonly kind: 'event';
      readonly priority: SpoolPriority;
      readonly ts: number;
      readonly payload: string;
    }
  | {
      /** The first sample's id; the row covers id .. id + samples.size - 1. */
      readonly id: number;
      readonly kind: 'sample';
      readonly priority: SpoolPriority;
      readonly ts: number;
      readonly samples: SampleColumns;
    };

/** Ids a row covers. */
export function idsOf(row: BufferedRow): number {
  return row.kind === 'sample' ? row.samples.size : 1;
}

/** The stored payload: the event's JSON, or the samples as columns (sample-row.ts). */
export function payloadOf(row: BufferedRow): string {
  return row.kind === 'event' ? row.payload : row.samples.toJson();
}

export interface RawRow {
  readonly id: number;
  readonly kind: string;
  readonly priority: number;
  readonly ts: number;
  readonly n: number;
  readonly payload: string;
}

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export class SpoolStatements {
  readonly insert: Stmt<[number, string, number, number, number, string]>;
  /** The last row starting at or before an id (the one that may cover it). */
  readonly rowAtOrBefore: Stmt<[number], RawRow>;
  readonly readAll: Stmt<[number, number], RawRow>;
  readonly readEvents: Stmt<[number, number], RawRow>;
  readonly readSamples: Stmt<[number, number], RawRow>;
  readonly deleteRange: Stmt<[number, number]>;
  /** Ids (and events) at or below `b` in the rows starting in (a, b]. */
  readonly countRange: Stmt<[{ a: number; b: number }], { total: number; events: number }>;
  readonly countByKind: Stmt<[], { total: number; events: number }>;
  readonly oldestAfter: Stmt<[number], { ts: number }>;
  readonly maxId: Stmt<[], { id: number | null }>;
  readonly minId: Stmt<[], { id: number | null }>;
  readonly allCursors: Stmt<[], { destination: string; acked_id: number }>;
  readonly putCursor: Stmt<[string, number]>;
  readonly allCheckpoints: Stmt<[], { key: string; value: string }>;
  readonly putCheckpoint: Stmt<[string, string]>;
  readonly getMeta: Stmt<[string], { value: number }>;
  readonly putMeta: Stmt<[string, number]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO rows (id, kind, priority, ts, n, payload) VALUES (?, ?, ?, ?, ?, ?)');
    const cols = 'id, kind, priority, ts, n, payload';
    this.rowAtOrBefore = db.prepare(`SELECT ${cols} FROM rows WHERE id <= ? ORDER BY id DESC LIMIT 1`);
    this.readAll = db.prepare(`SELECT ${cols} FROM rows WHERE id > ? ORDER BY id LIMIT ?`);
    this.readEvents = db.prepare(`SELECT ${cols} FROM rows WHERE kind = 'event' AND id > ? ORDER BY id LIMIT ?`);
    this.readSamples = db.prepare(`SELECT ${cols} FROM rows WHERE kind = 'sample' AND id > ? ORDER BY id LIMIT ?`);
    this.deleteRange = db.prepare('DELETE FROM rows WHERE id > ? AND id <= ?');
    this.countRange = db.prepare(
      "SELECT COALESCE(SUM(MIN(n, @b - id + 1)), 0) AS total, COALESCE(SUM(kind = 'event'), 0) AS events FROM rows WHERE id > @a AND id <= @b",
    );
    this.countByKind = db.prepare(
      "SELECT COALESCE(SUM(n), 0) AS total, COALESCE(SUM(kind = 'event'), 0) AS events FROM rows",
    );
    this.oldestAfter = db.prepare('SELECT ts FROM rows WHERE id > ? ORDER BY id LIMIT 1');
    this.maxId = db.prepare('SELECT id + n - 1 AS id FROM rows ORDER BY id DESC LIMIT 1');
    this.minId = db.prepare('SELECT MIN(id) AS id FROM rows');
    this.allCursors = db.prepare('SELECT destination, acked_id FROM cursors');
    this.putCursor = db.prepare(
      'INSERT INTO cursors (destination, acked_id) VALUES (?, ?) ON CONFLICT(destination) DO UPDATE SET acked_id = excluded.acked_id',
    );
    this.allCheckpoints = db.prepare('SELECT key, value FROM checkpoints');
    this.putCheckpoint = db.prepare(
      'INSERT INTO checkpoints (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.putMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses a stored row into the rows it covers with an id above `afterId`; null when its payload
 * is not what the spool wrote (bad bytes on disk).
 */
export function decodeRow(raw: RawRow, afterId = Number.NEGATIVE_INFINITY): SpoolRow[] | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.payload);
  } catch {
    return null;
  }
  const priority = (raw.priority === 0 || raw.priority === 1 ? raw.priority : 2) as SpoolPriority;
  if (raw.kind === 'sample' && Array.isArray(value)) return decodeTuples(raw, value, priority, afterId);
  if (!isObject(value)) return null;
  if (raw.kind === 'sample' && Array.isArray(value.tags)) return decodeColumns(raw, value, priority, afterId);
  if (raw.kind === 'event' && typeof value.type === 'string' && typeof value.id === 'string') {
    // Cast: written by appendEvent from a CoreEvent; the checks above catch damaged rows.
    return [{ id: raw.id, kind: 'event', priority, ts: raw.ts, event: value as unknown as CoreEvent }];
  }
  if (raw.kind === 'sample' && typeof value.tag === 'string' && 'value' in value) {
    // A row of schema 1: one sample as an object. Cast: written by appendSample from a Sample.
    return [{ id: raw.id, kind: 'sample', priority, ts: raw.ts, sample: value as unknown as Sample }];
  }
  return null;
}

/** One sample from its stored parts; null when they are not what the spool wrote. */
function sampleOf(tag: unknown, stored: unknown, ts: unknown, mono: unknown): Sample | null {
  if (typeof tag !== 'string' || typeof ts !== 'number') return null;
  // null: a non-finite number, which JSON cannot hold; it comes back as NaN (outputs skip or null it).
  const value: unknown = stored === null ? Number.NaN : stored;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return null;
  return { tag, value, ts, mono: typeof mono === 'number' ? mono : 0 };
}

/** Samples as columns, `{"tags":[...],"values":[...],"ts":[...],"monos":[...]}` (sample-row.ts). */
function decodeColumns(
  raw: RawRow,
  columns: Record<string, unknown>,
  priority: SpoolPriority,
  afterId: number,
): SpoolRow[] | null {
  const { tags, values, ts, monos } = columns;
  if (!Array.isArray(tags) || !Array.isArray(values) || !Array.isArray(ts) || !Array.isArray(monos)) return null;
  const n = raw.n;
  if (tags.length !== n || values.length !== n || ts.length !== n || monos.length !== n) return null;
  const out: SpoolRow[] = [];
  for (let i = Math.max(0, afterId + 1 - raw.id); i < n; i++) {
    const sample = sampleOf(tags[i], values[i], ts[i], monos[i]);
    if (sample === null) return null;
    out.push({ id: raw.id + i, kind: 'sample', priority, ts: sample.ts, sample });
  }
  return out;
}

/** Samples as `[[tag, value, ts, mono], ...]`: rows written before the columns. */
function decodeTuples(raw: RawRow, tuples: unknown[], priority: SpoolPriority, afterId: number): SpoolRow[] | null {
  if (tuples.length !== raw.n) return null;
  const out: SpoolRow[] = [];
  for (let i = Math.max(0, afterId + 1 - raw.id); i < tuples.length; i++) {
    const t: unknown = tuples[i];
    const sample = Array.isArray(t) ? sampleOf(t[0], t[1], t[2], t[3]) : null;
    if (sample === null) return null;
    out.push({ id: raw.id + i, kind: 'sample', priority, ts: sample.ts, sample });
  }
  return out;
}
