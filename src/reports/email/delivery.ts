/**
 * Email delivery of line reports (docs/reports.md#delivery-by-email).
 *
 * Contract:
 * - `enqueue` is called by the report service after a report's files are in place. It writes the
 *   folder's delivery.json (pending) and returns; sending happens later on a timer, one mail at a
 *   time, so a slow or dead SMTP server never holds up report making nor the core.
 * - A failed attempt is retried after `retryMin`, doubling up to `retryMax`, until `giveUpAfter`
 *   from the first attempt; then the delivery is `failed` (a 5xx rejection of the message fails
 *   at once: resending it would be rejected again). Every attempt is logged with its code.
 * - `resume` (at start-up) picks up the pending deliveries of the report folders, so a restart
 *   loses none. `close` stops the timers and waits (a few seconds at most) for the attempt in flight.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../core/sample.js';
import { errorMessage, isLinesideError, LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { listReports, parseReportId, reportDir } from '../files.js';
import type { ReportModel } from '../types.js';
import { reportMessage } from './message.js';
import { readDelivery, writeDelivery, type DeliveryRecord, type EmailState, emailState } from './store.js';
import { isRetryable, type EmailConfig, type SendMail } from './transport.js';

export interface EmailDeliveryOptions {
  readonly config: Readonly<EmailConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The reports folder (`<storage.dir>/reports`). */
  readonly root: string;
  readonly send: SendMail;
}

export interface EmailHealth {
  readonly sent: number;
  readonly failedAttempts: number;
  readonly pending: number;
  /** The latest attempt failed (cleared by the next mail sent). */
  readonly failing: boolean;
  readonly lastError?: string;
}

export class EmailDelivery {
  /** Report ids waiting for their next attempt. */
  private readonly waiting = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running: Promise<void> = Promise.resolve();
  private sent = 0;
  private failedAttempts = 0;
  private failing = false;
  private lastError: string | undefined;
  private closed = false;

  constructor(private readonly options: EmailDeliveryOptions) {}

  /** Recipients of a line's report: its own list, else the default list. */
  recipients(line: string): readonly string[] {
    return this.options.config.to[line] ?? this.options.config.default;
  }

  /** Queues a report's email (a remade report is sent again). Never throws. */
  async enqueue(id: string, dir: string, model: ReportModel): Promise<void> {
    const to = this.recipients(model.line);
    if (to.length === 0 || this.closed) return;
    const record: DeliveryRecord = {
      id,
      to,
      message: reportMessage(model, this.options.config.subjectPrefix),
      queuedAt: this.options.clock.wallMs(),
      status: 'pending',
      attempts: 0,
      nextAt: this.options.clock.wallMs(),
    };
    try {
      await writeDelivery(dir, record);
      this.waiting.add(id);
      this.arm(id, 0);
    } catch (err) {
      this.noteFailure(`REPORT_IO writing ${dir}/delivery.json failed: ${errorMessage(err)}`);
      this.options.logger.error(
        { err: { code: 'REPORT_IO', message: errorMessage(err) }, report: id },
        'email not queued',
      );
    }
  }

  /** At start-up: every report folder's pending delivery is sent on (due ones first). */
  async resume(): Promise<void> {
    const now = this.options.clock.wallMs();
    for (const r of await listReports(this.options.root)) {
      const d = await readDelivery(this.dirOf(r.id));
      if (d?.status !== 'pending') continue;
      this.waiting.add(r.id);
      // Due as planned, but never later than one retryMax from now (the wall clock may have jumped).
      this.arm(r.id, Math.max(0, Math.min((d.nextAt ?? now) - now, this.options.config.retryMax)));
    }
    if (this.waiting.size > 0) this.options.logger.info({ pending: this.waiting.size }, 'resuming report emails');
  }

  /** The email state of a report, for the report list; undefined when it has none. */
  async state(id: string): Promise<EmailState | undefined> {
    const d = await readDelivery(this.dirOf(id));
    return d === undefined ? undefined : emailState(d);
  }

  health(): EmailHealth {
    return {
      sent: this.sent,
      failedAttempts: this.failedAttempts,
      pending: this.waiting.size,
      failing: this.failing,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * Stops the timers and waits for the attempt in flight, but at most `waitMs`: a hung SMTP server
   * (timeouts of 30-60 s) must not hold up the agent's stop. Its delivery.json then still says
   * pending, and the next start sends it (a mail the server did take just then may arrive twice).
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

  private dirOf(id: string): string {
    const key = parseReportId(id);
    if (key === undefined) throw new LinesideError('INTERNAL', `bad report id "${id}"`, { id });
    return reportDir(this.options.root, key);
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
        .catch((err: unknown) => this.noteFailure(`EMAIL_FAILED ${errorMessage(err)}`));
    }, ms);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async runOne(id: string): Promise<void> {
    if (this.closed) return;
    const dir = this.dirOf(id);
    const record = await readDelivery(dir);
    if (record?.status !== 'pending') {
      this.waiting.delete(id);
      return;
    }
    const { record: after, retryInMs } = await this.attempt(dir, record);
    if (after.status === 'pending' && retryInMs !== undefined) this.arm(id, retryInMs);
    else this.waiting.delete(id);
  }

  private async attempt(dir: string, record: DeliveryRecord): Promise<{ record: DeliveryRecord; retryInMs?: number }> {
    const { config, clock, logger } = this.options;
    const attempts = record.attempts + 1;
    let updated: DeliveryRecord;
    let retryInMs: number | undefined;
    try {
      if (config.from === undefined) throw new LinesideError('EMAIL_FAILED', 'reports.email.from is not set');
      const pdf = await readFile(path.join(dir, 'report.pdf'));
      await this.options.send({ from: config.from, to: record.to, ...record.message, pdf });
      this.sent++;
      this.failing = false;
      const { nextAt: _done, ...rest } = record; // a sent mail has no next attempt
      updated = { ...rest, status: 'sent', attempts, sentAt: clock.wallMs() };
      logger.info({ report: record.id, to: record.to.length, attempts }, 'report emailed');
    } catch (err) {
      const coded = isLinesideError(err)
        ? err
        : new LinesideError('EMAIL_FAILED', `emailing the report failed: ${errorMessage(err)}`, {}, { cause: err });
      const now = clock.wallMs();
      const delay = Math.min(config.retryMin * 2 ** (attempts - 1), config.retryMax);
      const giveUp = !isRetryable(coded) || now + delay - record.queuedAt > config.giveUpAfter;
      if (!giveUp) retryInMs = delay;
      const { nextAt: _previous, ...rest } = record; // replaced below, or none once given up
      updated = {
        ...rest,
        status: giveUp ? 'failed' : 'pending',
        attempts,
        lastError: coded.toString(),
        ...(giveUp ? {} : { nextAt: now + delay }),
      };
      this.noteFailure(coded.toString());
      logger.warn(
        {
          err: { code: coded.code, message: coded.message },
          report: record.id,
          attempts,
          ...(giveUp ? { gaveUp: true } : { retryInMs: delay }),
        },
        giveUp ? 'report email failed; giving up' : 'report email failed; will retry',
      );
    }
    await writeDelivery(dir, updated).catch((err: unknown) =>
      this.noteFailure(`REPORT_IO writing ${dir}/delivery.json failed: ${errorMessage(err)}`),
    );
    return { record: updated, ...(retryInMs !== undefined ? { retryInMs } : {}) };
  }

  private noteFailure(message: string): void {
    this.failedAttempts++;
    this.failing = true;
    this.lastError = message;
  }
}
