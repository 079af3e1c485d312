/**
 * What InfluxDB adds to the generic spooled-output runner (src/outputs/runner.ts): a spool row
 * becomes a point, a batch goes out with bad points isolated (batch-writer.ts), on InfluxDB 1.x
 * the database and retention policy are prepared first (and again if the database disappears;
 * 2.x/3.x buckets must exist: target.ts, usesInfluxQLSetup), and while the
 * runner backs off after an outage, `GET /ping` may end the wait as soon as InfluxDB answers
 * again (probe.ts; which failures allow it: failures.ts, probeModeFor).
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock } from '../../core/sample.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { BatchDestination, DeliveryFailure } from '../runner.js';
import type { SpoolKind, SpoolRow } from '../spool/index.js';
import { WriteFailedError, writeBatch, type BatchEntry } from './batch-writer.js';
import type { InfluxClient, InfluxTarget } from './client.js';
import { describeDestination, usesInfluxQLSetup } from './target.js';
import { probeModeFor, type WriteFailure } from './failures.js';
import { encodePoint, eventPoint, type PointContext } from './points.js';
import { realTimers, startProbing, type ProbeTimers } from './probe.js';
import { SampleLines } from './sample-lines.js';
import { prepareDatabase } from './setup.js';
import type { WriterStatus } from './status.js';

export interface ProbeTuning {
  /** Least spacing of the /ping probes while backing off after an outage, ms; 0 turns probing off. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly random: () => number;
  readonly timers?: ProbeTimers;
}

/** A runner failure that remembers InfluxDB's own (for the probe mode and the status). */
interface InfluxFailure extends DeliveryFailure {
  readonly write?: WriteFailure;
}

export class InfluxDestination implements BatchDestination<BatchEntry> {
  readonly name: string;
  readonly kinds: readonly SpoolKind[] | undefined;
  /** The last wait ended on a ping, and the write that followed failed all the same. */
  private wokenByProbe = false;
  private wokeThisWait = false;
  private doing = 'writing';
  private readonly sampleLines: SampleLines;

  constructor(
    name: string,
    private readonly cfg: Readonly<LinesideConfig['influx']>,
    private readonly ctx: PointContext,
    private readonly connection: { readonly client: InfluxClient; readonly target: InfluxTarget },
    private readonly status: WriterStatus,
    private readonly deps: {
      readonly clock: Clock;
      readonly log: Logger;
      readonly probe: ProbeTuning;
      readonly backlog: () => number;
    },
  ) {
    this.name = name;
    this.kinds = cfg.writeSamples ? undefined : ['event'];
    this.sampleLines = new SampleLines(ctx);
  }

  /** A row becomes its line protocol here, once: a retried batch sends the same text again. */
  convert(row: SpoolRow): BatchEntry | undefined {
    if (row.kind === 'sample') {
      if (!this.ctx.writeSamples) return undefined;
      const line = this.sampleLines.line(row.sample);
      if (line === 'bad-time' || line === 'bad-value') {
        this.status.skippedRow(row.id, row.kind, line);
        return undefined;
      }
      return { line, spoolId: row.id, state: 'pending' };
    }
    const result = eventPoint(row.event, row.id, this.ctx);
    if ('point' in result) return { line: encodePoint(result.point), spoolId: row.id, state: 'pending' };
    if (result.skipped !== 'not-written') this.status.skippedRow(row.id, row.kind, result.skipped);
    return undefined;
  }

  async prepare(): Promise<void> {
    if (!usesInfluxQLSetup(this.cfg)) {
      // InfluxDB 2.x/3.x (a token or the v2 API) and QuestDB have no CREATE DATABASE over the
      // v1 API: the bucket (and its DBRP mapping) must exist; a write says so when it does not.
      if (!this.status.ready)
        this.deps.log.info(
          { url: this.connection.target.url, destination: describeDestination(this.connection.target) },
          'no database set-up on this server (InfluxDB 2.x/3.x or influx.setup: off); writing to what exists',
        );
      this.status.ready = true;
      return;
    }
    this.doing = 'preparing the database';
    const outcome = await prepareDatabase(
      this.connection.client.influx,
      this.connection.target,
      this.cfg,
      this.deps.log,
    );
    this.status.warnings = outcome.warnings;
    this.status.ready = true;
    this.succeeded();
  }

  async send(entries: readonly BatchEntry[]): Promise<void> {
    this.doing = `writing ${entries.length} points`;
    const { client } = this.connection;
    await writeBatch(
      entries,
      (lines) => client.write(lines.join('\n')),
      (refused, failure) => this.status.poison(refused, failure),
    );
    this.succeeded(entries.reduce((n, e) => n + (e.state === 'written' ? 1 : 0), 0));
  }

  /** Every InfluxDB failure is retried: only HTTP 400 (2.x: 422) drops data, point by point, inside send. */
  failure(err: unknown): InfluxFailure {
    if (!(err instanceof WriteFailedError)) {
      // A bug, not an outage: say so loudly; the rows stay in the spool.
      const message = `InfluxDB writer failed unexpectedly: ${errorMessage(err)}`;
      this.deps.log.error({ err: errorMessage(err) }, `${message}; retrying`);
      this.status.recordError('INTERNAL', message, this.connection.target.url);
      return { retryable: true, message: `INTERNAL ${message}`, logged: true };
    }
    const write = err.failure;
    this.status.failed(write, this.doing, this.connection.target.url, this.deps.backlog);
    const prepareAgain = write.kind === 'no-database' && this.cfg.createDatabase && usesInfluxQLSetup(this.cfg);
    if (prepareAgain) this.status.ready = false;
    return { retryable: true, message: write.detail, prepareAgain, write, logged: true };
  }

  whileWaiting(failure: InfluxFailure, delayMs: number, retryNow: () => void): (() => void) | undefined {
    this.wokeThisWait = false;
    let mode = failure.write === undefined ? undefined : probeModeFor(failure.write);
    // The last wait ended on a ping and the write failed all the same: the next ping that answers
    // proves nothing until one has failed, or a server that answers /ping but not writes would
    // get a write a second instead of the backoff.
    if (mode === 'answer' && this.wokenByProbe) mode = 'recovery';
    const { probe, clock, log } = this.deps;
    if (mode === undefined || probe.intervalMs <= 0 || delayMs <= probe.intervalMs) {
      this.wokenByProbe = false;
      return undefined;
    }
    const startedMono = clock.monoMs();
    const probing = startProbing({
      mode,
      intervalMs: probe.intervalMs,
      now: () => clock.monoMs(),
      random: probe.random,
      timers: probe.timers ?? realTimers,
      ping: async (signal) => (await this.connection.client.ping(probe.timeoutMs, signal)).answered,
      onReachable: () => {
        this.wokeThisWait = true;
        log.info(
          {
            url: this.connection.target.url,
            backoffMs: delayMs,
            cutShortByMs: Math.max(0, Math.round(startedMono + delayMs - clock.monoMs())),
          },
          'InfluxDB answers /ping again; retrying now',
        );
        retryNow();
      },
    });
    return () => {
      probing.stop();
      this.wokenByProbe = this.wokeThisWait;
    };
  }

  close(): void {
    this.connection.client.close();
  }

  private succeeded(points?: number): void {
    this.wokenByProbe = false;
    this.status.succeeded(this.connection.target.url, points);
  }
}
