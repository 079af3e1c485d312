/**
 * The shapes of /api/history/shifts and /api/history/period, built from the local history's
 * stored shift records (the same rows /api/oee?shift= answers from) and its alerts.
 * docs/dashboard.md#http-api describes them.
 */
import type { OeeFigures } from '../core/events.js';
import type { AlertRecord, HistoryReader, OeeRecord } from '../outputs/history/types.js';
import { causesOfPeriod, type CauseShare } from '../outputs/history/period-causes.js';
import { sumFigures, type PeriodFigures } from '../outputs/history/period.js';

export interface ShiftWindowView {
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
}

export interface HistoryShiftView extends ShiftWindowView {
  /** The line's stored figures, exactly as recorded. */
  readonly figures: OeeFigures;
  readonly stations: readonly { readonly station: string; readonly figures: OeeFigures }[];
}

export interface OutputView extends ShiftWindowView {
  readonly good: number;
  readonly total: number;
  readonly target?: number;
  readonly behindBy?: number;
}

/** How an alert raised in the period ended (or not yet). */
export interface PeriodAlertView {
  readonly alertId: string;
  readonly station: string;
  readonly kind: string;
  readonly severity: AlertRecord['severity'];
  readonly raisedAt: number;
  /** resolved, acknowledged (and not resolved yet) or active. */
  readonly status: AlertRecord['status'];
  readonly resolvedAt?: number;
  readonly acknowledgedBy?: string;
  readonly ackNote?: string;
}

export interface HistoryPeriodView {
  readonly line: string;
  readonly from: number;
  readonly to: number;
  /** The shifts summed: those that started in [from, to). */
  readonly shifts: readonly ShiftWindowView[];
  readonly figures: PeriodFigures;
  readonly stations: readonly { readonly station: string; readonly name: string; readonly figures: PeriodFigures }[];
  /** Downtime by cause, the Pareto's bars: own downtime plus the waits it caused; with labels. */
  readonly causes: readonly (CauseShare & { readonly label: string })[];
  readonly output: readonly OutputView[];
  /** Raised in [from, to), or later during a shift summed; oldest first. */
  readonly alerts: readonly PeriodAlertView[];
  /** Labels of the reason ids the figures use. */
  readonly reasons: Readonly<Record<string, string>>;
}

function windowOf(r: OeeRecord): ShiftWindowView {
  return {
    ...(r.shift !== undefined ? { shift: r.shift } : {}),
    start: r.windowStart,
    end: r.windowEnd,
    final: r.final,
  };
}

/** Every shift of the line starting in [from, to), with its stations' stored figures. */
export function historyShifts(history: HistoryReader, line: string, from: number, to: number): HistoryShiftView[] {
  return history.oeeShifts(line, from, to).map((r) => ({
    ...windowOf(r),
    figures: r.figures,
    stations: history.oeeStations(line, r.windowStart).map((s) => ({ station: s.station ?? '', figures: s.figures })),
  }));
}

export interface PeriodInput {
  readonly line: string;
  /** Station ids of the line in flow order, and their display names. */
  readonly stations: readonly string[];
  readonly stationNames: ReadonlyMap<string, string>;
  readonly reasonLabel: (reason: string) => string;
  readonly from: number;
  readonly to: number;
}

/** Alerts of the line's stations raised in [from, to), oldest first. */
export function periodAlerts(
  history: HistoryReader,
  stations: ReadonlySet<string>,
  from: number,
  to: number,
): PeriodAlertView[] {
  return history
    .alerts(from)
    .filter((a) => stations.has(a.station) && a.firstTs >= from && a.firstTs < to)
    .sort((a, b) => a.firstTs - b.firstTs)
    .map((a) => ({
      alertId: a.alertId,
      station: a.station,
      kind: a.kind,
      severity: a.severity,
      raisedAt: a.firstTs,
      status: a.status,
      ...(a.status === 'resolved' ? { resolvedAt: a.ts } : {}),
      ...(a.ackBy !== undefined ? { acknowledgedBy: a.ackBy } : {}),
      ...(a.ackNote !== undefined ? { ackNote: a.ackNote } : {}),
    }));
}

export function historyPeriod(history: HistoryReader, input: PeriodInput): HistoryPeriodView {
  const shifts = historyShifts(history, input.line, input.from, input.to);
  const byStation = new Map<string, OeeFigures[]>(input.stations.map((s) => [s, []]));
  for (const shift of shifts) for (const s of shift.stations) byStation.get(s.station)?.push(s.figures);
  const stations = input.stations.map((id) => ({
    station: id,
    name: input.stationNames.get(id) ?? id,
    figures: sumFigures(byStation.get(id) ?? []),
  }));
  const reasons: Record<string, string> = {};
  for (const s of stations) {
    for (const reason of Object.keys(s.figures.downtimeByReason)) reasons[reason] = input.reasonLabel(reason);
    for (const w of s.figures.waits ?? []) if (w.reason !== undefined) reasons[w.reason] = input.reasonLabel(w.reason);
  }
  return {
    line: input.line,
    from: input.from,
    to: input.to,
    shifts: shifts.map(({ shift, start, end, final }) => ({
      ...(shift !== undefined ? { shift } : {}),
      start,
      end,
      final,
    })),
    figures: sumFigures(shifts.map((s) => s.figures)),
    stations,
    causes: causesOfPeriod(stations).map((c) => ({
      ...c,
      label: `${c.station !== undefined ? `${input.stationNames.get(c.station) ?? c.station} · ` : ''}${input.reasonLabel(c.reason)}`,
    })),
    output: shifts.map((s) => ({
      ...(s.shift !== undefined ? { shift: s.shift } : {}),
      start: s.start,
      end: s.end,
      final: s.final,
      good: s.figures.counts.good,
      total: s.figures.counts.total,
      ...(s.figures.target !== undefined ? { target: s.figures.target } : {}),
      ...(s.figures.behindBy !== undefined ? { behindBy: s.figures.behindBy } : {}),
    })),
    // The alerts raised in the range or during a shift summed: a day picked as its shifts' starts
    // ([first start, last start + 1 ms)) still shows the alerts of its last shift.
    alerts: periodAlerts(history, new Set(input.stations), input.from, Math.max(input.to, ...shifts.map((s) => s.end))),
    reasons,
  };
}
