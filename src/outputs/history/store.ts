/**
 * The history store: buffers core events, writes them in one transaction per flush interval,
 * trims raw cycles per station, prunes past the retention, and answers the dashboard's queries.
 * See types.ts for the contract.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../core/events.js';
import type { Clock } from '../../core/sample.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { openHistoryDb } from './open.js';
import { HistoryQueries } from './queries.js';
import type {
  AlertRecord,
  AuditQuery,
  OrderQuery,
  OrderRecord,
  AuditRecord,
  CycleBucket,
  DowntimeQuery,
  DowntimeRecord,
  HistoryHealth,
  HistoryStore,
  OeeQuery,
  OeeRecord,
  StateSpan,
} from './types.js';
import { HistoryWriterStatements } from './writer.js';

export interface HistoryOptions {
  /** Directory of the history file (config `storage.dir`); created if missing. */
  readonly dir: string;
  /** File name inside `dir`; default "history.db". */
  readonly fileName?: string;
  /** Keep this much history, ms (config `storage.historyRetention`). */
  readonly retentionMs: number;
  /**
   * Keep the shift records (final OEE per shift, downtimes, alerts) this long, ms, when longer than
   * `retentionMs` (config `storage.shiftHistoryRetention`); default `retentionMs`.
   */
  readonly shiftRetentionMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Batched write interval, ms; default 500. */
  readonly flushIntervalMs?: number;
  /** Raw cycles kept per station (older ones survive as per-minute roll-ups); default 5,000. */
  readonly rawCyclesPerStation?: number;
  /** Events buffered at most while the disk refuses writes; older ones are dropped; default 50,000. */
  readonly maxBufferedEvents?: number;
  /** Prune interval, ms; default 1 h. */
  readonly pruneIntervalMs?: number;
}

const LOG_EVERY_MS = 60_000;
/** Operator actions stay at least this long, whatever storage.historyRetention says. */
const AUDIT_RETENTION_MS = 366 * 24 * 3_600_000;

export function openHistoryStore(options: HistoryOptions): HistoryStore {
  return new SqliteHistoryStore(options);
}

class SqliteHistoryStore implements HistoryStore {
  private readonly file: string;
  private readonly db: Database.Database;
  private readonly writer: HistoryWriterStatements;
  private readonly queries: HistoryQueries;
  private readonly trimRaw: Database.Statement;
  private readonly rawKeep: number;
  private readonly maxBuffered: number;
  private readonly rawSinceTrim = new Map<string, number>();
  private buffer: CoreEvent[] = [];
  private recorded = 0;
  private dropped = 0;
  private writeErrors = 0;
  private lastError: string | undefined;
  private lastErrorLoggedAt = Number.NEGATIVE_INFINITY;
  private lastFlushAt: number | undefined;
  private lastPruneAt: number | undefined;
  private writable = true;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly options: HistoryOptions) {
    this.file = path.join(options.dir, options.fileName ?? 'history.db');
    this.db = openHistoryDb(this.file, options.logger, options.clock.wallMs());
    this.writer = new HistoryWriterStatements(this.db);
    this.queries = new HistoryQueries(this.db);
    this.trimRaw = this.db.prepare(
      'DELETE FROM cycles_raw WHERE station = ? AND ts < (SELECT ts FROM cycles_raw WHERE station = ? ORDER BY ts DESC LIMIT 1 OFFSET ?)',
    );
    this.rawKeep = options.rawCyclesPerStation ?? 5_000;
    this.maxBuffered = options.maxBufferedEvents ?? 50_000;
    this.prune();
    this.flushTimer = setInterval(() => this.flush(), options.flushIntervalMs ?? 500);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => this.prune(), options.pruneIntervalMs ?? 3_600_000);
    this.pruneTimer.unref();
  }

  record(event: CoreEvent): void {
    if (this.closed) return;
    this.buffer.push(event);
    if (this.buffer.length > this.maxBuffered) {
      // The disk has refused writes for a long while: keep the newest, count the loss.
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    if (this.buffer.length >= 1_000 && this.writable) this.flush();
  }

  flush(): void {
    if (this.closed || this.buffer.length === 0) return;
    const batch = this.buffer;
    try {
      this.db.transaction(() => {
        for (const event of batch) {
          this.writer.apply(event);
          if (event.type === 'cycle')
            this.rawSinceTrim.set(event.station, (this.rawSinceTrim.get(event.station) ?? 0) + 1);
        }
        this.trimRawCycles();
      })();
      this.buffer = [];
      this.recorded += batch.length;
      this.lastFlushAt = this.options.clock.wallMs();
      this.writable = true;
    } catch (err) {
      // The batch stays buffered (bounded by maxBufferedEvents) and is retried next flush.
      this.failed('write', err);
    }
  }

  /** Trims a station's raw cycles once it has added a tenth of its allowance since the last trim. */
  private trimRawCycles(): void {
    const every = Math.max(1, Math.floor(this.rawKeep / 10));
    for (const [station, added] of this.rawSinceTrim) {
      if (added < every) continue;
      this.trimRaw.run(station, station, this.rawKeep - 1);
      this.rawSinceTrim.set(station, 0);
    }
  }

  prune(): number {
    if (this.closed) return 0;
    const cutoff = this.options.clock.wallMs() - this.options.retentionMs;
    try {
      let deleted = 0;
      this.db.transaction(() => {
        deleted += this.db
          .prepare('DELETE FROM state_spans WHERE end_ms IS NOT NULL AND end_ms < ?')
          .run(cutoff).changes;
        deleted += this.db.prepare('DELETE FROM cycle_minutes WHERE minute_ms < ?').run(cutoff).changes;
        deleted += this.db.prepare('DELETE FROM cycles_raw WHERE ts < ?').run(cutoff).changes;
        // A shift's records are a few rows (its OEE per station, its downtimes and alerts): the trend
        // and the day and week reports keep them longer than the per-minute detail.
        const shiftCutoff = Math.min(cutoff, this.options.clock.wallMs() - (this.options.shiftRetentionMs ?? 0));
        deleted += this.db
          .prepare('DELETE FROM downtime WHERE end_ms IS NOT NULL AND end_ms < ?')
          .run(shiftCutoff).changes;
        deleted += this.db.prepare('DELETE FROM oee WHERE window_end < ?').run(shiftCutoff).changes;
        deleted += this.db.prepare("DELETE FROM alerts WHERE status = 'resolved' AND ts < ?").run(shiftCutoff).changes;
        // The audit trail is a few rows a shift: it is kept a year even when the rest is kept a week.
        const auditCutoff = Math.min(cutoff, this.options.clock.wallMs() - AUDIT_RETENTION_MS);
        deleted += this.db.prepare('DELETE FROM audit WHERE ts < ?').run(auditCutoff).changes;
        // Orders too (a few a shift): a year of order history.
        deleted += this.db.prepare("DELETE FROM orders WHERE status != 'running' AND ts < ?").run(auditCutoff).changes;
      })();
      this.lastPruneAt = this.options.clock.wallMs();
      return deleted;
    } catch (err) {
      this.failed('prune', err);
      return 0;
    }
  }

  private failed(what: string, err: unknown): void {
    this.writeErrors++;
    this.writable = false;
    this.lastError = `HISTORY_IO history ${what} failed on ${this.file}: ${errorMessage(err)}`;
    const now = this.options.clock.monoMs();
    if (now - this.lastErrorLoggedAt >= LOG_EVERY_MS) {
      this.lastErrorLoggedAt = now;
      this.options.logger.error(
        { err: { code: 'HISTORY_IO', message: errorMessage(err) }, file: this.file, buffered: this.buffer.length },
        `history ${what} failed; retrying`,
      );
    }
  }

  /** Every read first writes what is buffered, so readers see every event recorded before. */
  private read<T>(query: () => T, empty: T): T {
    if (this.closed) return empty;
    this.flush();
    return query();
  }

  timeline(station: string, from: number, to: number): StateSpan[] {
    return this.read(() => this.queries.timeline(station, from, to, this.options.clock.wallMs()), []);
  }

  cycles(station: string, from: number, to: number, points: number): CycleBucket[] {
    return this.read(() => this.queries.cycles(station, from, to, points), []);
  }

  downtime(query: DowntimeQuery): DowntimeRecord[] {
    return this.read(() => this.queries.downtime(query), []);
  }

  downtimeById(id: string): DowntimeRecord | undefined {
    return this.read(() => this.queries.downtimeById(id), undefined);
  }

  oee(query: OeeQuery): OeeRecord | undefined {
    return this.read(() => this.queries.oee(query), undefined);
  }

  oeeStations(line: string, windowStart: number): OeeRecord[] {
    return this.read(() => this.queries.oeeStations(line, windowStart), []);
  }

  oeeShifts(line: string, from: number, to: number): OeeRecord[] {
    return this.read(() => this.queries.oeeShifts(line, from, to), []);
  }

  alerts(since: number): AlertRecord[] {
    return this.read(() => this.queries.alerts(since), []);
  }

  alertById(alertId: string): AlertRecord | undefined {
    return this.read(() => this.queries.alertById(alertId), undefined);
  }

  orders(query: OrderQuery): OrderRecord[] {
    return this.read(() => this.queries.orders(query), []);
  }

  audit(query: AuditQuery): AuditRecord[] {
    return this.read(() => this.queries.audit(query), []);
  }

  health(): HistoryHealth {
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.file + suffix).size;
      } catch {
        // No WAL file right after a checkpoint: nothing to add.
      }
    }
    const h: { -readonly [K in keyof HistoryHealth]: HistoryHealth[K] } = {
      file: this.file,
      writable: this.writable && !this.closed,
      recorded: this.recorded,
      buffered: this.buffer.length,
      writeErrors: this.writeErrors,
      dropped: this.dropped,
      bytes,
    };
    if (this.lastError !== undefined) h.lastError = this.lastError;
    if (this.lastFlushAt !== undefined) h.lastFlushAt = this.lastFlushAt;
    if (this.lastPruneAt !== undefined) h.lastPruneAt = this.lastPruneAt;
    return h;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    try {
      this.db.close();
    } catch (err) {
      this.options.logger.warn({ err: errorMessage(err), file: this.file }, 'closing the history failed');
    }
  }
}
