/**
 * One delivery queue for every channel that sends a report out (email, webhook): the channel says
 * what to store when a report is made, how to send it and which failures are worth a retry; the
 * queue keeps the state file, the timers, the backoff, resume, close and health
 * (docs/reports.md#delivery-by-email, #delivery-by-webhook).
 *
 * Contract:
 * - `enqueue` is called by the report service after a report's files are in place. It writes the
 *   folder's state file (pending) and returns; sending happens later on a timer, one report at a
 *   time, so a slow or dead receiver never holds up report making nor the core.
 * - A failed attempt is retried after `retryMin`, doubling up to `retryMax` (or after the
 *   receiver's Retry-After, at most `retryMax`), until `giveUpAfter` from the first attempt; then
 *   the delivery is `failed`. A failure the channel calls not retryable (a 5xx SMTP rejection, a
 *   4xx HTTP answer) fails at once. Every attempt is logged with its code.
 * - `resume` (at start-up) picks up the pending deliveries of the report folders, so a restart
 *   loses none. `close` stops the timers and waits (a few seconds at most) for the attempt in flight.
 */
import type { Clock } from '../../core/sample.js';
import { errorMessage, isLinesideError, LinesideError, type ErrorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { listReports, parseReportId, reportDir } from '../files.js';
import type { ReportModel } from '../types.js';
import { deliveryState, readDelivery, writeDelivery, type DeliveryRecord, type DeliveryState } from './store.js';

export type DeliveryName = 'email' | 'webhook';

/** What a channel supplies; the queue does the rest. */
export interface DeliveryChannel<P extends object> {
  readonly name: DeliveryName;
  /** The state file in the report folder. */
  readonly file: string;
  /** The code of a failure the channel did not code itself. */
  readonly failedCode: ErrorCode;
  /** What to store for the report when it is made; undefined: nothing to deliver (no recipients). */
  payload(id: string, model: ReportModel): P | undefined;
  /** A stored record carries this channel's payload (an older or foreign file is not resent). */
  isPayload(record: Record<string, unknown>): boolean;
  /** One attempt; `dir` is the report folder. Rejects with a coded LinesideError. */
  send(record: DeliveryRecord<P>, dir: string): Promise<void>;
  isRetryable(err: LinesideError): boolean;
  /** The wait the receiver asked for (HTTP Retry-After), ms. */
  retryAfterMs?(err: LinesideError): number | undefined;
  /** Log fields of a sent delivery (never a secret). */
  logFields?(record: DeliveryRecord<P>): Record<string, unknown>;
}

export interface RetryConfig {
  /** ms */
  readonly retryMin: number;
  /** ms */
  readonly retryMax: number;
  /** ms */
  readonly giveUpAfter: number;
}

export interface DeliveryQueueOptions {
  readonly config: Readonly<RetryConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The reports folder (`<storage.dir>/reports`). */
  readonly root: string;
}

export interface DeliveryHealth {
  readonly sent: number;
  readonly failedAttempts: number;
  readonly pending: number;
  /** The latest attempt failed (cleared by the next delivery sent). */
  readonly failing: boolean;
  readonly lastError?: string;
}

/** What the report service sees of a delivery. */
export interface ReportDelivery {
  readonly name: DeliveryName;
  enqueue(id: string, dir: string, model: ReportModel): Promise<void>;
  state(id: string): Promise<DeliveryState | undefined>;
  health(): DeliveryHealth;
  close(waitMs?: number): Promise<void>;
}

export class DeliveryQueue<P extends object> implements ReportDelivery {
  /** Report ids waiting for their next attempt. */
  private readonly waiting = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running: Promise<void> = Promise.resolve();
  private sent = 0;
  private failedAttempts = 0;
  private failing = false;
  private lastError: string | undefined;
  private closed = false;
  readonly name: DeliveryName;

  constructor(
    private readonly queue: DeliveryQueueOptions,
    private readonly channel: DeliveryChannel<P>,
  ) {
    this.name = channel.name;
  }

  /** Queues a report's delivery (a remade report is sent again). Never throws. */
  async enqueue(id: string, dir: string, model: ReportModel): Promise<void> {
    if (this.closed) return;
    const { clock, logger } = this.queue;
    const { file, name } = this.channel;
    try {
      const payload = this.channel.payload(id, model);
      if (payload === undefined) return;
      const record = {
        id,
        ...payload,
        queuedAt: clock.wallMs(),
        status: 'pending',
        attempts: 0,
        nextAt: clock.wallMs(),
      } as DeliveryRecord<P>;
      await writeDelivery(dir, file, record);
      this.waiting.add(id);
      this.arm(id, 0);
    } catch (err) {
      this.noteFailure(`REPORT_IO writing ${dir}/${file} failed: ${errorMessage(err)}`);
      logger.error({ err: { code: 'REPORT_IO', message: errorMessage(err) }, report: id }, `${name} not queued`);
    }
  }

  /** At start-up: every report folder's pending delivery is sent on (due ones first). */
  async resume(): Promise<void> {
    const now = this.queue.clock.wallMs();
    for (const r of await listReports(this.queue.root)) {
      const d = await this.read(this.dirOf(r.id));
      if (d?.status !== 'pending') continue;
      this.waiting.add(r.id);
      // Due as planned, but never later than one retryMax from now (the wall clock may have jumped).
      this.arm(r.id, Math.max(0, Math.min((d.nextAt ?? now) - now, this.queue.config.retryMax)));
    }
    if (this.waiting.size > 0)
      this.queue.logger.info({ pending: this.waiting.size }, `resuming report ${this.channel.name}s`);
  }

  /** The delivery state of a report, for the report list; undefined when it has none. */
  async state(id: string): Promise<DeliveryState | undefined> {
    const d = await this.read(this.dirOf(id));
    return d === undefined ? undefined : deliveryState(d);
  }

  health(): DeliveryHealth {
    return {
      sent: this.sent,
      failedAttempts: this.failedAttempts,
      pending: this.waiting.size,
      failing: this.failing,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * Stops the timers and waits for the attempt in flight, but at most `waitMs`: a hung server
   * (timeouts of 30-60 s) must not hold up the agent's stop. Its state file then still says
   * pending, and the next start sends it (a report the receiver did take just then may arrive
   * twice: the email's Message-ID and the webhook's x-lineside-delivery let receivers tell).
   */
  async close(waitMs = 5_000): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([this.running, late]);
    clearTimeout(timer);
  }

  private read(dir: string): Promise<DeliveryRecord<P> | undefined> {
    return readDelivery<P>(dir, this.channel.file, (r) => this.channel.isPayload(r));
  }

  private dirOf(id: string): string {
    const key = parseReportId(id);
    if (key === undefined) throw new LinesideError('INTERNAL', `bad report id "${id}"`, { id });
    return reportDir(this.queue.root, key);
  }

  /**
   * One timer per waiting report, set from the delay itself (not by comparing wall times), so a
   * wall clock that jumps (NTP on a Pi without an RTC) neither fires a retry early nor stalls it.
   */
  private arm(id: string, ms: number): void {
    if (this.closed) return;
    const old = this.timers.get(id);
    if (old !== undefined) clearTimeout(old);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      // A failure here (an unreadable folder) must not stop later attempts: noted, the chain goes on.
      this.running = this.running
        .then(() => this.runOne(id))
        .catch((err: unknown) => this.noteFailure(`${this.channel.failedCode} ${errorMessage(err)}`));
    }, ms);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async runOne(id: string): Promise<void> {
    if (this.closed) return;
    const dir = this.dirOf(id);
    const record = await this.read(dir);
    if (record?.status !== 'pending') {
      this.waiting.delete(id);
      return;
    }
    const { record: after, retryInMs } = await this.attempt(dir, record);
    if (after.status === 'pending' && retryInMs !== undefined) this.arm(id, retryInMs);
    else this.waiting.delete(id);
  }

  private async attempt(
    dir: string,
    record: DeliveryRecord<P>,
  ): Promise<{ record: DeliveryRecord<P>; retryInMs?: number }> {
    const { config, clock, logger } = this.queue;
    const { name, failedCode } = this.channel;
    const attempts = record.attempts + 1;
    let updated: DeliveryRecord<P>;
    let retryInMs: number | undefined;
    try {
      await this.channel.send(record, dir);
      this.sent++;
      this.failing = false;
      const { nextAt: _done, ...rest } = record; // a sent delivery has no next attempt
      updated = { ...rest, status: 'sent', attempts, sentAt: clock.wallMs() } as DeliveryRecord<P>;
      logger.info({ report: record.id, ...this.channel.logFields?.(record), attempts }, `report ${name} sent`);
    } catch (err) {
      const coded = isLinesideError(err)
        ? err
        : new LinesideError(failedCode, `${name} delivery failed: ${errorMessage(err)}`, {}, { cause: err });
      const now = clock.wallMs();
      const asked = this.channel.retryAfterMs?.(coded);
      const delay = Math.min(asked ?? config.retryMin * 2 ** (attempts - 1), config.retryMax);
      const giveUp = !this.channel.isRetryable(coded) || now + delay - record.queuedAt > config.giveUpAfter;
      if (!giveUp) retryInMs = delay;
      const { nextAt: _previous, ...rest } = record; // replaced below, or none once given up
      updated = {
        ...rest,
        status: giveUp ? 'failed' : 'pending',
        attempts,
        lastError: coded.toString(),
        ...(giveUp ? {} : { nextAt: now + delay }),
      } as DeliveryRecord<P>;
      this.noteFailure(coded.toString());
      logger.warn(
        {
          err: { code: coded.code, message: coded.message },
          report: record.id,
          attempts,
          ...(giveUp ? { gaveUp: true } : { retryInMs: delay }),
        },
        giveUp ? `report ${name} failed; giving up` : `report ${name} failed; will retry`,
      );
    }
    await writeDelivery(dir, this.channel.file, updated).catch((err: unknown) =>
      this.noteFailure(`REPORT_IO writing ${dir}/${this.channel.file} failed: ${errorMessage(err)}`),
    );
    return { record: updated, ...(retryInMs !== undefined ? { retryInMs } : {}) };
  }

  private noteFailure(message: string): void {
    this.failedAttempts++;
    this.failing = true;
    this.lastError = message;
  }
}
