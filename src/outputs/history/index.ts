export { openHistoryStore, type HistoryOptions } from './store.js';
export type * from './types.js';
