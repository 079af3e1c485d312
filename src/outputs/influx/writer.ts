/**
 * The InfluxDB writer: reads the spool with its own cursor ("influx") and writes history to
 * InfluxDB 1.x in batches (docs/influxdb.md).
 *
 * Guarantees and how:
 * - Nothing is lost across an InfluxDB outage or an agent crash: the cursor moves past a row only
 *   after the batch holding its point was accepted (or the point was refused for good, below);
 *   until then the row stays in the spool, on disk. After a restart the writer resumes from the
 *   persisted cursor and re-sends at most the batch in flight.
 * - Nothing is duplicated: every point has an explicit timestamp derived from the event itself
 *   (points.ts), so a re-sent point overwrites itself.
 * - Batching: a batch is written when it holds `influx.batchSize` points or when its oldest point
 *   has waited `influx.flushInterval`. After an outage the backlog goes out in full batches, back
 *   to back, one request at a time (InfluxDB on a Pi prefers that to parallel writes).
 * - Failures: network errors, timeouts and 5xx are retried with capped exponential backoff and
 *   jitter, forever; 401/403/404 likewise, reported as errors the user must look at. HTTP 400 is
 *   poison: the batch is split to isolate the bad points, which are logged and counted
 *   (health().poisoned); the rest is written.
 * - Back soon after an outage: while a backoff longer than the probe interval runs out after
 *   InfluxDB stopped answering, `GET /ping` asks about once a second whether it is back, and the
 *   write is retried as soon as it is (probe.ts; which failures allow it: failures.ts,
 *   probeModeFor). So writing resumes within about 1–2 s of InfluxDB answering, however long the
 *   backoff had grown, while a server that answers but refuses (401, 5xx) still gets the backoff.
 * - The core never waits: the spool takes the events; this loop reads them when the spool commits.
 */
import type { IPoint } from 'influx';
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock } from '../../core/sample.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
// Pure helpers shared with the MQTT publisher (candidates for src/lib).
import { Backoff } from '../../lib/backoff.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import { SpoolCursor, type Spool } from '../spool/index.js';
import { WriteFailedError, writeBatch, type BatchEntry, type SendPoints } from './batch-writer.js';
import { createInfluxClient, influxTarget, redactInfluxUrl, type InfluxClient, type InfluxTarget } from './client.js';
import { PointRejectedError, probeModeFor, type ProbeMode, type WriteFailure } from './failures.js';
import type { InfluxWriterHealth } from './health.js';
import { buildPointContext, rowToPoint, type InfluxPoint, type PointContext } from './points.js';
import { realTimers, startProbing, type ProbeTimers, type Probing } from './probe.js';
import { checkRetentionDuration, prepareDatabase } from './setup.js';
import { WriterStatus } from './status.js';

export const DESTINATION = 'influx';

export interface InfluxWriterDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly spool: Spool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tuning?: {
    /** First retry delay, ms; default 1,000. */
    readonly retryMinMs?: number;
    /** Retry delay cap, ms; default 30,000. */
    readonly retryMaxMs?: number;
    /** HTTP request timeout, ms; default 15,000. */
    readonly requestTimeoutMs?: number;
    /** How long stop() waits for a write in flight before abandoning it, ms; default 5,000. */
    readonly stopGraceMs?: number;
    /** Jitter source for the backoff and the probe. */
    readonly random?: () => number;
    /** Least spacing of the /ping probes while backing off after an outage, ms; default 1,000. 0 turns probing off. */
    readonly probeIntervalMs?: number;
    /** Timeout of one /ping, ms; default 2,000. */
    readonly probeTimeoutMs?: number;
    /** Timers of the probe schedule (tests). */
    readonly timers?: ProbeTimers;
  };
}

export interface InfluxWriter extends OutputHandle {
  /**
   * Checks the config and starts writing in the background. Resolves without waiting for InfluxDB
   * (down at start = retried like any outage); rejects only for what the user must fix
   * (CONFIG_INVALID: a URL that is not http(s), a retention duration InfluxQL would not accept).
   */
  start(): Promise<void>;
  /** Writes what is pending if InfluxDB answers within the grace period, then stops. Safe to call twice. */
  stop(): Promise<void>;
  health(): InfluxWriterHealth;
}

export function createInfluxWriter(deps: InfluxWriterDeps): InfluxWriter {
  return new Writer(deps);
}

interface PendingBatch {
  entries: BatchEntry[];
  /** Highest spool id covered (rows that produced no point included). */
  lastRowId: number;
  /** Monotonic ms when the first point entered the batch. */
  firstMono: number;
}

class Writer implements InfluxWriter {
  private readonly log: Logger;
  private readonly cfg: LinesideConfig['influx'];
  private readonly ctx: PointContext;
  private readonly backoff: Backoff;
  private readonly writerStatus: WriterStatus;
  private target: InfluxTarget | undefined;
  private client: InfluxClient | undefined;
  private unsubscribeCommit: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;

  private acked: number;
  private readonly cursor: SpoolCursor;
  private batch: PendingBatch;
  private wake: (() => void) | undefined;
  private wakeOnCommit = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private nextAttemptMono: number | undefined;
  /** The current backoff was cut short by the probe (so the next one needs a probe to see it down first). */
  private wokenByProbe = false;

  constructor(private readonly deps: InfluxWriterDeps) {
    this.log = deps.logger.child({ component: 'influx' });
    this.cfg = deps.config.influx;
    this.ctx = buildPointContext(deps.config);
    this.backoff = new Backoff({ initialMs: deps.tuning?.retryMinMs ?? 1_000, maxMs: deps.tuning?.retryMaxMs ?? 30_000 }, deps.tuning?.random);
    this.writerStatus = new WriterStatus(this.cfg, deps.clock, this.log);
    this.acked = deps.spool.ackedId(DESTINATION);
    this.cursor = new SpoolCursor(deps.spool, DESTINATION, this.cfg.writeSamples ? undefined : ['event']);
    this.batch = { entries: [], lastRowId: this.acked, firstMono: 0 };
  }

  async start(): Promise<void> {
    if (this.target !== undefined) return;
    const target = influxTarget(this.cfg);
    checkRetentionDuration(this.cfg);
    this.target = target;
    if (target.protocol === 'http' && target.username !== undefined && !['127.0.0.1', 'localhost', '::1'].includes(target.host)) {
      this.log.warn({ url: target.url }, 'InfluxDB credentials go over plain http to another host; use https:// (docs/influxdb.md)');
    }
    this.client = createInfluxClient(target, { rejectUnauthorized: this.cfg.rejectUnauthorized, requestTimeoutMs: this.deps.tuning?.requestTimeoutMs ?? 15_000 });
    this.unsubscribeCommit = this.deps.spool.onCommit(() => {
      if (this.wakeOnCommit) this.wakeUp();
    });
    this.log.info({ url: target.url, database: target.database, retentionPolicy: target.retentionPolicy, resumeAfter: this.acked }, 'InfluxDB writer started');
    this.loopDone = this.loop().catch((err: unknown) => {
      // Only the final drain at stop can get here; its rows stay in the spool for the next start.
      this.log.error({ err: errorMessage(err) }, `InfluxDB writer failed while stopping: ${errorMessage(err)}`);
    });
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopRequested) {
      try {
        await this.step();
      } catch (err) {
        // A bug or a spool I/O error, not an outage: report it loudly and carry on after a pause;
        // the rows stay in the spool, so nothing is lost by trying again.
        this.log.error({ err: errorMessage(err) }, `InfluxDB writer failed unexpectedly: ${errorMessage(err)}; retrying`);
        this.writerStatus.recordError('INTERNAL', `InfluxDB writer failed unexpectedly: ${errorMessage(err)}`, this.url());
        await this.waitForWork(this.backoff.next(), false);
      }
    }
    // Stopping: one last attempt for what is pending, unless InfluxDB is known to be down.
    if (this.writerStatus.ready && this.writerStatus.connected) {
      this.fill();
      if (this.batch.entries.length > 0) await this.writePending();
      else if (this.batch.lastRowId > this.acked) this.ackTo(this.batch.lastRowId);
    }
  }

  /** One turn of the loop: set up, or read and write or wait. */
  private async step(): Promise<void> {
    if (!this.writerStatus.ready) {
      await this.prepare();
      return;
    }
    this.fill();
    const batch = this.batch;
    if (batch.entries.length === 0) {
      if (batch.lastRowId > this.acked) this.ackTo(batch.lastRowId);
      await this.waitForWork(undefined);
      return;
    }
    if (batch.entries.length < this.cfg.batchSize) {
      const waitMs = batch.firstMono + this.cfg.flushInterval - this.deps.clock.monoMs();
      if (waitMs > 0) {
        await this.waitForWork(waitMs);
        return;
      }
    }
    await this.writePending();
  }

  private async prepare(): Promise<void> {
    const client = this.client as InfluxClient;
    const target = this.target as InfluxTarget;
    try {
      const outcome = await prepareDatabase(client.influx, target, this.cfg, this.log);
      this.writerStatus.warnings = outcome.warnings;
      this.writerStatus.ready = true;
      this.succeeded();
    } catch (err) {
      if (!(err instanceof WriteFailedError)) throw err;
      await this.onFailure(err.failure, 'preparing the database');
    }
  }

  /** Reads committed rows after the read cursor into the batch, up to batchSize points. */
  private fill(): void {
    const { clock } = this.deps;
    const batch = this.batch;
    while (batch.entries.length < this.cfg.batchSize) {
      const limit = this.cfg.batchSize - batch.entries.length;
      const { rows, scannedTo } = this.cursor.next(limit);
      for (const row of rows) {
        const result = rowToPoint(row, this.ctx);
        if ('point' in result) {
          if (batch.entries.length === 0) batch.firstMono = clock.monoMs();
          batch.entries.push({ point: result.point, state: 'pending' });
        } else if (result.skipped !== 'not-written') {
          this.writerStatus.skippedRow(row.id, row.kind, result.skipped);
        }
      }
      batch.lastRowId = Math.max(batch.lastRowId, scannedTo);
      if (rows.length < limit) return;
    }
  }

  private async writePending(): Promise<void> {
    const batch = this.batch;
    const client = this.client as InfluxClient;
    const target = this.target as InfluxTarget;
    const send: SendPoints = async (points) => {
      let request: Promise<void>;
      try {
        request = client.influx.writePoints(points.map(toIPoint), { precision: 'u', database: target.database, retentionPolicy: target.retentionPolicy });
      } catch (err) {
        throw new PointRejectedError(errorMessage(err)); // node-influx's schema check threw: a bad point
      }
      await request;
    };
    try {
      await writeBatch(batch.entries, send, (points, failure) => this.writerStatus.poison(points, failure));
    } catch (err) {
      if (!(err instanceof WriteFailedError)) throw err;
      if (err.failure.kind === 'no-database' && this.cfg.createDatabase) this.writerStatus.ready = false;
      await this.onFailure(err.failure, `writing ${batch.entries.length} points`);
      return;
    }
    const written = batch.entries.reduce((n, e) => n + (e.state === 'written' ? 1 : 0), 0);
    this.ackTo(batch.lastRowId);
    this.batch = { entries: [], lastRowId: batch.lastRowId, firstMono: 0 };
    this.succeeded(written);
  }

  private ackTo(id: number): void {
    if (id <= this.acked) return;
    this.acked = id;
    this.cursor.ack(id);
  }

  // ---- outcomes -----------------------------------------------------------------------------

  private succeeded(points?: number): void {
    this.backoff.reset();
    this.wokenByProbe = false;
    this.writerStatus.succeeded(this.url(), points);
  }

  /**
   * Records the failure, then waits out the backoff; stop() cuts the wait short, and so does the
   * /ping probe once InfluxDB answers again after it stopped answering.
   */
  private async onFailure(failure: WriteFailure, what: string): Promise<void> {
    this.writerStatus.failed(failure, what, this.url(), () => this.spoolView()?.pending ?? 0);
    const delay = this.backoff.next();
    const startedMono = this.deps.clock.monoMs();
    this.nextAttemptMono = startedMono + delay;
    let mode = probeModeFor(failure);
    // The last wait ended on a ping and the write failed all the same: the next ping that answers
    // proves nothing until one has failed, or a server that answers /ping but not writes would
    // get a write a second instead of the backoff.
    if (mode === 'answer' && this.wokenByProbe) mode = 'recovery';
    const probeIntervalMs = this.deps.tuning?.probeIntervalMs ?? 1_000;
    let woken = false;
    const probing = mode !== undefined && probeIntervalMs > 0 && delay > probeIntervalMs ? this.startProbe(mode, probeIntervalMs, () => (woken = true)) : undefined;
    await this.waitForWork(delay, false);
    probing?.stop();
    this.wokenByProbe = woken;
    if (woken) this.log.info({ url: this.url(), backoffMs: delay, cutShortByMs: Math.max(0, Math.round(startedMono + delay - this.deps.clock.monoMs())) }, 'InfluxDB answers /ping again; retrying now');
    this.nextAttemptMono = undefined;
  }

  private startProbe(mode: ProbeMode, intervalMs: number, onWoken: () => void): Probing {
    const client = this.client as InfluxClient;
    const timeoutMs = this.deps.tuning?.probeTimeoutMs ?? 2_000;
    return startProbing({
      mode,
      intervalMs,
      now: () => this.deps.clock.monoMs(),
      random: this.deps.tuning?.random ?? Math.random,
      timers: this.deps.tuning?.timers ?? realTimers,
      ping: async (signal) => (await client.ping(timeoutMs, signal)).answered,
      onReachable: () => {
        onWoken();
        this.wakeUp();
      },
    });
  }

  // ---- waiting -------------------------------------------------------------------------------

  /** Sleeps until `ms` passed (undefined: no timeout), stop() is called, or (wakeOnCommit) the spool commits. */
  private waitForWork(ms: number | undefined, wakeOnCommit = true): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.wakeOnCommit = wakeOnCommit;
      if (ms !== undefined) this.wakeTimer = setTimeout(() => this.wakeUp(), Math.max(1, ms));
    });
  }

  private wakeUp(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeOnCommit = false;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  // ---- stop and health -----------------------------------------------------------------------

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopRequested = true;
      this.unsubscribeCommit?.();
      this.wakeUp();
      const loop = this.loopDone;
      if (loop !== undefined) {
        let graceTimer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          graceTimer = setTimeout(() => resolve('timeout'), this.deps.tuning?.stopGraceMs ?? 5_000);
        });
        const outcome = await Promise.race([loop.then(() => 'done' as const), grace]);
        clearTimeout(graceTimer);
        // A write still in flight: abandon it (its rows stay in the spool for the next start).
        this.client?.close();
        if (outcome === 'timeout') await loop;
      }
      this.client?.close();
      const h = this.health();
      this.log.info({ ackedId: h.ackedId, sent: h.sent, poisoned: h.poisoned, backlog: h.backlog }, 'InfluxDB writer stopped');
    })();
    return this.stopping;
  }

  private url(): string {
    return this.target?.url ?? redactInfluxUrl(this.cfg.url);
  }

  private spoolView() {
    return this.deps.spool.health().destinations[DESTINATION];
  }

  readonly name = DESTINATION;

  status(): OutputStatus {
    const h = this.health();
    return { name: this.name, up: h.connected, sent: h.sent, errors: h.errors, ...(h.lastError ? { lastError: h.lastError } : {}) };
  }

  health(): InfluxWriterHealth {
    const view = this.spoolView();
    return this.writerStatus.health({
      url: this.url(),
      ackedId: this.acked,
      backlog: view?.pending ?? 0,
      oldestUnsentAgeMs: view?.oldestUnsentAgeMs ?? 0,
      ...(this.nextAttemptMono === undefined ? {} : { nextRetryInMs: Math.max(0, Math.round(this.nextAttemptMono - this.deps.clock.monoMs())) }),
    });
  }
}

function toIPoint(p: InfluxPoint): IPoint {
  return { measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: p.timestamp };
}
