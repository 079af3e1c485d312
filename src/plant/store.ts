/**
 * The plant server's history of shift ledgers: `storage.dir/plant.db` (SQLite, WAL). One row per
 * (site, line, shift start) holding the latest ledger of that shift: an upsert only replaces a
 * row with a higher `seq`, so a late or repeated copy never overwrites a newer one, and the
 * `final` flag of the shift's last ledger is kept. Rows whose shift ended more than
 * `history.days` ago are deleted.
 *
 * At start-up the model is rebuilt from the newest row of every line, so the current shifts
 * survive a plant-server restart; the broker's retained copies that follow are deduplicated by
 * seq. Writes never throw: a failure is logged, counted and shown in health, and the live view
 * goes on from the broker.
 *
 * Durability: `synchronous=NORMAL` (a power cut may lose the last commits). Enough here: the
 * agents' spools hold every ledger, and the retained copy of the current one comes back on connect.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { errorMessage, LinesideError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { openSoundDb } from '../lib/sqlite-integrity.js';
import { applyWalPragmas, runMigrations } from '../lib/sqlite-setup.js';
import { Ledger, parseJson, type Ledger as LedgerT } from './messages.js';

type Db = Database.Database;

const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE ledgers (
        site        TEXT    NOT NULL,
        line        TEXT    NOT NULL,
        start_ms    INTEGER NOT NULL,
        end_ms      INTEGER NOT NULL,
        shift       TEXT,
        seq         INTEGER NOT NULL,
        ts_ms       INTEGER NOT NULL,
        final       INTEGER NOT NULL,
        agent_id    TEXT    NOT NULL,
        payload     TEXT    NOT NULL,              -- the ledger message as the agent published it
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (site, line, start_ms)
      ) WITHOUT ROWID;
      CREATE INDEX ledgers_end ON ledgers(end_ms);
    `);
  },
  (db) => {
    db.exec(`
      -- Each agent's last status and when the plant server saw it change: "offline since" survives
      -- a restart (the retained status the broker sends again has no time of its own).
      CREATE TABLE agent_status (
        site     TEXT    NOT NULL,
        agent_id TEXT    NOT NULL,
        status   TEXT    NOT NULL,
        since_ms INTEGER NOT NULL,
        PRIMARY KEY (site, agent_id)
      ) WITHOUT ROWID;
    `);
  },
];

export const DAY_MS = 86_400_000;
/** Most rows one /api/plant/shifts answer carries (14 days × 3 shifts × 50 lines is 2,100). */
export const MAX_SHIFT_ROWS = 5_000;

export interface StoredLedger {
  readonly site: string;
  readonly line: string;
  readonly ledger: LedgerT;
}

export interface StoredStatus {
  readonly site: string;
  readonly agentId: string;
  readonly status: 'online' | 'offline';
  readonly sinceMs: number;
}

export interface StoreHealth {
  readonly writable: boolean;
  readonly file: string;
  readonly writes: number;
  readonly errors: number;
  readonly lastError?: string;
}

export class LedgerStore {
  private readonly upsertStmt: Database.Statement;
  private writes = 0;
  private errors = 0;
  private lastError: string | undefined;

  private constructor(
    private readonly db: Db,
    readonly file: string,
    private readonly log: Logger,
  ) {
    this.upsertStmt = db.prepare(`
      INSERT INTO ledgers (site, line, start_ms, end_ms, shift, seq, ts_ms, final, agent_id, payload, received_ms)
      VALUES (@site, @line, @start, @end, @shift, @seq, @ts, @final, @agentId, @payload, @received)
      ON CONFLICT (site, line, start_ms) DO UPDATE SET
        end_ms = excluded.end_ms, shift = excluded.shift, seq = excluded.seq, ts_ms = excluded.ts_ms,
        final = excluded.final, agent_id = excluded.agent_id, payload = excluded.payload,
        received_ms = excluded.received_ms
      WHERE excluded.seq > ledgers.seq`);
  }

  /** Opens (creating) `dir/plant.db`; a damaged file is moved aside and a fresh one started. */
  static open(dir: string, logger: Logger, wallMs: number): LedgerStore {
    const log = logger.child({ component: 'plant-history' });
    const file = path.join(path.resolve(dir), 'plant.db');
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const opened = openSoundDb(file, wallMs);
      if (opened.movedAside !== undefined)
        log.error(
          { file, ...opened.movedAside },
          `plant history ${file} failed its integrity check; moved it aside and started an empty one`,
        );
      applyWalPragmas(opened.db, { synchronous: 'NORMAL', journalSizeLimitBytes: 4 * 1024 * 1024 });
      runMigrations(opened.db, MIGRATIONS, 'plant history schema');
      return new LedgerStore(opened.db, file, log);
    } catch (err) {
      throw new LinesideError(
        'HISTORY_IO',
        `cannot open the plant history ${file}: ${errorMessage(err)}`,
        { component: 'plant-history', file, path: ['storage', 'dir'] },
        { cause: err },
      );
    }
  }

  /** Keeps the ledger unless a row with the same or a higher seq is there; true when written. */
  upsert(site: string, line: string, ledger: LedgerT, payload: string, receivedMs: number): boolean {
    try {
      const info = this.upsertStmt.run({
        site,
        line,
        start: ledger.start,
        end: ledger.end,
        shift: ledger.shift,
        seq: ledger.seq,
        ts: ledger.ts,
        final: ledger.final ? 1 : 0,
        agentId: ledger.agentId,
        payload,
        received: receivedMs,
      });
      this.writes++;
      this.lastError = undefined;
      return info.changes > 0;
    } catch (err) {
      this.fail('storing a ledger', err, { site, line, start: ledger.start });
      return false;
    }
  }

  /** Records an agent's status change (null: the retained status was cleared). */
  putStatus(site: string, agentId: string, status: 'online' | 'offline' | null, sinceMs: number): void {
    try {
      if (status === null)
        this.db.prepare('DELETE FROM agent_status WHERE site = ? AND agent_id = ?').run(site, agentId);
      else
        this.db
          .prepare(
            `INSERT INTO agent_status (site, agent_id, status, since_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (site, agent_id) DO UPDATE SET status = excluded.status, since_ms = excluded.since_ms`,
          )
          .run(site, agentId, status, sinceMs);
    } catch (err) {
      this.fail('storing an agent status', err, { site, agentId });
    }
  }

  statuses(): StoredStatus[] {
    const rows = this.db.prepare('SELECT site, agent_id, status, since_ms FROM agent_status').all() as Array<{
      site: string;
      agent_id: string;
      status: string;
      since_ms: number;
    }>;
    return rows.flatMap((r) =>
      r.status === 'online' || r.status === 'offline'
        ? [{ site: r.site, agentId: r.agent_id, status: r.status, sinceMs: r.since_ms }]
        : [],
    );
  }

  /** The newest shift's ledger of every line (the model's start-up state). */
  currentPerLine(): StoredLedger[] {
    const rows = this.db
      .prepare(
        `SELECT site, line, payload FROM ledgers l
         WHERE start_ms = (SELECT MAX(start_ms) FROM ledgers m WHERE m.site = l.site AND m.line = l.line)`,
      )
      .all() as Array<{ site: string; line: string; payload: string }>;
    return this.parseRows(rows);
  }

  /** Stored ledgers of shifts overlapping [fromMs, toMs), oldest first. */
  shifts(fromMs: number, toMs: number, limit = MAX_SHIFT_ROWS): StoredLedger[] {
    const rows = this.db
      .prepare(
        `SELECT site, line, payload FROM ledgers WHERE start_ms < ? AND end_ms > ?
         ORDER BY start_ms, site, line LIMIT ?`,
      )
      .all(toMs, fromMs, limit) as Array<{ site: string; line: string; payload: string }>;
    return this.parseRows(rows);
  }

  /** Deletes shifts that ended more than `days` ago; returns how many. */
  prune(nowMs: number, days: number): number {
    try {
      return this.db.prepare('DELETE FROM ledgers WHERE end_ms < ?').run(nowMs - days * DAY_MS).changes;
    } catch (err) {
      this.fail('pruning old shifts', err, {});
      return 0;
    }
  }

  health(): StoreHealth {
    return {
      writable: this.lastError === undefined,
      file: this.file,
      writes: this.writes,
      errors: this.errors,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  close(): void {
    this.db.close();
  }

  private parseRows(rows: ReadonlyArray<{ site: string; line: string; payload: string }>): StoredLedger[] {
    const out: StoredLedger[] = [];
    for (const row of rows) {
      // Stored rows passed validation once; one that no longer does (edited by hand) is skipped.
      const parsed = parseJson(Ledger, row.payload);
      if (parsed.ok) out.push({ site: row.site, line: row.line, ledger: parsed.value });
      else
        this.log.warn({ site: row.site, line: row.line, reason: parsed.reason }, 'skipped an unreadable stored ledger');
    }
    return out;
  }

  private fail(what: string, err: unknown, context: Record<string, unknown>): void {
    this.errors++;
    const first = this.lastError === undefined;
    this.lastError = `${what}: ${errorMessage(err)}`;
    if (first)
      this.log.error({ code: 'HISTORY_IO', file: this.file, ...context, err: errorMessage(err) }, this.lastError);
  }
}
