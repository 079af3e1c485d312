/**
 * The streaming core's public surface: the agent, the dashboard server and the spool import from
 * here. Everything else in src/core is internal.
 */
export { createCore } from './core.js';
export type { Core, CoreDeps, CoreDiagnostic, AssignReasonResult } from './core-api.js';
export type { OrderSpec, OrderView, OrderResult, OrderErrorCode } from './line-orders.js';
export {
  parseCheckpoint,
  splitRolling,
  joinRolling,
  CHECKPOINT_VERSION,
  type CoreCheckpoint,
  type RollingCheckpoint,
} from './checkpoint.js';
export type { LineSnapshot, StationSnapshot, OpenDowntimeView, OeeView } from './snapshot.js';
export type * from './events.js';
export type * from './sample.js';
