export { buildApp, WS_MAX_PAYLOAD_BYTES, type DashboardControls } from './app.js';
export { startServer, type RunningServer } from './start.js';
export type * from './deps.js';
export type * from './view-model.js';
