/**
 * Applies core events to the history tables with statements prepared once. Called inside the
 * store's batch transaction; one method per event type.
 */
import type Database from 'better-sqlite3';
import type {
  ActionBy,
  AlertEvent,
  CoreEvent,
  CycleEvent,
  DowntimeEvent,
  OeeEvent,
  OrderEvent,
  StateEvent,
} from '../../core/events.js';
import type { AuditAction } from './types.js';

const MINUTE_MS = 60_000;
/** Order events that are someone's action (completed and progress are the line's own doing). */
const ORDER_ACTIONS: Partial<Record<OrderEvent['phase'], AuditAction>> = {
  started: 'start-order',
  resumed: 'resume-order',
  stopped: 'stop-order',
};

export class HistoryWriterStatements {
  private readonly dropLaterSpans;
  private readonly clipSpans;
  private readonly insertSpan;
  private readonly downtimeSpanReason;
  private readonly upsertMinute;
  private readonly insertRaw;
  private readonly upsertDowntime;
  private readonly upsertOee;
  private readonly upsertAlert;
  private readonly insertAudit;
  private readonly upsertOrder;

  constructor(db: Database.Database) {
    // A state's `since` may lie before spans already written (a small stop that became
    // downtime starts back then): spans that began at or after it are superseded.
    this.dropLaterSpans = db.prepare('DELETE FROM state_spans WHERE station = ? AND start_ms >= ?');
    this.clipSpans = db.prepare(
      'UPDATE state_spans SET end_ms = ? WHERE station = ? AND (end_ms IS NULL OR end_ms > ?)',
    );
    this.insertSpan = db.prepare(
      'INSERT INTO state_spans (line, station, state, reason, start_ms, end_ms) VALUES (?, ?, ?, ?, ?, NULL)',
    );
    this.downtimeSpanReason = db.prepare(
      "UPDATE state_spans SET reason = ? WHERE station = ? AND state = 'down' AND start_ms >= ? AND start_ms < ?",
    );
    this.upsertMinute = db.prepare(`
      INSERT INTO cycle_minutes (station, minute_ms, count, good, timed, sum_ms, min_ms, max_ms) VALUES (?, ?, 1, ?, ?, ?, ?, ?)
      ON CONFLICT (station, minute_ms) DO UPDATE SET
        count = count + 1, good = good + excluded.good, timed = timed + excluded.timed,
        sum_ms = sum_ms + excluded.sum_ms,
        min_ms = coalesce(min(min_ms, excluded.min_ms), min_ms, excluded.min_ms),
        max_ms = coalesce(max(max_ms, excluded.max_ms), max_ms, excluded.max_ms)`);
    this.insertRaw = db.prepare('INSERT INTO cycles_raw (station, ts, cycle_time_ms, good) VALUES (?, ?, ?, ?)');
    this.upsertDowntime = db.prepare(`
      INSERT INTO downtime (id, line, station, start_ms, end_ms, duration_ms, reason, category, fault_code, reason_by, reason_note, reason_role, reason_via)
      VALUES (@id, @line, @station, @start, @end, @duration, @reason, @category, @faultCode, @reasonBy, @reasonNote, @reasonRole, @reasonVia)
      ON CONFLICT (id) DO UPDATE SET
        start_ms = excluded.start_ms,
        end_ms = coalesce(excluded.end_ms, end_ms),
        duration_ms = coalesce(excluded.duration_ms, duration_ms),
        reason = excluded.reason, category = excluded.category,
        fault_code = coalesce(excluded.fault_code, fault_code),
        reason_by = coalesce(excluded.reason_by, reason_by),
        reason_note = coalesce(excluded.reason_note, reason_note),
        reason_role = coalesce(excluded.reason_role, reason_role),
        reason_via = coalesce(excluded.reason_via, reason_via)`);
    this.upsertOrder = db.prepare(`
      INSERT INTO orders (line, order_id, product, quantity, due_ms, good, reject, status, start_ms, end_ms, ts)
      VALUES (@line, @id, @product, @quantity, @due, @good, @reject, @status, @start, @end, @ts)
      ON CONFLICT (line, order_id) DO UPDATE SET
        product = excluded.product, quantity = excluded.quantity, due_ms = excluded.due_ms, good = excluded.good,
        reject = excluded.reject, status = excluded.status, end_ms = excluded.end_ms, ts = excluded.ts
      WHERE excluded.ts >= orders.ts`);
    this.insertAudit = db.prepare(`
      INSERT OR IGNORE INTO audit (key, ts, action, line, station, target, detail, user, role, via, note)
      VALUES (@key, @ts, @action, @line, @station, @target, @detail, @user, @role, @via, @note)`);
    this.upsertOee = db.prepare(`
      INSERT INTO oee (line, station, kind, window_key, shift, window_start, window_end, ts, final, figures)
      VALUES (@line, @station, @kind, @key, @shift, @start, @end, @ts, @final, @figures)
      ON CONFLICT (line, station, kind, window_key) DO UPDATE SET
        shift = excluded.shift, window_start = excluded.window_start, window_end = excluded.window_end,
        ts = excluded.ts, final = max(final, excluded.final), figures = excluded.figures
      WHERE excluded.ts >= oee.ts`);
    this.upsertAlert = db.prepare(`
      INSERT INTO alerts (alert_id, line, station, kind, severity, status, first_ts, ts, evidence, predicted_failure_at, ack_by, ack_note, ack_role, ack_via)
      VALUES (@alertId, @line, @station, @kind, @severity, @status, @ts, @ts, @evidence, @predicted, @ackBy, @ackNote, @ackRole, @ackVia)
      ON CONFLICT (alert_id) DO UPDATE SET
        severity = excluded.severity, status = excluded.status, ts = excluded.ts,
        evidence = excluded.evidence, predicted_failure_at = excluded.predicted_failure_at,
        ack_by = coalesce(excluded.ack_by, ack_by), ack_note = coalesce(excluded.ack_note, ack_note),
        ack_role = coalesce(excluded.ack_role, ack_role), ack_via = coalesce(excluded.ack_via, ack_via)`);
  }

  apply(event: CoreEvent): void {
    switch (event.type) {
      case 'state':
        return this.state(event);
      case 'cycle':
        return this.cycle(event);
      case 'downtime':
        return this.downtime(event);
      case 'oee':
        return this.oee(event);
      case 'alert':
        return this.alert(event);
      case 'order':
        return this.order(event);
      case 'scrap':
        // The audit trail: who scrapped how many (target) of which station's parts, for what reason.
        if (event.by !== undefined)
          this.audit(event.id, event.ts, 'record-scrap', event, String(event.count), event.reason, event.by);
        return;
    }
  }

  private order(e: OrderEvent): void {
    const status = e.phase === 'completed' ? 'completed' : e.phase === 'stopped' ? 'stopped' : 'running';
    this.upsertOrder.run({
      line: e.line,
      id: e.orderId,
      product: e.product ?? null,
      quantity: e.quantity,
      due: e.due ?? null,
      good: e.good,
      reject: e.reject,
      status,
      start: Math.round(e.start),
      end: status === 'running' || e.end === undefined ? null : Math.round(e.end),
      ts: Math.round(e.ts),
    });
    const action = ORDER_ACTIONS[e.phase];
    if (action !== undefined && e.by !== undefined)
      this.audit(e.id, e.ts, action, { line: e.line, station: '' }, e.orderId, null, e.by);
  }

  private state(e: StateEvent): void {
    this.dropLaterSpans.run(e.station, e.since);
    this.clipSpans.run(e.since, e.station, e.since);
    this.insertSpan.run(e.line, e.station, e.state, e.reason ?? null, e.since);
  }

  private cycle(e: CycleEvent): void {
    const minute = Math.floor(e.ts / MINUTE_MS) * MINUTE_MS;
    const good = e.good ? 1 : 0;
    // A cycle without a time (the first after a start or a gap) counts as a part, with no time.
    const ms = e.cycleTimeMs ?? null;
    this.upsertMinute.run(e.station, minute, good, ms === null ? 0 : 1, ms ?? 0, ms, ms);
    this.insertRaw.run(e.station, e.ts, ms, good);
  }

  private downtime(e: DowntimeEvent): void {
    this.upsertDowntime.run({
      id: e.downtimeId,
      line: e.line,
      station: e.station,
      start: e.start,
      end: e.end ?? null,
      duration: e.durationMs ?? null,
      reason: e.reason,
      category: e.category,
      faultCode: e.faultCode ?? null,
      reasonBy: e.assignedBy?.user ?? null,
      reasonNote: e.assignedBy?.note ?? null,
      reasonRole: e.assignedBy?.role ?? null,
      reasonVia: e.assignedBy?.via ?? null,
    });
    // 'updated' is the event of an operator's assignment; started/ended only repeat who it was.
    if (e.phase === 'updated' && e.assignedBy !== undefined) {
      this.audit(e.id, e.ts, 'assign-reason', e, e.downtimeId, e.reason, e.assignedBy);
    }
    // Keep the Gantt's hover text in step with a reason assigned after the fact.
    this.downtimeSpanReason.run(e.reason, e.station, e.start, e.end ?? Number.MAX_SAFE_INTEGER);
  }

  private oee(e: OeeEvent): void {
    this.upsertOee.run({
      line: e.line,
      station: e.station ?? '',
      kind: e.window.kind,
      key: e.window.kind === 'shift' ? e.window.start : 0,
      shift: e.window.shift ?? null,
      start: e.window.start,
      end: e.window.end,
      ts: e.ts,
      final: e.final ? 1 : 0,
      figures: JSON.stringify(e.figures),
    });
  }

  private alert(e: AlertEvent): void {
    this.upsertAlert.run({
      alertId: e.alertId,
      line: e.line,
      station: e.station,
      kind: e.kind,
      severity: e.severity,
      status: e.status,
      ts: e.ts,
      evidence: JSON.stringify(e.evidence),
      predicted: e.predictedFailureAt ?? null,
      ackBy: e.acknowledgedBy?.user ?? null,
      ackNote: e.acknowledgedBy?.note ?? null,
      ackRole: e.acknowledgedBy?.role ?? null,
      ackVia: e.acknowledgedBy?.via ?? null,
    });
    // Every later event of the alert carries the acknowledgement too: one row per acknowledgement.
    const ack = e.acknowledgedBy;
    if (ack !== undefined)
      this.audit(`ack:${e.alertId}:${ack.at}`, Date.parse(ack.at), 'acknowledge-alert', e, e.alertId, null, ack);
  }

  private audit(
    key: string,
    ts: number,
    action: AuditAction,
    where: { line: string; station: string },
    target: string,
    detail: string | null,
    by: ActionBy,
  ): void {
    this.insertAudit.run({
      key,
      ts,
      action,
      line: where.line,
      station: where.station,
      target,
      detail,
      user: by.user ?? null,
      role: by.role ?? null,
      via: by.via ?? null,
      note: by.note ?? null,
    });
  }
}
