/** Prepared statements of the spool (prepared once per open) and row decoding. */
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../core/events.js';
import type { Sample } from '../../core/sample.js';
import type { SpoolPriority, SpoolRow } from './types.js';

export interface BufferedRow {
  readonly id: number;
  readonly kind: 'event' | 'sample';
  readonly priority: SpoolPriority;
  readonly ts: number;
  readonly payload: string;
}

export interface RawRow {
  readonly id: number;
  readonly kind: string;
  readonly priority: number;
  readonly ts: number;
  readonly payload: string;
}

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export class SpoolStatements {
  readonly insert: Stmt<[number, string, number, number, string]>;
  readonly readAll: Stmt<[number, number], RawRow>;
  readonly readEvents: Stmt<[number, number], RawRow>;
  readonly readSamples: Stmt<[number, number], RawRow>;
  readonly deleteRange: Stmt<[number, number]>;
  readonly countRange: Stmt<[number, number], { total: number; events: number }>;
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
    this.insert = db.prepare('INSERT INTO rows (id, kind, priority, ts, payload) VALUES (?, ?, ?, ?, ?)');
    const cols = 'id, kind, priority, ts, payload';
    this.readAll = db.prepare(`SELECT ${cols} FROM rows WHERE id > ? ORDER BY id LIMIT ?`);
    this.readEvents = db.prepare(`SELECT ${cols} FROM rows WHERE kind = 'event' AND id > ? ORDER BY id LIMIT ?`);
    this.readSamples = db.prepare(`SELECT ${cols} FROM rows WHERE kind = 'sample' AND id > ? ORDER BY id LIMIT ?`);
    this.deleteRange = db.prepare('DELETE FROM rows WHERE id > ? AND id <= ?');
    this.countRange = db.prepare(
      "SELECT COUNT(*) AS total, COALESCE(SUM(kind = 'event'), 0) AS events FROM rows WHERE id > ? AND id <= ?",
    );
    this.countByKind = db.prepare("SELECT COUNT(*) AS total, COALESCE(SUM(kind = 'event'), 0) AS events FROM rows");
    this.oldestAfter = db.prepare('SELECT ts FROM rows WHERE id > ? ORDER BY id LIMIT 1');
    this.maxId = db.prepare('SELECT MAX(id) AS id FROM rows');
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

/** Parses a stored row; null when its payload is not what the spool wrote (bad bytes on disk). */
export function decodeRow(raw: RawRow): SpoolRow | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.payload);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const priority = (raw.priority === 0 || raw.priority === 1 ? raw.priority : 2) as SpoolPriority;
  if (raw.kind === 'event' && typeof value.type === 'string' && typeof value.id === 'string') {
    // Cast: written by appendEvent from a CoreEvent; the checks above catch damaged rows.
    return { id: raw.id, kind: 'event', priority, ts: raw.ts, event: value as unknown as CoreEvent };
  }
  if (raw.kind === 'sample' && typeof value.tag === 'string' && 'value' in value) {
    // Cast: written by appendSample from a Sample.
    return { id: raw.id, kind: 'sample', priority, ts: raw.ts, sample: value as unknown as Sample };
  }
  return null;
}
