/**
 * Shared vocabulary of the predictors: alert kinds and severities, and what a detector hands
 * the alert book after each evaluation.
 */
import type { AlertEvent } from '../core/events.js';

export type Severity = AlertEvent['severity'];
export type AlertStatus = AlertEvent['status'];

export const ALERT_KINDS = [
  'cycle_drift',
  'micro_stop_rate',
  'fault_recurrence',
  'condition_trend',
  'mtbf_risk',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** A detector's "something is wrong": how bad, why, and (where a forecast exists) when it fails. */
export interface Finding {
  readonly severity: Severity;
  /** One sentence for a maintenance technician ("vibration 5.2 mm/s, rising 0.4 mm/s per hour"). */
  readonly summary: string;
  /** The numbers and the data window behind the finding (JSON-serialisable). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Wall ms of the forecast failure; its interval goes in evidence.forecast. */
  readonly predictedFailureAt?: number;
}

/**
 * The outcome of one evaluation: a finding, 'clear' (the signal is back to its baseline) or
 * 'unknown' (not enough data or the machine is not running: keep whatever state the alert is in).
 */
export type Verdict = Finding | 'clear' | 'unknown';

/** Wall-time interval of the data a finding is based on. */
export interface DataWindow {
  readonly from: string;
  readonly to: string;
}

export function windowOf(fromMs: number, toMs: number): DataWindow {
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

/** Rounds for evidence: keeps JSON short and readable without losing what matters. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = Math.pow(10, digits);
  return Math.round(value * f) / f;
}
