/**
 * Alert payloads. `alertPayload` is the alert object of the webhook body: the fields of the MQTT
 * `.../{station}/alert` message (docs/architecture.md#mqtt: id, kind, severity, status, evidence,
 * predictedFailureAt?) plus line and station, so integrators parse one shape. `activeAlertsPayload`
 * is the body of a retained per-line list of open alerts, which no output publishes yet
 * (docs/architecture.md#planned-not-built).
 */
import type { AlertEvent } from '../core/events.js';
import { SEVERITY_RANK, type Severity } from './types.js';

export interface AlertPayload {
  /** The alert id (stable over updates, acknowledge and resolve). */
  readonly id: string;
  readonly eventId: string;
  readonly seq: number;
  readonly ts: string;
  readonly line: string;
  readonly station: string;
  readonly kind: string;
  readonly severity: Severity;
  readonly status: AlertEvent['status'];
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly predictedFailureAt?: string;
}

export function alertPayload(e: AlertEvent): AlertPayload {
  return {
    id: e.alertId,
    eventId: e.id,
    seq: e.seq,
    ts: new Date(e.ts).toISOString(),
    line: e.line,
    station: e.station,
    kind: e.kind,
    severity: e.severity,
    status: e.status,
    evidence: e.evidence,
    ...(e.predictedFailureAt !== undefined ? { predictedFailureAt: new Date(e.predictedFailureAt).toISOString() } : {}),
  };
}

export interface ActiveAlertsPayload {
  readonly line: string;
  readonly ts: string;
  readonly count: number;
  readonly alerts: readonly AlertPayload[];
}

/** Retained `{root}/{site}/{line}/alerts` body: every open alert of the line, most severe first. */
export function activeAlertsPayload(line: string, active: readonly AlertEvent[], nowMs: number): ActiveAlertsPayload {
  const alerts = active
    .filter((a) => a.line === line && a.status !== 'resolved')
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ts - b.ts)
    .map(alertPayload);
  return { line, ts: new Date(nowMs).toISOString(), count: alerts.length, alerts };
}

/** Does an alert event reach a consumer with this minimum severity (webhooks' minSeverity)? */
export function meetsSeverity(e: AlertEvent, minSeverity: Severity): boolean {
  return SEVERITY_RANK[e.severity] >= SEVERITY_RANK[minSeverity];
}
