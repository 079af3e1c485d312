/**
 * The predictor's restart state: learnt baselines, counters and open alerts, JSON-serialisable.
 * The agent stores it beside the core's checkpoint; a checkpoint from another version or a
 * damaged one is reported and ignored (baselines are then learnt again).
 */
import type { AlertBookCheckpoint } from './alert-book.js';
import type { ConditionCheckpoint } from './detectors/condition-trend.js';
import type { CycleDriftCheckpoint } from './detectors/cycle-drift.js';
import type { FaultRecurrenceCheckpoint } from './detectors/fault-recurrence.js';
import type { MicroStopCheckpoint } from './detectors/micro-stop-rate.js';
import type { MtbfCheckpoint } from './detectors/mtbf-risk.js';
import type { Sensitivity } from './presets.js';
import type { ActivityCheckpoint } from './station-activity.js';

export const PREDICTOR_CHECKPOINT_VERSION = 1;

export interface StationCheckpoint {
  readonly activity: ActivityCheckpoint;
  /** The chart of cycles without a product (the only one before products). */
  readonly cycleDrift?: CycleDriftCheckpoint;
  /** One chart per product the station ran. */
  readonly cycleDriftByProduct?: Readonly<Record<string, CycleDriftCheckpoint>>;
  readonly microStop?: MicroStopCheckpoint;
  readonly fault?: FaultRecurrenceCheckpoint;
  readonly mtbf?: MtbfCheckpoint;
  readonly conditions: Readonly<Record<string, ConditionCheckpoint>>;
}

export interface PredictorCheckpoint {
  readonly version: number;
  /** Wall ms. */
  readonly savedAt: number;
  readonly sensitivity: Sensitivity;
  readonly stations: Readonly<Record<string, StationCheckpoint>>;
  readonly alerts: AlertBookCheckpoint;
}

export type ParsedPredictorCheckpoint = { ok: true; checkpoint: PredictorCheckpoint } | { ok: false; message: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural check of a checkpoint read back from disk (shape, not every number). */
export function parsePredictorCheckpoint(raw: unknown): ParsedPredictorCheckpoint {
  if (!isObject(raw)) return { ok: false, message: 'not an object' };
  if (raw['version'] !== PREDICTOR_CHECKPOINT_VERSION)
    return { ok: false, message: `version ${String(raw['version'])}, expected ${PREDICTOR_CHECKPOINT_VERSION}` };
  if (!isObject(raw['stations'])) return { ok: false, message: 'stations missing' };
  if (!isObject(raw['alerts']) || !isObject(raw['alerts']['stations'])) return { ok: false, message: 'alerts missing' };
  for (const [id, st] of Object.entries(raw['stations'])) {
    if (!isObject(st) || !isObject(st['activity'])) return { ok: false, message: `stations.${id}.activity missing` };
    const a = st['activity'];
    if (typeof a['runningMs'] !== 'number' || typeof a['uptimeMs'] !== 'number')
      return { ok: false, message: `stations.${id}.activity is not numbers` };
    if (st['conditions'] !== undefined && !isObject(st['conditions']))
      return { ok: false, message: `stations.${id}.conditions is not a map` };
  }
  return { ok: true, checkpoint: raw as unknown as PredictorCheckpoint };
}

/**
 * A full checkpoint (saved every few seconds) with the alert book saved with the last batch of
 * events put in its place, so alert ids and seq continue after the last spooled alert event
 * even when the baselines are a few seconds older. Anything malformed is left to the parser.
 */
export function withAlerts(full: unknown, alerts: unknown): unknown {
  if (!isObject(full) || !isObject(alerts) || !isObject(alerts['stations'])) return full;
  return { ...full, alerts };
}
