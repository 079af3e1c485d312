/**
 * Predictive downtime alerts (issue 10): detectors per station fed by core events and condition
 * samples, one alert per station and kind, explainable evidence. Pure: no I/O, no timers.
 *
 * Wiring (the agent): core.on(e => predictor.onEvent(e)); every sample also to
 * predictor.onSample(s); predictor.tick() with the core's tick; predictor.on(alert -> spool ->
 * MQTT `.../alert` + webhooks + live snapshot); predictor.checkpoint() stored beside the core's
 * checkpoint and passed back as `restore`. `activeAlertsPayload()` shapes a retained per-line
 * list of open alerts that no output publishes yet (docs/architecture.md#planned-not-built).
 */
export { createPredictor, type Predictor, type PredictorDeps, type AlertListener } from './predictor.js';
export type { AcknowledgeResult, Acknowledgement } from './alert-book.js';
export { PRESETS, presetFor, type Sensitivity, type PredictTuning } from './presets.js';
export {
  parsePredictorCheckpoint,
  withAlerts,
  PREDICTOR_CHECKPOINT_VERSION,
  type PredictorCheckpoint,
} from './checkpoint.js';
export { ALERT_KINDS, SEVERITY_RANK, type AlertKind, type Severity } from './types.js';
export {
  alertPayload,
  activeAlertsPayload,
  meetsSeverity,
  type AlertPayload,
  type ActiveAlertsPayload,
} from './payloads.js';
export { attachPredictor, type EventSource } from './wiring.js';
