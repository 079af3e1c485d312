/**
 * The writer's bookkeeping: counters, the last error, what gets logged when, and the health view.
 * Logging rules: an outage is logged when it starts, when its error text changes and then once a
 * minute (not once per retry); every refused (poison) point is logged with its line protocol and
 * spool id, up to ten per request; skipped rows once, then a summary a minute.
 */
import type { Clock } from '../../core/sample.js';
import { LinesideError, type ErrorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { RateMeter } from '../../lib/rate-meter.js';
import { authKind, type InfluxConfig } from './target.js';
import { describeFailure, type WriteFailure } from './failures.js';
import type { InfluxWriterHealth } from './health.js';
import type { BatchEntry } from './batch-writer.js';
import { describeLine } from './line-protocol.js';
import type { SkipReason } from './points.js';

/** How often a continuing problem is logged again, ms. */
const REPEAT_LOG_MS = 60_000;
/** Poisoned points logged one by one per request; the rest are summarised. */
const POISON_LOG_LIMIT = 10;

/** What the writer itself knows for health(): cursor, backlog, when the next retry is. */
export interface WriterPosition {
  readonly url: string;
  readonly ackedId: number;
  readonly backlog: number;
  readonly oldestUnsentAgeMs: number;
  readonly nextRetryInMs?: number;
}

export class WriterStatus {
  ready = false;
  connected = false;
  warnings: readonly string[] = [];
  /** Consecutive failed attempts (0 while writing fine). */
  retrying = 0;
  private sent = 0;
  private batches = 0;
  private errors = 0;
  private poisoned = 0;
  private skipped = 0;
  private skippedSinceLog = 0;
  private skipLoggedAtMono: number | undefined;
  private lastError: LinesideError | undefined;
  private lastErrorAt: number | undefined;
  private lastLoggedError: { text: string; atMono: number } | undefined;
  private lastPoison: InfluxWriterHealth['lastPoison'];
  private lastWriteAt: number | undefined;
  private readonly meter = new RateMeter();

  constructor(
    private readonly cfg: InfluxConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** A request succeeded; `points` were written by it (0 for set-up queries). */
  succeeded(url: string, points?: number): void {
    if (points !== undefined) {
      this.sent += points;
      this.batches += 1;
      this.meter.add(this.clock.monoMs(), points);
      this.lastWriteAt = this.clock.wallMs();
    }
    if (!this.connected || this.retrying > 0) {
      this.log.info(
        { url, afterAttempts: this.retrying },
        this.retrying > 0 ? 'InfluxDB reachable again; writing the backlog' : 'InfluxDB reachable',
      );
    }
    this.connected = true;
    this.retrying = 0;
    this.lastLoggedError = undefined;
    this.lastError = undefined;
    this.lastErrorAt = undefined;
  }

  failed(failure: WriteFailure, what: string, url: string, backlog: () => number): void {
    this.errors += 1;
    this.retrying += 1;
    this.connected = false;
    const text = `${what} to ${url} failed: ${describeFailure(failure)}${failureHint(failure, this.cfg)}`;
    this.recordError('INFLUX_WRITE', text, url);
    const now = this.clock.monoMs();
    const last = this.lastLoggedError;
    if (last !== undefined && last.text === text && now - last.atMono < REPEAT_LOG_MS) return;
    this.lastLoggedError = { text, atMono: now };
    const fields = { url, attempt: this.retrying, backlog: backlog() };
    if (failure.kind === 'retry') this.log.warn(fields, `${text}; the spool keeps the data, retrying`);
    else this.log.error(fields, `${text}; the spool keeps the data, retrying`);
  }

  poison(points: readonly BatchEntry[], failure: WriteFailure): void {
    this.poisoned += points.length;
    const error = describeFailure(failure);
    for (const p of points.slice(0, POISON_LOG_LIMIT)) {
      const err = new LinesideError(
        'INFLUX_POISON',
        `InfluxDB refused a point for good (${error}); dropped and counted`,
        { spoolId: p.spoolId, point: describeLine(p.line) },
      );
      this.log.error({ spoolId: p.spoolId, point: describeLine(p.line), err: error }, err.toString());
    }
    if (points.length > POISON_LOG_LIMIT)
      this.log.error(
        { count: points.length - POISON_LOG_LIMIT },
        `INFLUX_POISON ${points.length - POISON_LOG_LIMIT} more points of the same request refused (${error})`,
      );
    const first = points[0];
    if (first !== undefined) this.lastPoison = { point: describeLine(first.line), error, at: this.clock.wallMs() };
  }

  /** A row that produced no point (a Pi with an unset clock would otherwise log every row). */
  skippedRow(spoolId: number, kind: string, reason: Exclude<SkipReason, 'not-written'>): void {
    this.skipped += 1;
    this.skippedSinceLog += 1;
    const now = this.clock.monoMs();
    if (this.skipLoggedAtMono !== undefined && now - this.skipLoggedAtMono < REPEAT_LOG_MS) return;
    this.skipLoggedAtMono = now;
    const why =
      reason === 'bad-time'
        ? 'a timestamp before 2000 (system clock not set yet?)'
        : 'no writable value (NaN or Infinity)';
    this.log.warn(
      { spoolId, kind, reason, skippedTotal: this.skipped },
      `spool row ${spoolId} has ${why}; not written to InfluxDB (${this.skippedSinceLog} such rows since the last message)`,
    );
    this.skippedSinceLog = 0;
  }

  recordError(code: ErrorCode, message: string, url: string): void {
    const where =
      this.cfg.api === 'v2' ? { bucket: this.cfg.bucket, org: this.cfg.org } : { database: this.cfg.database };
    this.lastError = new LinesideError(code, message, { url, ...where });
    this.lastErrorAt = this.clock.wallMs();
  }

  health(position: WriterPosition): InfluxWriterHealth {
    return {
      url: position.url,
      api: this.cfg.api,
      database: this.cfg.database,
      retentionPolicy: this.cfg.retentionPolicy.name,
      ...(this.cfg.api === 'v2' && this.cfg.bucket !== undefined && this.cfg.org !== undefined
        ? { bucket: this.cfg.bucket, org: this.cfg.org }
        : {}),
      auth: authKind(this.cfg),
      connected: this.connected,
      ready: this.ready,
      sent: this.sent,
      batches: this.batches,
      pointsPerSecond: this.meter.perSecond(this.clock.monoMs()),
      errors: this.errors,
      retrying: this.retrying,
      ...(position.nextRetryInMs === undefined ? {} : { nextRetryInMs: position.nextRetryInMs }),
      ...(this.lastError === undefined
        ? {}
        : { lastError: this.lastError.toString(), lastErrorCode: this.lastError.code }),
      ...(this.lastErrorAt === undefined ? {} : { lastErrorAt: this.lastErrorAt }),
      poisoned: this.poisoned,
      ...(this.lastPoison === undefined ? {} : { lastPoison: this.lastPoison }),
      skipped: this.skipped,
      ackedId: position.ackedId,
      backlog: position.backlog,
      oldestUnsentAgeMs: position.oldestUnsentAgeMs,
      ...(this.lastWriteAt === undefined ? {} : { lastWriteAt: this.lastWriteAt }),
      warnings: this.warnings,
    };
  }
}

/** What the user should check, by failure kind. Names settings, never their secret values. */
function failureHint(failure: WriteFailure, cfg: InfluxConfig): string {
  const token = (cfg.token ?? '') !== '';
  const where =
    cfg.api === 'v2'
      ? `bucket "${cfg.bucket ?? ''}" in org "${cfg.org ?? ''}"`
      : `the bucket mapped to database "${cfg.database}", retention policy "${cfg.retentionPolicy.name}" (DBRP)`;
  switch (failure.kind) {
    case 'auth':
      if (token) return ` (check influx.token: InfluxDB refused it; it needs write permission on ${where})`;
      return cfg.username === undefined
        ? ' (InfluxDB requires authentication: set influx.token (InfluxDB 2.x/3.x), or influx.username and influx.password or influx.passwordFile)'
        : ` (check influx.username "${cfg.username}" / influx.password and that the user may write to "${cfg.database}": GRANT ALL ON "${cfg.database}" TO "${cfg.username}")`;
    case 'no-database':
      if (cfg.api === 'v2') return ` (create ${where}, or correct influx.bucket / influx.org)`;
      if (token)
        return ` (nothing answers to database "${cfg.database}", retention policy "${cfg.retentionPolicy.name}": on InfluxDB 2.x create a bucket named "${cfg.database}/${cfg.retentionPolicy.name}" or a DBRP mapping, on 3.x the database "${cfg.database}"; docs/influxdb.md)`;
      if (cfg.setup === 'off') return ` (create database "${cfg.database}"; with influx.setup: off Lineside does not)`;
      return cfg.createDatabase
        ? ' (creating it again)'
        : ` (create database "${cfg.database}" or set influx.createDatabase: true)`;
    case 'unexpected':
      return cfg.api === 'v2'
        ? ' (is influx.url an InfluxDB 2.x/3.x HTTP endpoint with /api/v2/write?)'
        : ' (is influx.url an InfluxDB HTTP endpoint?)';
    default:
      return '';
  }
}
