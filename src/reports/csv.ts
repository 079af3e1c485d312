/**
 * The report's CSV files (RFC 4180: comma, CRLF, quotes doubled): downtimes, cycles per hour,
 * OEE per station, and for a day or week the OEE per shift. Times in ISO-8601 UTC, durations in whole seconds, ratios as plain decimals,
 * so a spreadsheet computes with them. Pure.
 */
import type { OeeFigures } from '../core/events.js';
import type { ReportModel } from './types.js';

type Cell = string | number | boolean | undefined;

function cell(value: Cell): string {
  if (value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms / 1000));

export function downtimeCsv(model: ReportModel): string {
  return table(
    [
      'id',
      'station',
      'start',
      'end',
      'duration_s',
      'reason',
      'reason_label',
      'category',
      'assigned_by',
      'role',
      'note',
    ],
    model.downtime.map((d) => [
      d.id,
      d.station,
      iso(d.start),
      iso(d.end),
      seconds(d.durationMs),
      d.reason,
      d.reasonLabel,
      d.category,
      d.assignedBy,
      d.assignedRole,
      d.note,
    ]),
  );
}

export function cyclesCsv(model: ReportModel): string {
  return table(
    ['station', 'from', 'to', 'count', 'good', 'avg_cycle_ms', 'min_cycle_ms', 'max_cycle_ms'],
    model.cycles.flatMap((s) =>
      s.buckets.map((b) => [
        s.station,
        iso(b.from),
        iso(b.to),
        b.count,
        b.good,
        b.avgMs === null ? undefined : Math.round(b.avgMs),
        b.minMs ?? undefined,
        b.maxMs ?? undefined,
      ]),
    ),
  );
}

const FIGURE_COLUMNS = [
  'availability',
  'performance',
  'quality',
  'oee',
  'total',
  'good',
  'reject',
  'run_s',
  'planned_s',
  'downtime_s',
  'small_stop_s',
  'starved_s',
  'blocked_s',
  'target',
] as const;

function figureCells(f: OeeFigures): Cell[] {
  return [
    f.availability,
    f.performance,
    f.quality,
    f.oee,
    f.counts.total,
    f.counts.good,
    f.counts.reject,
    seconds(f.runTimeMs),
    seconds(f.plannedTimeMs),
    seconds(f.downtimeMs),
    seconds(f.smallStopMs),
    seconds(f.starvedMs),
    seconds(f.blockedMs),
    f.target,
  ];
}

/** The period's figures: the line's, then each station's, in flow order. */
export function oeeCsv(model: ReportModel): string {
  const rows = [{ station: '(line)', figures: model.figures }, ...model.stations].map(({ station, figures }) => [
    station,
    ...figureCells(figures),
  ]);
  return table(['station', ...FIGURE_COLUMNS], rows);
}

/** A day's or week's figures per shift: the line's and each station's, oldest shift first. */
export function shiftsCsv(model: ReportModel): string {
  const rows = model.shifts.flatMap((s) =>
    [{ station: '(line)', figures: s.figures }, ...s.stations].map(({ station, figures }) => [
      s.shift,
      iso(s.start),
      iso(s.end),
      s.final,
      station,
      ...figureCells(figures),
    ]),
  );
  return table(['shift', 'start', 'end', 'final', 'station', ...FIGURE_COLUMNS], rows);
}
