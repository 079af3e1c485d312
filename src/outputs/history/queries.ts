/**
 * Read queries of the history, prepared once. Times are wall ms; every result is bounded
 * (limits, or one bucket per requested point) so a week-long query cannot flood the Pi.
 */
import type Database from 'better-sqlite3';
import type { StationState } from '../../core/events.js';
import {
  toAlert,
  toAudit,
  toDowntime,
  toOee,
  toOrder,
  type AlertRow,
  type AuditRow,
  type BucketRow,
  type DowntimeRow,
  type OeeRow,
  type OrderRow,
  type SpanRow,
} from './query-rows.js';
import type {
  AlertRecord,
  AuditQuery,
  AuditRecord,
  CycleBucket,
  DowntimeQuery,
  DowntimeRecord,
  OeeQuery,
  OeeRecord,
  OrderQuery,
  OrderRecord,
  StateSpan,
} from './types.js';

const MINUTE_MS = 60_000;
const DEFAULT_DOWNTIME_LIMIT = 500;
const ALERT_LIMIT = 500;

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
  private readonly oeeShiftsIn;
  private readonly alertsSince;
  private readonly alertOne;
  private readonly auditRange;
  private readonly orderRange;

  constructor(db: Database.Database) {
    this.spans = db.prepare(
      'SELECT state, reason, start_ms, end_ms FROM state_spans WHERE station = ? AND start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ORDER BY start_ms, id',
    );
    // Bucket index floor((ts - from) * points / (to - from)); numbers are bound as REAL, hence the CAST.
    this.rawBuckets = db.prepare(`
      SELECT CAST(((ts - @from) * @points) / (@to - @from) AS INTEGER) AS b, count(*) AS n, sum(good) AS g,
             count(cycle_time_ms) AS t, min(cycle_time_ms) AS mn, max(cycle_time_ms) AS mx, avg(cycle_time_ms) AS av
      FROM cycles_raw WHERE station = @station AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`);
    this.minuteBuckets = db.prepare(`
      SELECT CAST(((minute_ms - @from) * @points) / (@to - @from) AS INTEGER) AS b, sum(count) AS n, sum(good) AS g,
             sum(timed) AS t, min(min_ms) AS mn, max(max_ms) AS mx, sum(sum_ms) / nullif(sum(timed), 0) AS av
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
    // At most a few shifts a day: a year of them is ~1,100 rows, hence the bound.
    this.oeeShiftsIn = db.prepare(
      "SELECT * FROM oee WHERE line = ? AND station = '' AND kind = 'shift' AND window_start >= ? AND window_start < ? ORDER BY window_start LIMIT 2000",
    );
    this.alertsSince = db.prepare(
      `SELECT * FROM alerts WHERE ts >= ? OR status != 'resolved' ORDER BY ts DESC LIMIT ${ALERT_LIMIT}`,
    );
    this.alertOne = db.prepare('SELECT * FROM alerts WHERE alert_id = ?');
    this.auditRange = db.prepare(`
      SELECT * FROM audit WHERE ts >= @from AND ts <= @to
        AND (@user IS NULL OR lower(user) = lower(@user)) AND (@station IS NULL OR station = @station)
      ORDER BY ts DESC LIMIT @limit`);
    this.orderRange = db.prepare(`
      SELECT * FROM orders WHERE start_ms <= @to AND (end_ms IS NULL OR end_ms >= @from)
        AND (@line IS NULL OR line = @line)
      ORDER BY start_ms DESC LIMIT @limit`);
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
      timed: r.t,
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

  /** The line roll-ups of the shifts starting in [from, to), oldest first (one row per shift instance). */
  oeeShifts(line: string, from: number, to: number): OeeRecord[] {
    return (this.oeeShiftsIn.all(line, from, to) as OeeRow[]).map(toOee);
  }

  alerts(since: number): AlertRecord[] {
    return (this.alertsSince.all(since) as AlertRow[]).map(toAlert);
  }

  alertById(alertId: string): AlertRecord | undefined {
    const row = this.alertOne.get(alertId) as AlertRow | undefined;
    return row === undefined ? undefined : toAlert(row);
  }

  /** Orders whose span [start, end or open] overlaps [from, to], newest first. */
  orders(q: OrderQuery): OrderRecord[] {
    const rows = this.orderRange.all({
      from: q.from,
      to: q.to,
      line: q.line ?? null,
      limit: q.limit ?? DEFAULT_DOWNTIME_LIMIT,
    }) as OrderRow[];
    return rows.map(toOrder);
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
