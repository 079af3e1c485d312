/**
 * The report service: makes a shift's report files (collect -> model -> HTML/PDF/CSV -> files),
 * on demand or by itself when a line's shift ends, and keeps the folder within its retention.
 *
 * Contract:
 * - `onEvent` is called by the agent's event tee for every core event, on the core's path: it
 *   only notes a line's final shift OEE and returns; the work runs later on a timer, one report
 *   at a time, and never throws into the caller. Waiting `settleMs` lets the other stations'
 *   final figures of the same shift end arrive; the history flushes its buffer before every read,
 *   so everything recorded before is seen.
 * - `generate` may be called at any time (POST /api/reports); calls are queued behind each other.
 * - Failures are logged with their code and kept for health (`health().lastError`).
 */
import type { LinesideConfig } from '../config/schema.js';
import type { CoreEvent } from '../core/events.js';
import type { Clock } from '../core/sample.js';
import { errorMessage, isLinesideError, LinesideError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { HistoryReader } from '../outputs/history/types.js';
import { collectShift, findShift, type ShiftSelector } from './collect.js';
import { cyclesCsv, downtimeCsv, oeeCsv } from './csv.js';
import {
  listReports,
  pruneReports,
  reportId,
  reportKey,
  writeMeta,
  writeReportFiles,
  type ReportKey,
  type StoredReport,
} from './files.js';
import { renderHtml } from './html.js';
import { buildReport } from './model.js';
import type { DeliveryHealth, ReportDelivery } from './delivery/queue.js';
import { renderPdf } from './pdf.js';

/** How far back start-up looks for an ended shift without a report. */
const CATCH_UP_MS = 24 * 3_600_000;

export interface ReportServiceOptions {
  readonly config: Readonly<LinesideConfig>;
  readonly history: HistoryReader;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The reports folder (`<storage.dir>/reports`). */
  readonly root: string;
  /** Wait after a line's final shift OEE before reading the history, ms; default 2,000. */
  readonly settleMs?: number;
  /** Retention check interval, ms; default 1 h. */
  readonly pruneIntervalMs?: number;
  /** Send each report made on (reports.email, reports.webhook); none: kept on disk only. */
  readonly deliveries?: readonly ReportDelivery[];
}

export interface GeneratedReport {
  readonly id: string;
  readonly dir: string;
  readonly line: string;
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  /** Wall time it took, ms (collecting, rendering and writing). */
  readonly durationMs: number;
  readonly pdfBytes: number;
}

export interface ReportsHealth {
  readonly enabled: boolean;
  readonly generated: number;
  readonly failures: number;
  readonly pending: number;
  /** The latest attempt failed (cleared by the next report made). */
  readonly failing: boolean;
  readonly lastGeneratedAt?: number;
  readonly lastDurationMs?: number;
  /** "CODE message" of the latest failure. */
  readonly lastError?: string;
  /** The report emails (reports.email.enabled). */
  readonly email?: DeliveryHealth;
  /** The report webhook (reports.webhook.enabled). */
  readonly webhook?: DeliveryHealth;
}

export class ReportService {
  private queue: Promise<unknown> = Promise.resolve();
  /** Automatic reports waiting for their settle time, by `line@start`. */
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; sel: ShiftSelector }>();
  private generated = 0;
  private failures = 0;
  private lastGeneratedAt: number | undefined;
  private lastDurationMs: number | undefined;
  private lastError: string | undefined;
  private failing = false;
  private closed = false;
  /** Set when close() begins: no new automatic report is queued from then on. */
  private stopping = false;
  private readonly pruneTimer: NodeJS.Timeout;

  readonly root: string;

  constructor(private readonly options: ReportServiceOptions) {
    this.root = options.root;
    this.pruneTimer = setInterval(() => void this.prune(), options.pruneIntervalMs ?? 3_600_000);
    this.pruneTimer.unref();
  }

  /** Notes a line's final shift figures; the report follows `settleMs` later (automatic reports). */
  onEvent(e: CoreEvent): void {
    if (this.stopping || !this.options.config.reports.enabled) return;
    if (e.type !== 'oee' || e.station !== undefined || !e.final || e.window.kind !== 'shift') return;
    const key = `${e.line}@${e.window.start}`;
    // A correction of the same shift while one is pending joins it.
    if (this.pending.has(key)) return;
    const sel: ShiftSelector = { line: e.line, start: e.window.start };
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.generate(sel).catch(() => undefined); // logged and counted in generate
    }, this.options.settleMs ?? 2_000);
    timer.unref();
    this.pending.set(key, { timer, sel });
  }

  /**
   * At start-up: the latest ended shift of each line gets its report if it has none (the agent was
   * stopped when that shift ended). Never throws; failures are logged and counted.
   */
  async catchUp(): Promise<void> {
    if (!this.options.config.reports.enabled) return;
    const now = this.options.clock.wallMs();
    const have = new Set((await this.list()).map((r) => r.id));
    for (const line of this.options.config.lines) {
      if (this.stopping) return;
      const ended = this.options.history.oeeShifts(line.id, now - CATCH_UP_MS, now).filter((r) => r.final);
      const last = ended[ended.length - 1];
      if (last === undefined) continue;
      const key = reportKey(line.id, {
        kind: 'shift',
        start: last.windowStart,
        end: last.windowEnd,
        ...(last.shift !== undefined ? { shift: last.shift } : {}),
      });
      if (have.has(reportId(key))) continue;
      await this.generate({ line: line.id, start: last.windowStart }).catch(() => undefined);
    }
  }

  /** Makes (or remakes) the report of one shift; resolves when its files are in place. */
  generate(sel: ShiftSelector): Promise<GeneratedReport> {
    const run = this.queue.then(() => this.make(sel));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async make(sel: ShiftSelector): Promise<GeneratedReport> {
    const { clock, logger } = this.options;
    const started = performance.now();
    try {
      if (this.closed) throw new LinesideError('REPORT_FAILED', 'the report service is closed', { ...sel });
      const record = findShift(this.options.history, sel);
      if (record === undefined)
        throw new LinesideError('NOT_FOUND', `no OEE recorded for that shift of line "${sel.line}"`, { ...sel });
      const model = buildReport(collectShift(this.options.history, this.options.config, record, clock.wallMs()));
      const pdf = await renderPdf(model);
      const key: ReportKey = reportKey(model.line, model.period);
      const dir = await writeReportFiles(this.options.root, key, {
        'report.html': renderHtml(model),
        'report.pdf': pdf,
        'downtime.csv': downtimeCsv(model),
        'cycles.csv': cyclesCsv(model),
        'oee.csv': oeeCsv(model),
      });
      await writeMeta(this.options.root, key, {
        line: model.line,
        shift: model.period.shift,
        start: model.period.start,
        end: model.period.end,
        final: model.final,
        generatedAt: model.generatedAt,
      });
      const durationMs = Math.round(performance.now() - started);
      this.generated++;
      this.failing = false;
      this.lastGeneratedAt = model.generatedAt;
      this.lastDurationMs = durationMs;
      const result: GeneratedReport = {
        id: reportId(key),
        dir,
        line: model.line,
        ...(model.period.shift !== undefined ? { shift: model.period.shift } : {}),
        start: model.period.start,
        end: model.period.end,
        final: model.final,
        durationMs,
        pdfBytes: pdf.length,
      };
      logger.info({ report: result.id, dir, durationMs, pdfBytes: pdf.length }, 'report written');
      // Queued, not sent: a slow receiver must not hold up the next report (delivery/queue.ts).
      for (const d of this.options.deliveries ?? []) await d.enqueue(result.id, dir, model);
      return result;
    } catch (err) {
      const coded = isLinesideError(err)
        ? err
        : new LinesideError(
            'REPORT_FAILED',
            `making the report failed: ${errorMessage(err)}`,
            { ...sel },
            { cause: err },
          );
      this.failures++;
      // A shift that is not in the history is the caller's mistake, not a failing report writer.
      if (coded.code !== 'NOT_FOUND') this.failing = true;
      this.lastError = coded.toString();
      logger.error({ err: { code: coded.code, message: coded.message }, ...coded.context }, 'report failed');
      throw coded;
    }
  }

  /** The report folders, newest first, each with its email and webhook state when it has one. */
  async list(): Promise<StoredReport[]> {
    const reports = await listReports(this.options.root);
    const deliveries = this.options.deliveries ?? [];
    return Promise.all(
      reports.map(async (r) => {
        let item: StoredReport = r;
        for (const d of deliveries) {
          const state = await d.state(r.id);
          if (state !== undefined) item = { ...item, [d.name]: state };
        }
        return item;
      }),
    );
  }

  /** Deletes report folders past `reports.retention`; never throws. */
  async prune(): Promise<number> {
    try {
      const cutoff = this.options.clock.wallMs() - this.options.config.reports.retention;
      return await pruneReports(this.options.root, cutoff);
    } catch (err) {
      this.failures++;
      this.failing = true;
      this.lastError = `REPORT_IO pruning ${this.options.root} failed: ${errorMessage(err)}`;
      this.options.logger.error({ err: { code: 'REPORT_IO', message: errorMessage(err) } }, 'report pruning failed');
      return 0;
    }
  }

  health(): ReportsHealth {
    return {
      enabled: this.options.config.reports.enabled,
      generated: this.generated,
      failures: this.failures,
      pending: this.pending.size,
      failing: this.failing,
      ...(this.lastGeneratedAt !== undefined ? { lastGeneratedAt: this.lastGeneratedAt } : {}),
      ...(this.lastDurationMs !== undefined ? { lastDurationMs: this.lastDurationMs } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...Object.fromEntries((this.options.deliveries ?? []).map((d) => [d.name, d.health()])),
    };
  }

  /**
   * Makes the reports still waiting for their settle time now (a stop right after a shift end must
   * not lose its report), then refuses new work. Called before the history closes.
   */
  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruneTimer);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { timer, sel } of waiting) {
      clearTimeout(timer);
      this.generate(sel).catch(() => undefined);
    }
    await this.queue;
    this.closed = true;
    await Promise.all((this.options.deliveries ?? []).map((d) => d.close()));
  }
}
