/**
 * Read queries of the history, prepared once. Times are wall ms; every result is bounded
 * (limits, or one bucket per requested point) so a week-long query cannot flood the Pi.
 */
import type Database from 'better-sqlite3';
import type { OeeFigures, StationState } from '../../core/events.js';
import type { LossCategory } from '../../config/schema.js';
import type {
  AlertRecord,
  AuditAction,
  AuditQuery,
  AuditRecord,
  CycleBucket,
  DowntimeQuery,
  DowntimeRecord,
  OeeQuery,
  OeeRecord,
  StateSpan,
} from './types.js';

const MINUTE_MS = 60_000;
const DEFAULT_DOWNTIME_LIMIT = 500;
const ALERT_LIMIT = 500;

interface SpanRow {
  state: string;
  reason: string | null;
  start_ms: number;
  end_ms: number | null;
}
interface BucketRow {
  b: number;
  n: number;
  g: number;
  mn: number;
  mx: number;
  av: number;
}
interface DowntimeRow {
  id: string;
  line: string;
  station: string;
  start_ms: number;
  end_ms: number | null;
  duration_ms: number | null;
  reason: string;
  category: string;
  fault_code: number | null;
  reason_by: string | null;
  reason_note: string | null;
  reason_role: string | null;
  reason_via: string | null;
}
interface OeeRow {
  line: string;
  station: string;
  kind: string;
  shift: string | null;
  window_start: number;
  window_end: number;
  ts: number;
  final: number;
  figures: string;
}
interface AlertRow {
  alert_id: string;
  line: string;
  station: string;
  kind: string;
  severity: string;
  status: string;
  first_ts: number;
  ts: number;
  evidence: string;
  predicted_failure_at: number | null;
  ack_by: string | null;
  ack_note: string | null;
  ack_role: string | null;
  ack_via: string | null;
}
interface AuditRow {
  ts: number;
  action: string;
  line: string;
  station: string;
  target: string;
  detail: string | null;
  user: string | null;
  role: string | null;
  via: string | null;
  note: string | null;
}

export class HistoryQueries {
  private readonly spans;
  private readonly rawBuckets;
  private readonly minuteBuckets;
  private readonly oldestRaw;
  private readonly oldestMinute;
  private readonly downtimeRange;
  private readonly downtimeOne;
  private readonly oeeLatest;
  private readonly oeeLatestOfShift;
  private readonly oeeAt;
  private readonly oeeStationsAt;
  private readonly alertsSince;
  private readonly alertOne;
  private readonly auditRange;

  constructor(db: Database.Database) {
    this.spans = db.prepare(
      'SELECT state, reason, start_ms, end_ms FROM state_spans WHERE station = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ORDER BY start_ms, id',
    );
    // Bucket index floor((ts - from) * points / (to - from)); numbers are bound as REAL, hence the CAST.
    this.rawBuckets = db.prepare(`
      SELECT CAST(((ts - @from) * @points) / (@to - @from) AS INTEGER) AS b, count(*) AS n, sum(good) AS g,
             min(cycle_time_ms) AS mn, max(cycle_time_ms) AS mx, avg(cycle_time_ms) AS av
      FROM cycles_raw WHERE station = @station AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`);
    this.minuteBuckets = db.prepare(`
      SELECT CAST(((minute_ms - @from) * @points) / (@to - @from) AS INTEGER) AS b, sum(count) AS n, sum(good) AS g,
             min(min_ms) AS mn, max(max_ms) AS mx, sum(sum_ms) / sum(count) AS av
      FROM cycle_minutes WHERE station = @station AND minute_ms >= @from AND minute_ms < @to GROUP BY b ORDER BY b`);
    this.oldestRaw = db.prepare('SELECT min(ts) AS t FROM cycles_raw WHERE station = ?').pluck();
    this.oldestMinute = db.prepare('SELECT min(minute_ms) AS t FROM cycle_minutes WHERE station = ?').pluck();
    this.downtimeRange = db.prepare(`
      SELECT * FROM downtime WHERE start_ms <= @to AND (end_ms IS NULL OR end_ms >= @from)
        AND (@line IS NULL OR line = @line) AND (@station IS NULL OR station = @station)
      ORDER BY start_ms DESC LIMIT @limit`);
    this.downtimeOne = db.prepare('SELECT * FROM downtime WHERE id = ?');
    this.oeeLatest = db.prepare(
      "SELECT * FROM oee WHERE line = ? AND station = ? AND kind = 'shift' ORDER BY window_start DESC LIMIT 1",
    );
    this.oeeLatestOfShift = db.prepare(
      "SELECT * FROM oee WHERE line = ? AND station = ? AND kind = 'shift' AND shift = ? ORDER BY window_start DESC LIMIT 1",
    );
    this.oeeAt = db.prepare("SELECT * FROM oee WHERE line = ? AND station = ? AND kind = 'shift' AND window_start = ?");
    this.oeeStationsAt = db.prepare(
      "SELECT * FROM oee WHERE line = ? AND station != '' AND kind = 'shift' AND window_start = ? ORDER BY station",
    );
    this.alertsSince = db.prepare(
      `SELECT * FROM alerts WHERE ts >= ? OR status != 'resolved' ORDER BY ts DESC LIMIT ${ALERT_LIMIT}`,
    );
    this.alertOne = db.prepare('SELECT * FROM alerts WHERE alert_id = ?');
    this.auditRange = db.prepare(`
      SELECT * FROM audit WHERE ts >= @from AND ts <= @to
        AND (@user IS NULL OR lower(user) = lower(@user)) AND (@station IS NULL OR station = @station)
      ORDER BY ts DESC LIMIT @limit`);
  }

  timeline(station: string, from: number, to: number, nowMs: number): StateSpan[] {
    const rows = this.spans.all(station, to, from) as SpanRow[];
    return rows.map((r) => {
      const start = Math.max(r.start_ms, from);
      const open = r.end_ms === null && to >= nowMs;
      const end = r.end_ms === null ? Math.min(to, nowMs) : Math.min(r.end_ms, to);
      const span: { state: StationState; from: number; to?: number; reason?: string } = {
        state: r.state as StationState,
        from: start,
      };
      if (!open) span.to = end;
      if (r.reason !== null) span.reason = r.reason;
      return span;
    });
  }

  cycles(station: string, from: number, to: number, points: number): CycleBucket[] {
    if (!(to > from) || points < 1) return [];
    const params = { station, from: Math.floor(from), to: Math.ceil(to), points: Math.floor(points) };
    const rows = (this.rawCovers(station, from) ? this.rawBuckets : this.minuteBuckets).all(params) as BucketRow[];
    const width = (params.to - params.from) / params.points;
    return rows.map((r) => ({
      from: Math.round(params.from + r.b * width),
      to: Math.round(params.from + (r.b + 1) * width),
      count: r.n,
      good: r.g,
      minMs: r.mn,
      maxMs: r.mx,
      avgMs: r.av,
    }));
  }

  /** Raw cycles hold everything from `from` on when they reach back that far, or when the per-minute roll-ups reach back no further than they do. */
  private rawCovers(station: string, from: number): boolean {
    const oldestRaw = this.oldestRaw.get(station) as number | null;
    if (oldestRaw === null) return false;
    if (oldestRaw <= from) return true;
    const oldestMinute = this.oldestMinute.get(station) as number | null;
    return oldestMinute !== null && oldestMinute >= Math.floor(oldestRaw / MINUTE_MS) * MINUTE_MS;
  }

  downtime(q: DowntimeQuery): DowntimeRecord[] {
    const rows = this.downtimeRange.all({
      from: q.from,
      to: q.to,
      line: q.line ?? null,
      station: q.station ?? null,
      limit: q.limit ?? DEFAULT_DOWNTIME_LIMIT,
    }) as DowntimeRow[];
    return rows.map(toDowntime);
  }

  downtimeById(id: string): DowntimeRecord | undefined {
    const row = this.downtimeOne.get(id) as DowntimeRow | undefined;
    return row === undefined ? undefined : toDowntime(row);
  }

  oee(q: OeeQuery): OeeRecord | undefined {
    const station = q.station ?? '';
    let row: OeeRow | undefined;
    if (q.windowStart !== undefined) row = this.oeeAt.get(q.line, station, q.windowStart) as OeeRow | undefined;
    else if (q.shift !== undefined) row = this.oeeLatestOfShift.get(q.line, station, q.shift) as OeeRow | undefined;
    else row = this.oeeLatest.get(q.line, station) as OeeRow | undefined;
    return row === undefined ? undefined : toOee(row);
  }

  oeeStations(line: string, windowStart: number): OeeRecord[] {
    return (this.oeeStationsAt.all(line, windowStart) as OeeRow[]).map(toOee);
  }

  alerts(since: number): AlertRecord[] {
    return (this.alertsSince.all(since) as AlertRow[]).map(toAlert);
  }

  alertById(alertId: string): AlertRecord | undefined {
    const row = this.alertOne.get(alertId) as AlertRow | undefined;
    return row === undefined ? undefined : toAlert(row);
  }

  audit(q: AuditQuery): AuditRecord[] {
    const rows = this.auditRange.all({
      from: q.from,
      to: q.to,
      user: q.user ?? null,
      station: q.station ?? null,
      limit: q.limit ?? DEFAULT_DOWNTIME_LIMIT,
    }) as AuditRow[];
    return rows.map(toAudit);
  }
}

function toAudit(r: AuditRow): AuditRecord {
  const a: { -readonly [K in keyof AuditRecord]: AuditRecord[K] } = {
    ts: r.ts,
    action: r.action as AuditAction,
    line: r.line,
    station: r.station,
    target: r.target,
  };
  if (r.detail !== null) a.reason = r.detail;
  if (r.user !== null) a.user = r.user;
  if (r.role !== null) a.role = r.role;
  if (r.via !== null) a.via = r.via;
  if (r.note !== null) a.note = r.note;
  return a;
}

function toDowntime(r: DowntimeRow): DowntimeRecord {
  const d: { -readonly [K in keyof DowntimeRecord]: DowntimeRecord[K] } = {
    id: r.id,
    line: r.line,
    station: r.station,
    start: r.start_ms,
    reason: r.reason,
    category: r.category as LossCategory,
  };
  if (r.end_ms !== null) d.end = r.end_ms;
  if (r.duration_ms !== null) d.durationMs = r.duration_ms;
  if (r.fault_code !== null) d.faultCode = r.fault_code;
  if (r.reason_by !== null) d.reasonBy = r.reason_by;
  if (r.reason_note !== null) d.reasonNote = r.reason_note;
  if (r.reason_role !== null) d.reasonRole = r.reason_role;
  if (r.reason_via !== null) d.reasonVia = r.reason_via;
  return d;
}

function toOee(r: OeeRow): OeeRecord {
  const o: { -readonly [K in keyof OeeRecord]: OeeRecord[K] } = {
    line: r.line,
    kind: r.kind as 'shift' | 'rolling',
    windowStart: r.window_start,
    windowEnd: r.window_end,
    ts: r.ts,
    final: r.final === 1,
    figures: JSON.parse(r.figures) as OeeFigures,
  };
  if (r.station !== '') o.station = r.station;
  if (r.shift !== null) o.shift = r.shift;
  return o;
}

function toAlert(r: AlertRow): AlertRecord {
  const a: { -readonly [K in keyof AlertRecord]: AlertRecord[K] } = {
    alertId: r.alert_id,
    line: r.line,
    station: r.station,
    kind: r.kind,
    severity: r.severity as AlertRecord['severity'],
    status: r.status as AlertRecord['status'],
    firstTs: r.first_ts,
    ts: r.ts,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  };
  if (r.predicted_failure_at !== null) a.predictedFailureAt = r.predicted_failure_at;
  if (r.ack_by !== null) a.ackBy = r.ack_by;
  if (r.ack_note !== null) a.ackNote = r.ack_note;
  if (r.ack_role !== null) a.ackRole = r.ack_role;
  if (r.ack_via !== null) a.ackVia = r.ack_via;
  return a;
}
