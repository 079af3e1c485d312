/**
 * The local history behind the dashboard: what the line did over the current shift and the last
 * `storage.historyRetention` (default 7 days), kept on the Pi in SQLite so the page shows the
 * shift so far after an agent restart, without InfluxDB or the network.
 *
 * Who calls what:
 * - The agent feeds every core event to `record()` (synchronous, never throws, never blocks on
 *   the disk: events are buffered and written in one transaction every `flushIntervalMs`).
 * - The dashboard server reads through the query methods; every query first flushes the buffer,
 *   so a reader always sees every event recorded before it asked.
 * - Operator commands reach it only as core events: the downtime's `updated` event carries who
 *   assigned the reason, the alert's `acknowledged` event who acknowledged it (and the audit table
 *   gets one row per action from them).
 * All times are wall ms since the epoch; durations are ms.
 */
import type { CoreEvent, OeeFigures, StationState } from '../../core/events.js';
import type { LossCategory } from '../../config/schema.js';

/** One interval of a station's state. `to` is absent while the state lasts. */
export interface StateSpan {
  readonly state: StationState;
  readonly from: number;
  readonly to?: number;
  readonly reason?: string;
}

/** Cycles of one time bucket (downsampled for a chart: one bucket per pixel at most). */
export interface CycleBucket {
  /** Bucket start and end, wall ms. */
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly good: number;
  /** Cycles with a cycle time (the first after a start or a gap has none): min, max and avg are theirs. */
  readonly timed: number;
  /** Null when no cycle of the bucket has a time. */
  readonly minMs: number | null;
  readonly maxMs: number | null;
  readonly avgMs: number | null;
}

export interface DowntimeRecord {
  readonly id: string;
  readonly line: string;
  readonly station: string;
  readonly start: number;
  readonly end?: number;
  /** Set once the downtime ended. */
  readonly durationMs?: number;
  /** Reason id from the config, or "unassigned". */
  readonly reason: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
  /** Who assigned the reason from the dashboard, their role, how they logged in, and their note. */
  readonly reasonBy?: string;
  readonly reasonNote?: string;
  readonly reasonRole?: string;
  readonly reasonVia?: string;
}

export interface OeeRecord {
  readonly line: string;
  /** Absent for the line roll-up. */
  readonly station?: string;
  readonly kind: 'shift' | 'rolling';
  readonly shift?: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Wall ms of the snapshot. */
  readonly ts: number;
  readonly final: boolean;
  readonly figures: OeeFigures;
}

export interface AlertRecord {
  readonly alertId: string;
  readonly line: string;
  readonly station: string;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly status: 'active' | 'acknowledged' | 'resolved';
  /** First and latest event of this alert. */
  readonly firstTs: number;
  readonly ts: number;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly predictedFailureAt?: number;
  readonly ackBy?: string;
  readonly ackNote?: string;
  readonly ackRole?: string;
  readonly ackVia?: string;
}

export type AuditAction =
  | 'assign-reason'
  | 'acknowledge-alert'
  | 'start-order'
  | 'resume-order'
  | 'stop-order'
  | 'record-scrap';

/** One operator action, from the core's events: who did what to which downtime or alert, when. */
export interface AuditRecord {
  readonly ts: number;
  readonly action: AuditAction;
  readonly line: string;
  readonly station: string;
  /** The downtime id or alert id acted on. */
  readonly target: string;
  /** The reason assigned (assign-reason). */
  readonly reason?: string;
  readonly user?: string;
  readonly role?: string;
  readonly via?: string;
  readonly note?: string;
}

/** A production order as the history last saw it (docs/oee.md#orders). */
export interface OrderRecord {
  readonly line: string;
  readonly id: string;
  readonly product?: string;
  readonly quantity: number;
  readonly due?: number;
  readonly good: number;
  readonly reject: number;
  readonly status: 'running' | 'stopped' | 'completed';
  readonly start: number;
  readonly end?: number;
  /** The time of its latest event. */
  readonly ts: number;
}

export interface OrderQuery {
  readonly from: number;
  readonly to: number;
  readonly line?: string;
  /** Newest first; default 500. */
  readonly limit?: number;
}

export interface AuditQuery {
  readonly from: number;
  readonly to: number;
  readonly user?: string;
  readonly station?: string;
  /** Newest first; default 500. */
  readonly limit?: number;
}

export interface DowntimeQuery {
  readonly from: number;
  readonly to: number;
  readonly line?: string;
  readonly station?: string;
  /** Newest first; default 500. */
  readonly limit?: number;
}

export interface OeeQuery {
  readonly line: string;
  /** Absent: the line roll-up. */
  readonly station?: string;
  /** The latest instance of this shift name; absent: the latest shift of any name. */
  readonly shift?: string;
  /** Exact shift start (wall ms) to pick one instance. */
  readonly windowStart?: number;
}

export interface HistoryHealth {
  readonly file: string;
  readonly writable: boolean;
  readonly recorded: number;
  readonly buffered: number;
  readonly writeErrors: number;
  /** Events dropped because the disk refused writes for longer than the buffer holds. */
  readonly dropped: number;
  readonly lastError?: string;
  readonly lastFlushAt?: number;
  readonly lastPruneAt?: number;
  readonly bytes: number;
}

/** Read side of the history, as the dashboard server uses it. */
export interface HistoryReader {
  /** State spans overlapping [from, to], clipped to it, oldest first. */
  timeline(station: string, from: number, to: number): StateSpan[];
  /** Cycles in [from, to) in at most `points` buckets (empty buckets omitted). */
  cycles(station: string, from: number, to: number, points: number): CycleBucket[];
  /** Downtime overlapping [from, to], newest first. */
  downtime(query: DowntimeQuery): DowntimeRecord[];
  downtimeById(id: string): DowntimeRecord | undefined;
  /** The latest OEE snapshot of a shift window (final if the shift ended). */
  oee(query: OeeQuery): OeeRecord | undefined;
  /** Per-station records of the same window as `oee()` found. */
  oeeStations(line: string, windowStart: number): OeeRecord[];
  /** The line roll-up of every shift window starting in [from, to), oldest first (a report's trend). */
  oeeShifts(line: string, from: number, to: number): OeeRecord[];
  /** Alerts seen at or after `since` (by latest ts) plus every one still active or acknowledged. */
  alerts(since: number): AlertRecord[];
  alertById(alertId: string): AlertRecord | undefined;
  /** Operator actions in [from, to], newest first. */
  audit(query: AuditQuery): AuditRecord[];
  /** Orders that ran (or ran partly) in [from, to], newest first. */
  orders(query: OrderQuery): OrderRecord[];
  health(): HistoryHealth;
}

/** Write side: fed by the agent, noted by the server after accepted operator commands. */
export interface HistoryWriter {
  record(event: CoreEvent): void;
}

export type HistoryStore = HistoryReader &
  HistoryWriter & {
    /** Writes buffered events now (also done by a timer and before every query). */
    flush(): void;
    /** Deletes what is older than the retention; runs hourly by itself. Returns rows deleted. */
    prune(): number;
    close(): void;
  };
