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
 * - `generate` may be called at any time (POST /api/reports): a shift, a day or a week; calls are
 *   queued behind each other.
 * - With reports.daily / reports.weekly, each line's report of the previous day / week is made at
 *   the configured plant-local time (periods.ts), once every shift that started in it has ended
 *   (or `SCHEDULE_GRACE_MS` after the last one should have). The check runs on a timer and, so
 *   that virtual time works too, when core events pass the due time; it only reads the clock on
 *   the core's path, the history reads run later. A report already made (final) is not remade;
 *   after a restart a missed run is made (a run lies at most a day or week back).
 * - Failures are logged with their code and kept for health (`health().lastError`).
 */
import type { LinesideConfig } from '../config/schema.js';
import type { CoreEvent } from '../core/events.js';
import type { Clock } from '../core/sample.js';
import { errorMessage, isLinesideError, LinesideError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { HistoryReader } from '../outputs/history/types.js';
import { collectPeriod, collectShift, findShift, type ShiftSelector } from './collect.js';
import { cyclesCsv, downtimeCsv, oeeCsv, shiftsCsv } from './csv.js';
import {
  listReports,
  pruneReports,
  reportFileNames,
  type ReportFileName,
  reportId,
  reportKey,
  reportMeta,
  writeMeta,
  writeReportFiles,
  type ReportKey,
  type StoredReport,
} from './files.js';
import { renderHtml } from './html.js';
import { buildReport } from './model.js';
import type { DeliveryHealth, ReportDelivery } from './delivery/queue.js';
import { renderPdf } from './pdf.js';
import {
  calendarPeriod,
  lastRun,
  parseLocalDate,
  periodDate,
  previousPeriod,
  type CalendarKind,
  type ReportSchedule,
} from './periods.js';
import type { ReportInput, ReportPeriod } from './types.js';

/** How far back start-up looks for an ended shift without a report. */
const CATCH_UP_MS = 24 * 3_600_000;
/** A scheduled day or week report waits for a running shift at most this long after its end. */
export const SCHEDULE_GRACE_MS = 15 * 60_000;
/** How often the schedule is checked on a timer, and at most on core events (ms of the clock). */
const SCHEDULE_CHECK_MS = 30_000;

/** A day or a week (Monday to Sunday) holding a plant-local date; default: the previous one. */
export interface PeriodSelector {
  readonly line: string;
  readonly period: CalendarKind;
  /** "YYYY-MM-DD", plant-local. */
  readonly date?: string;
}

export type ReportSelector = ShiftSelector | PeriodSelector;

const isPeriod = (sel: ReportSelector): sel is PeriodSelector => 'period' in sel;

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
  readonly kind: ReportPeriod['kind'];
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  /** The files written, in REPORT_FILES order. */
  readonly files: readonly ReportFileName[];
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
  private readonly scheduleTimer: NodeJS.Timeout | undefined;
  private readonly schedules: readonly ReportSchedule[];
  /** The latest scheduled run handled, by `kind:line`. */
  private readonly scheduleDone = new Map<string, number>();
  private nextScheduleCheck = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | undefined;

  readonly root: string;

  constructor(private readonly options: ReportServiceOptions) {
    this.root = options.root;
    this.pruneTimer = setInterval(() => void this.prune(), options.pruneIntervalMs ?? 3_600_000);
    this.pruneTimer.unref();
    const { daily, weekly } = options.config.reports;
    this.schedules = [
      ...(daily.enabled ? [{ kind: 'day', at: daily.at } as const] : []),
      ...(weekly.enabled ? [{ kind: 'week', at: weekly.at, day: weekly.day } as const] : []),
    ];
    if (this.schedules.length > 0) {
      this.scheduleTimer = setInterval(() => void this.checkSchedule(), SCHEDULE_CHECK_MS);
      this.scheduleTimer.unref();
    }
  }

  /** Notes a line's final shift figures; the report follows `settleMs` later (automatic reports). */
  onEvent(e: CoreEvent): void {
    if (this.stopping) return;
    if (this.schedules.length > 0) {
      const now = this.options.clock.wallMs();
      if (now >= this.nextScheduleCheck) {
        this.nextScheduleCheck = now + SCHEDULE_CHECK_MS;
        // Off the core's path: the check reads the history.
        setImmediate(() => void this.checkSchedule());
      }
    }
    if (!this.options.config.reports.enabled) return;
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

  /** Makes (or remakes) the report of a shift, day or week; resolves when its files are in place. */
  generate(sel: ReportSelector): Promise<GeneratedReport> {
    const run = this.queue.then(() => this.make(sel));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What the history holds for the selected shift, day or week. */
  private collect(sel: ReportSelector): ReportInput {
    const { config, history, clock } = this.options;
    const now = clock.wallMs();
    if (!isPeriod(sel)) {
      const record = findShift(history, sel);
      if (record === undefined)
        throw new LinesideError('NOT_FOUND', `no OEE recorded for that shift of line "${sel.line}"`, { ...sel });
      return collectShift(history, config, record, now);
    }
    const tz = config.shifts.timezone;
    let period: ReportPeriod;
    if (sel.date === undefined) period = previousPeriod(sel.period, now, tz);
    else {
      const date = parseLocalDate(sel.date);
      if (date === undefined)
        throw new LinesideError('NOT_FOUND', `"${sel.date}" is not a date (YYYY-MM-DD)`, { ...sel });
      period = calendarPeriod(sel.period, date, tz);
    }
    const input = collectPeriod(history, config, sel.line, period, now);
    if (input.lineOee.length === 0)
      throw new LinesideError(
        'NOT_FOUND',
        `no shift of line "${sel.line}" that started in the ${sel.period} of ${periodDate(period, tz)} is in the history`,
        { ...sel },
      );
    return input;
  }

  private async make(sel: ReportSelector): Promise<GeneratedReport> {
    const { logger } = this.options;
    const started = performance.now();
    try {
      if (this.closed) throw new LinesideError('REPORT_FAILED', 'the report service is closed', { ...sel });
      const model = buildReport(this.collect(sel));
      const pdf = await renderPdf(model);
      const key: ReportKey = reportKey(model.line, model.period);
      const dir = await writeReportFiles(this.options.root, key, {
        'report.html': renderHtml(model),
        'report.pdf': pdf,
        'downtime.csv': downtimeCsv(model),
        'cycles.csv': cyclesCsv(model),
        'oee.csv': oeeCsv(model),
        ...(model.period.kind === 'shift' ? {} : { 'shifts.csv': shiftsCsv(model) }),
      });
      await writeMeta(this.options.root, key, {
        line: model.line,
        kind: model.period.kind,
        shift: model.period.shift,
        shifts: model.shifts.length,
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
        kind: model.period.kind,
        ...(model.period.shift !== undefined ? { shift: model.period.shift } : {}),
        start: model.period.start,
        end: model.period.end,
        final: model.final,
        files: reportFileNames(model.period.kind),
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

  /**
   * Makes each line's scheduled day or week report that is due and not made yet (see the contract
   * above). Never rejects; failures are logged (and counted by `generate`).
   */
  checkSchedule(): Promise<void> {
    // One check at a time: timer and core events may both ask while one is making a report.
    this.checking ??= this.runSchedule()
      .catch((err: unknown) => {
        // A history read failed (HISTORY_IO): the next check tries again.
        this.options.logger.error(
          { err: { code: isLinesideError(err) ? err.code : 'REPORT_FAILED', message: errorMessage(err) } },
          'checking the report schedule failed',
        );
      })
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private async runSchedule(): Promise<void> {
    const { config, clock, history, logger } = this.options;
    const tz = config.shifts.timezone;
    for (const schedule of this.schedules) {
      for (const line of config.lines) {
        if (this.stopping) return;
        const now = clock.wallMs();
        const key = `${schedule.kind}:${line.id}`;
        const run = lastRun(schedule, now, tz);
        if ((this.scheduleDone.get(key) ?? Number.NEGATIVE_INFINITY) >= run.at) continue;
        const date = periodDate(run.period, tz);
        const shifts = history.oeeShifts(line.id, run.period.start, run.period.end);
        if (shifts.length === 0) {
          logger.info({ line: line.id, period: schedule.kind, date }, 'no shifts in the period: no scheduled report');
          this.scheduleDone.set(key, run.at);
          continue;
        }
        // Wait for a shift still running (the night shift into the report's time), but not forever.
        const lastEnd = Math.max(...shifts.map((r) => r.windowEnd));
        if (shifts.some((r) => !r.final) && now < lastEnd + SCHEDULE_GRACE_MS) continue;
        const made = await reportMeta(this.root, reportKey(line.id, run.period));
        if (made?.final === true) {
          this.scheduleDone.set(key, run.at);
          continue;
        }
        try {
          await this.generate({ line: line.id, period: schedule.kind, date });
        } catch {
          // Logged and counted by generate; the next run tries the next period.
        }
        this.scheduleDone.set(key, run.at);
      }
    }
  }

  /** The report folders (of one line), newest first, each with its email and webhook state when it has one. */
  async list(line?: string): Promise<StoredReport[]> {
    const reports = await listReports(this.options.root, line);
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
    clearInterval(this.scheduleTimer);
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
