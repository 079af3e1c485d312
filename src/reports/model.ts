/**
 * buildReport: the report model from the history's records (types.ts). Pure and deterministic:
 * no clock, no I/O; the same input gives the same model. The line and station figures are the
 * history's OEE records as stored — the same ones `/api/oee` answers — never recomputed, so the
 * report cannot disagree with the API or the dashboard.
 */
import type { OeeFigures } from '../core/events.js';
import { sumFigures as sumPeriod } from '../outputs/history/period.js';
import type { DowntimeRecord, OeeRecord } from '../outputs/history/types.js';
import { LinesideError } from '../lib/errors.js';
import { topLosses } from './losses.js';
import type { AlertRow, DowntimeRow, ReportInput, ReportModel, ShiftRow, TrendPoint } from './types.js';

export function buildReport(input: ReportInput): ReportModel {
  const { period } = input;
  const lineRecords = input.lineOee.filter((r) => r.station === undefined && r.line === input.line);
  if (lineRecords.length === 0)
    throw new LinesideError('NOT_FOUND', `no OEE recorded for line "${input.line}" in the report's period`, {
      line: input.line,
      start: period.start,
    });
  if (period.kind === 'shift' && lineRecords.length !== 1)
    throw new LinesideError('INTERNAL', `a shift report needs one line OEE record, got ${lineRecords.length}`, {
      line: input.line,
      start: period.start,
    });
  const names = new Map(input.stations.map((s) => [s.id, s.name]));
  const figures = period.kind === 'shift' ? (lineRecords[0] as OeeRecord).figures : periodFigures(lineRecords);
  const stations = input.stations.flatMap((s) => {
    const records = input.stationOee.filter((r) => r.station === s.id);
    if (records.length === 0) return [];
    const f = period.kind === 'shift' ? (records[0] as OeeRecord).figures : periodFigures(records);
    return [{ station: s.id, name: s.name, figures: f }];
  });
  const label = (reason: string): string => input.reasonLabels[reason] ?? reason;
  const downtime = [...input.downtime]
    .filter((d) => d.line === input.line)
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id))
    .map((d) => downtimeRow(d, label(d.reason)));
  return {
    line: input.line,
    lineName: input.lineName,
    period,
    timezone: input.timezone,
    generatedAt: input.generatedAt,
    final: lineRecords.every((r) => r.final),
    figures,
    stations,
    shifts: period.kind === 'shift' ? [] : lineRecords.map((r) => shiftRow(r, input)),
    trend: input.trend.map(trendPoint),
    output: {
      good: figures.counts.good,
      total: figures.counts.total,
      ...(figures.target !== undefined ? { target: figures.target } : {}),
      ...(figures.behindBy !== undefined ? { behindBy: figures.behindBy } : {}),
    },
    topLosses: topLosses(stations, names, label, 5),
    downtime,
    openOrUnassigned: downtime.filter((d) => d.open || d.unassigned),
    alerts: input.alerts
      .filter(
        (a) =>
          a.line === input.line && a.firstTs < input.span.end && (a.ts >= input.span.start || a.status !== 'resolved'),
      )
      .sort((a, b) => a.firstTs - b.firstTs || a.alertId.localeCompare(b.alertId))
      .map(
        (a): AlertRow => ({
          id: a.alertId,
          station: a.station,
          kind: a.kind,
          severity: a.severity,
          raisedAt: a.firstTs,
          lastAt: a.ts,
          status: a.status,
          ...(a.ackBy !== undefined ? { acknowledgedBy: a.ackBy } : {}),
        }),
      ),
    orders: [...input.orders].filter((o) => o.line === input.line).sort((a, b) => a.start - b.start),
    cycles: input.cycles,
  };
}

function downtimeRow(d: DowntimeRecord, reasonLabel: string): DowntimeRow {
  return {
    id: d.id,
    station: d.station,
    start: d.start,
    ...(d.end !== undefined ? { end: d.end } : {}),
    ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
    reason: d.reason,
    reasonLabel,
    category: d.category,
    ...(d.reasonBy !== undefined ? { assignedBy: d.reasonBy } : {}),
    ...(d.reasonRole !== undefined ? { assignedRole: d.reasonRole } : {}),
    ...(d.reasonNote !== undefined ? { note: d.reasonNote } : {}),
    open: d.end === undefined,
    unassigned: d.reason === 'unassigned',
  };
}

function shiftRow(r: OeeRecord, input: ReportInput): ShiftRow {
  return {
    ...(r.shift !== undefined ? { shift: r.shift } : {}),
    start: r.windowStart,
    end: r.windowEnd,
    final: r.final,
    figures: r.figures,
    stations: input.stations.flatMap((s) => {
      const rec = input.stationOee.find((x) => x.station === s.id && x.windowStart === r.windowStart);
      return rec === undefined ? [] : [{ station: s.id, figures: rec.figures }];
    }),
  };
}

function trendPoint(r: OeeRecord): TrendPoint {
  const f = r.figures;
  return {
    ...(r.shift !== undefined ? { shift: r.shift } : {}),
    start: r.windowStart,
    end: r.windowEnd,
    final: r.final,
    availability: f.availability,
    performance: f.performance,
    quality: f.quality,
    oee: f.oee,
  };
}

/**
 * A day's or week's figures from its shifts: times and counts summed, the ratios taken from the
 * sums (never a mean of ratios), exactly as the dashboard's history view sums them.
 */
function periodFigures(records: readonly OeeRecord[]): OeeFigures {
  return sumPeriod(records.map((r) => r.figures));
}
