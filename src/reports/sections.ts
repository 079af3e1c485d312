/**
 * The report's tables, in page order, as both the HTML page and the PDF print them: a title, the
 * column heads, the rows (plant-time strings, hms durations, percentages: format.ts) and what to say
 * when a table is empty. The renderers only lay them out. Pure.
 */
import { hms, localTime, pct } from './format.js';
import type { ReportModel } from './types.js';

export type SectionId = 'output' | 'shifts' | 'stations' | 'downtime' | 'open' | 'alerts' | 'orders';

export interface Section {
  readonly id: SectionId;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly empty: string;
}

/** The headline figures at the top of the page: label and value. */
export function headline(m: ReportModel): [string, string][] {
  const f = m.figures;
  return [
    ['OEE', pct(f.oee)],
    ['Availability', pct(f.availability)],
    ['Performance', pct(f.performance)],
    ['Quality', pct(f.quality)],
    ['Good / target', m.output.target !== undefined ? `${m.output.good} / ${m.output.target}` : `${m.output.good}`],
  ];
}

/** The page's sections by id; a shift's report has no `shifts` section. */
export type Sections = Readonly<Record<Exclude<SectionId, 'shifts'>, Section>> & { readonly shifts?: Section };

export function sectionsById(m: ReportModel): Sections {
  return Object.fromEntries(reportSections(m).map((s) => [s.id, s])) as unknown as Sections;
}

/** The note under the title of a report whose period has a shift still running. */
export function notEndedNote(m: ReportModel): string {
  return m.period.kind === 'shift' ? 'shift not ended: figures so far' : 'a shift has not ended: figures so far';
}

/** The page's sections in order. A day's or week's report has a row per shift after the output. */
export function reportSections(m: ReportModel): Section[] {
  const t = (ms: number): string => localTime(ms, m.timezone);
  const f = m.figures;
  const shifts: Section[] =
    m.period.kind === 'shift'
      ? []
      : [
          {
            id: 'shifts',
            title: 'Shifts',
            columns: ['shift', 'start', 'OEE', 'availability', 'performance', 'quality', 'good', 'target', 'downtime'],
            rows: m.shifts.map((s) => [
              `${s.shift ?? '-'}${s.final ? '' : ' (running)'}`,
              t(s.start),
              pct(s.figures.oee),
              pct(s.figures.availability),
              pct(s.figures.performance),
              pct(s.figures.quality),
              s.figures.counts.good,
              s.figures.target ?? '-',
              hms(s.figures.downtimeMs),
            ]),
            empty: 'No shifts in this period.',
          },
        ];
  return [
    {
      id: 'output',
      title: 'Output',
      columns: ['good', 'reject', 'total', 'target', 'behind by', 'run time', 'planned time', 'downtime'],
      rows: [
        [
          f.counts.good,
          f.counts.reject,
          f.counts.total,
          m.output.target ?? '-',
          m.output.behindBy ?? '-',
          hms(f.runTimeMs),
          hms(f.plannedTimeMs),
          hms(f.downtimeMs),
        ],
      ],
      empty: '',
    },
    ...shifts,
    {
      id: 'stations',
      title: 'OEE per station',
      columns: ['station', 'OEE', 'availability', 'performance', 'quality', 'good', 'total', 'downtime'],
      rows: m.stations.map((s) => [
        s.name,
        pct(s.figures.oee),
        pct(s.figures.availability),
        pct(s.figures.performance),
        pct(s.figures.quality),
        s.figures.counts.good,
        s.figures.counts.total,
        hms(s.figures.downtimeMs),
      ]),
      empty: 'No station figures.',
    },
    {
      id: 'downtime',
      title: 'Downtimes',
      columns: ['station', 'start', 'end', 'duration', 'reason', 'assigned by'],
      rows: m.downtime.map((d) => [
        d.station,
        t(d.start),
        d.end !== undefined ? t(d.end) : 'open',
        d.durationMs !== undefined ? hms(d.durationMs) : '-',
        d.reasonLabel,
        d.assignedBy !== undefined
          ? `${d.assignedBy}${d.assignedRole !== undefined ? ` (${d.assignedRole})` : ''}`
          : '-',
      ]),
      empty: 'No downtime in this period.',
    },
    {
      id: 'open',
      title: 'Open or unassigned downtimes',
      columns: ['station', 'start', 'state', 'reason'],
      rows: m.openOrUnassigned.map((d) => [d.station, t(d.start), d.open ? 'open' : 'ended', d.reasonLabel]),
      empty: 'None: every downtime has a reason and has ended.',
    },
    {
      id: 'alerts',
      title: 'Alerts',
      columns: ['station', 'kind', 'severity', 'raised', 'last event', 'how it ended'],
      rows: m.alerts.map((a) => [
        a.station,
        a.kind,
        a.severity,
        t(a.raisedAt),
        t(a.lastAt),
        a.acknowledgedBy !== undefined ? `${a.status} (acknowledged by ${a.acknowledgedBy})` : a.status,
      ]),
      empty: 'No alerts in this period.',
    },
    {
      id: 'orders',
      title: 'Orders',
      columns: ['order', 'product', 'quantity', 'good', 'reject', 'status'],
      rows: m.orders.map((o) => [o.id, o.product ?? '-', o.quantity, o.good, o.reject, o.status]),
      empty: 'No orders ran in this period.',
    },
  ];
}
