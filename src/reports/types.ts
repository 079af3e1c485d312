/**
 * The report model: everything one line's end-of-shift (or day, or week) report shows, built by
 * `buildReport` (model.ts) from the history's records and nothing else, so its figures are the
 * ones `/api/oee` answers for the same shift. Renderers (html.ts, csv.ts, pdf.ts) take it as is.
 * All times are wall ms since the epoch; durations are ms (docs/reports.md).
 */
import type { OeeFigures, WaitShare } from '../core/events.js';
import type { AlertRecord, CycleBucket, DowntimeRecord, OeeRecord, OrderRecord } from '../outputs/history/types.js';

export type PeriodKind = 'shift' | 'day' | 'week';

export interface ReportPeriod {
  readonly kind: PeriodKind;
  /** The shift's name (kind "shift"). */
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
}

/** What the history holds for one line and period: the model's only input besides names. */
export interface ReportInput {
  readonly line: string;
  readonly lineName: string;
  readonly period: ReportPeriod;
  /** The time the lists cover: the period, or for a day or week its shifts' whole windows. */
  readonly span: { readonly start: number; readonly end: number };
  /** Time zone the page shows times in (config shifts.timezone). */
  readonly timezone: string;
  /** When the report was made (wall ms): printed on it, not used for any figure. */
  readonly generatedAt: number;
  /** The line roll-up of each shift window in the period (one for a shift), oldest first. */
  readonly lineOee: readonly OeeRecord[];
  /** Per-station records of those windows. */
  readonly stationOee: readonly OeeRecord[];
  /** The line roll-up of the shifts of the 7 days up to the period's end, oldest first. */
  readonly trend: readonly OeeRecord[];
  readonly downtime: readonly DowntimeRecord[];
  readonly alerts: readonly AlertRecord[];
  readonly orders: readonly OrderRecord[];
  /** Hourly cycle buckets per station, in the line's station order. */
  readonly cycles: readonly { readonly station: string; readonly buckets: readonly CycleBucket[] }[];
  /** Station ids in flow order, with display names. */
  readonly stations: readonly { readonly id: string; readonly name: string }[];
  /** Reason id -> label (config reasons). */
  readonly reasonLabels: Readonly<Record<string, string>>;
}

export interface Loss {
  /** "down" by reason, or a wait booked to its cause (docs/oee.md#waits). */
  readonly kind: 'down' | 'starved' | 'blocked';
  readonly station: string;
  readonly reason?: string;
  /** Waits: the station that caused it (absent: from outside the line). */
  readonly cause?: string;
  readonly ms: number;
  readonly label: string;
}

export interface TrendPoint {
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
}

export interface DowntimeRow {
  readonly id: string;
  readonly station: string;
  readonly start: number;
  readonly end?: number;
  /** Absent while open. */
  readonly durationMs?: number;
  readonly reason: string;
  readonly reasonLabel: string;
  readonly category: string;
  readonly assignedBy?: string;
  readonly assignedRole?: string;
  readonly note?: string;
  readonly open: boolean;
  readonly unassigned: boolean;
}

export interface AlertRow {
  readonly id: string;
  readonly station: string;
  readonly kind: string;
  readonly severity: string;
  readonly raisedAt: number;
  readonly lastAt: number;
  /** How it ended (or stands): active, acknowledged (by whom), resolved. */
  readonly status: string;
  readonly acknowledgedBy?: string;
}

/** One shift of a day's or week's report: the line's and each station's stored figures. */
export interface ShiftRow {
  readonly shift?: string;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  readonly figures: OeeFigures;
  /** In flow order. */
  readonly stations: readonly { readonly station: string; readonly figures: OeeFigures }[];
}

export interface ReportModel {
  readonly line: string;
  readonly lineName: string;
  readonly period: ReportPeriod;
  readonly timezone: string;
  readonly generatedAt: number;
  /** The shift's record is final (the shift ended) — false for a report of a shift still running. */
  readonly final: boolean;
  /** The line's figures: for a shift the very record /api/oee answers; for a day or week, summed. */
  readonly figures: OeeFigures;
  readonly stations: readonly { readonly station: string; readonly name: string; readonly figures: OeeFigures }[];
  /** A day's or week's shifts, oldest first, with the figures they were summed from; empty for a shift. */
  readonly shifts: readonly ShiftRow[];
  readonly trend: readonly TrendPoint[];
  readonly output: {
    readonly good: number;
    readonly total: number;
    readonly target?: number;
    readonly behindBy?: number;
  };
  /** The five longest losses, longest first. */
  readonly topLosses: readonly Loss[];
  readonly downtime: readonly DowntimeRow[];
  /** Downtimes still open or without a reason. */
  readonly openOrUnassigned: readonly DowntimeRow[];
  readonly alerts: readonly AlertRow[];
  readonly orders: readonly OrderRecord[];
  readonly cycles: ReportInput['cycles'];
}

export type { WaitShare };

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** What `GET /api/reports` shows of a report's email or webhook (docs/reports.md#delivery-by-email). */
export interface DeliveryState {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** "CODE message" of the latest failed attempt. */
  readonly lastError?: string;
  /** Wall ms. */
  readonly sentAt?: number;
}
