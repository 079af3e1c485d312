/**
 * Reads what one report needs from the local history (the same reader /api/oee uses) into a
 * ReportInput. Reads only: no file, no clock (the caller passes `generatedAt`).
 */
import type { LinesideConfig } from '../config/schema.js';
import type { HistoryReader, OeeRecord } from '../outputs/history/types.js';
import { LinesideError } from '../lib/errors.js';
import type { ReportInput, ReportPeriod } from './types.js';

const HOUR_MS = 3_600_000;
const TREND_MS = 7 * 24 * HOUR_MS;
/** A shift's downtime list is tens of rows; this only bounds a pathological history. */
const MAX_DOWNTIME_ROWS = 5_000;

/** Which shift: its exact start, or the latest instance of a shift name, or the latest shift. */
export interface ShiftSelector {
  readonly line: string;
  readonly shift?: string;
  readonly start?: number;
}

/** The line's OEE record of the shift, as /api/oee finds it for the same parameters. */
export function findShift(history: HistoryReader, sel: ShiftSelector): OeeRecord | undefined {
  return history.oee({
    line: sel.line,
    ...(sel.shift !== undefined ? { shift: sel.shift } : {}),
    ...(sel.start !== undefined ? { windowStart: sel.start } : {}),
  });
}

export function collectShift(
  history: HistoryReader,
  config: Readonly<LinesideConfig>,
  record: OeeRecord,
  generatedAt: number,
): ReportInput {
  const period: ReportPeriod = {
    kind: 'shift',
    ...(record.shift !== undefined ? { shift: record.shift } : {}),
    start: record.windowStart,
    end: record.windowEnd,
  };
  return collect(history, config, record.line, period, [record], generatedAt, period);
}

/**
 * A day or a week: the shifts that started in [start, end), summed by the model (as
 * /api/history/period sums them). Its lists (downtime, alerts, orders, cycles) cover those shifts
 * from the first one's start to the last one's end, which may be past the period's end: a night
 * shift that starts on Sunday 22:00 is the week's, all of it.
 */
export function collectPeriod(
  history: HistoryReader,
  config: Readonly<LinesideConfig>,
  line: string,
  period: ReportPeriod,
  generatedAt: number,
): ReportInput {
  const shifts = history.oeeShifts(line, period.start, period.end);
  const first = shifts[0];
  const last = shifts[shifts.length - 1];
  const span =
    first === undefined || last === undefined
      ? { start: period.start, end: period.end }
      : { start: Math.min(period.start, first.windowStart), end: Math.max(period.end, last.windowEnd) };
  return collect(history, config, line, period, shifts, generatedAt, span);
}

function collect(
  history: HistoryReader,
  config: Readonly<LinesideConfig>,
  lineId: string,
  period: ReportPeriod,
  lineOee: readonly OeeRecord[],
  generatedAt: number,
  /** The time the lists cover. */
  span: { readonly start: number; readonly end: number },
): ReportInput {
  const line = config.lines.find((l) => l.id === lineId);
  if (line === undefined) throw new LinesideError('NOT_FOUND', `no line "${lineId}" in the config`, { line: lineId });
  const { start, end } = span;
  const hours = Math.max(1, Math.round((end - start) / HOUR_MS));
  const last = lineOee[lineOee.length - 1];
  return {
    line: line.id,
    lineName: line.name ?? line.id,
    period,
    span,
    timezone: config.shifts.timezone,
    generatedAt,
    lineOee,
    stationOee: lineOee.flatMap((r) => history.oeeStations(line.id, r.windowStart)),
    // The shifts that started in the 7 days up to the period's end, its last shift included.
    trend: history.oeeShifts(line.id, period.end - TREND_MS, (last?.windowStart ?? period.start) + 1),
    downtime: history.downtime({ from: start, to: end, line: line.id, limit: MAX_DOWNTIME_ROWS }),
    alerts: history.alerts(start),
    orders: history.orders({ from: start, to: end, line: line.id }),
    // The history's buckets, as the dashboard's charts show them: [from, to). A part completed at
    // the very instant the shift ends counts in this shift's OEE (docs/oee.md#figures) but falls in
    // the next hour's bucket; shifting the query by 1 ms would not do, as older cycles survive only
    // as per-minute roll-ups.
    // Per-minute cycles are kept `storage.historyRetention` only (shift records longer): an hour
    // from before that is left out rather than shown as an hour without parts.
    cycles: line.stations.map((s) => ({
      station: s.id,
      buckets: history
        .cycles(s.id, start, end, hours)
        .filter((b) => b.from >= generatedAt - config.storage.historyRetention),
    })),
    stations: line.stations.map((s) => ({ id: s.id, name: s.name ?? s.id })),
    reasonLabels: Object.fromEntries(config.reasons.map((r) => [r.id, r.label])),
  };
}
