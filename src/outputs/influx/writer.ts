/**
 * The InfluxDB writer: the generic spooled-output runner (src/outputs/runner.ts) with the
 * InfluxDB destination (destination.ts): reads the spool with its own cursor ("influx") and
 * writes history in batches to InfluxDB 1.x, or to 2.x/3.x and QuestDB through the v1 `/write`
 * or the v2 `/api/v2/write` endpoint (target.ts; docs/influxdb.md).
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
 *   jitter, forever; 401/403/404 likewise, reported as errors the user must look at. HTTP 400 (422) is
 *   poison: the batch is split to isolate the bad points, which are logged and counted
 *   (health().poisoned); the rest is written.
 * - Back soon after an outage: while a backoff longer than the probe interval runs out after
 *   InfluxDB stopped answering, `GET /ping` asks about once a second whether it is back, and the
 *   write is retried as soon as it is (probe.ts; which failures allow it: failures.ts,
 *   probeModeFor). So writing resumes within about 1–2 s of InfluxDB answering, however long the
 *   backoff had grown, while a server that answers but refuses (401, 5xx) still gets the backoff.
 * - The core never waits: the spool takes the events; this loop reads them when the spool commits.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock } from '../../core/sample.js';
import type { Logger } from '../../lib/logger.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import { SpooledOutput } from '../runner.js';
import type { Spool } from '../spool/index.js';
import type { BatchEntry } from './batch-writer.js';
import { createInfluxClient, influxTarget, redactInfluxUrl, type InfluxClient } from './client.js';
import { InfluxDestination } from './destination.js';
import { authKind, describeDestination } from './target.js';
import type { InfluxWriterHealth } from './health.js';
import { buildPointContext } from './points.js';
import type { ProbeTimers } from './probe.js';
import { checkRetentionDuration } from './setup.js';
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

class Writer implements InfluxWriter {
  readonly name = DESTINATION;
  private readonly log: Logger;
  private readonly cfg: LinesideConfig['influx'];
  private readonly writerStatus: WriterStatus;
  private client: InfluxClient | undefined;
  private runner: SpooledOutput<BatchEntry> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: InfluxWriterDeps) {
    this.log = deps.logger.child({ component: 'influx' });
    this.cfg = deps.config.influx;
    this.writerStatus = new WriterStatus(this.cfg, deps.clock, this.log);
  }

  async start(): Promise<void> {
    if (this.runner !== undefined) return;
    const { deps, cfg } = this;
    const target = influxTarget(cfg);
    checkRetentionDuration(cfg);
    if (
      target.protocol === 'http' &&
      (target.username !== undefined || target.token !== undefined) &&
      !['127.0.0.1', 'localhost', '::1'].includes(target.host)
    ) {
      this.log.warn(
        { url: target.url },
        `InfluxDB ${target.token === undefined ? 'credentials go' : 'token goes'} over plain http to another host; use https:// (docs/influxdb.md)`,
      );
    }
    const tuning = deps.tuning ?? {};
    const client = createInfluxClient(target, {
      rejectUnauthorized: cfg.rejectUnauthorized,
      requestTimeoutMs: tuning.requestTimeoutMs ?? 15_000,
    });
    this.client = client;
    const destination = new InfluxDestination(
      DESTINATION,
      cfg,
      buildPointContext(deps.config),
      { client, target },
      this.writerStatus,
      {
        clock: deps.clock,
        log: this.log,
        probe: {
          intervalMs: tuning.probeIntervalMs ?? 1_000,
          timeoutMs: tuning.probeTimeoutMs ?? 2_000,
          random: tuning.random ?? Math.random,
          ...(tuning.timers !== undefined ? { timers: tuning.timers } : {}),
        },
        backlog: () => this.spoolView()?.pending ?? 0,
      },
    );
    this.runner = new SpooledOutput(
      destination,
      { spool: deps.spool, logger: deps.logger },
      {
        batchSize: cfg.batchSize,
        flushIntervalMs: cfg.flushInterval,
        backoff: { initialMs: tuning.retryMinMs ?? 1_000, maxMs: tuning.retryMaxMs ?? 30_000 },
        stopGraceMs: tuning.stopGraceMs ?? 5_000,
        ...(tuning.random !== undefined ? { random: tuning.random } : {}),
      },
    );
    this.log.info(
      {
        url: target.url,
        api: cfg.api,
        destination: describeDestination(target),
        auth: authKind(cfg),
        resumeAfter: deps.spool.ackedId(DESTINATION),
      },
      'InfluxDB writer started',
    );
    await this.runner.start();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.runner?.stop();
      this.client?.close();
      const h = this.health();
      this.log.info(
        { ackedId: h.ackedId, sent: h.sent, poisoned: h.poisoned, backlog: h.backlog },
        'InfluxDB writer stopped',
      );
    })();
    return this.stopping;
  }

  status(): OutputStatus {
    const h = this.health();
    return {
      name: this.name,
      up: h.connected,
      sent: h.sent,
      errors: h.errors,
      ...(h.lastError ? { lastError: h.lastError } : {}),
    };
  }

  health(): InfluxWriterHealth {
    const view = this.spoolView();
    const next = this.runner?.nextAttemptInMs();
    return this.writerStatus.health({
      url: this.client === undefined ? redactInfluxUrl(this.cfg.url) : influxTarget(this.cfg).url,
      ackedId: this.deps.spool.ackedId(DESTINATION),
      backlog: view?.pending ?? 0,
      oldestUnsentAgeMs: view?.oldestUnsentAgeMs ?? 0,
      ...(next === undefined ? {} : { nextRetryInMs: next }),
    });
  }

  private spoolView() {
    return this.deps.spool.health().destinations[DESTINATION];
  }
}
