/**
 * The history's table rows as SQLite returns them, and their mapping onto the records the
 * queries return (snake_case columns to camelCase fields, NULL to an absent field, JSON parsed).
 */
import type { OeeFigures } from '../../core/events.js';
import type { LossCategory } from '../../config/schema.js';
import type { AlertRecord, AuditAction, AuditRecord, DowntimeRecord, OeeRecord, OrderRecord } from './types.js';

export interface SpanRow {
  state: string;
  reason: string | null;
  start_ms: number;
  end_ms: number | null;
}
export interface BucketRow {
  b: number;
  n: number;
  g: number;
  /** Cycles with a time. */
  t: number;
  mn: number | null;
  mx: number | null;
  av: number | null;
}
export interface DowntimeRow {
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
export interface OeeRow {
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
export interface AlertRow {
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
export interface AuditRow {
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

export interface OrderRow {
  line: string;
  order_id: string;
  product: string | null;
  quantity: number;
  due_ms: number | null;
  good: number;
  reject: number;
  status: string;
  start_ms: number;
  end_ms: number | null;
  ts: number;
}

export function toOrder(r: OrderRow): OrderRecord {
  const o: { -readonly [K in keyof OrderRecord]: OrderRecord[K] } = {
    line: r.line,
    id: r.order_id,
    quantity: r.quantity,
    good: r.good,
    reject: r.reject,
    status: r.status as OrderRecord['status'],
    start: r.start_ms,
    ts: r.ts,
  };
  if (r.product !== null) o.product = r.product;
  if (r.due_ms !== null) o.due = r.due_ms;
  if (r.end_ms !== null) o.end = r.end_ms;
  return o;
}

export function toAudit(r: AuditRow): AuditRecord {
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

export function toDowntime(r: DowntimeRow): DowntimeRecord {
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

export function toOee(r: OeeRow): OeeRecord {
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

export function toAlert(r: AlertRow): AlertRecord {
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
