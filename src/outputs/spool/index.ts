export { openSpool } from './spool.js';
export { SpoolCursor, type CursorBatch } from './cursor.js';
export { eventPriority } from './priority.js';
export type {
  CommitInfo,
  Spool,
  SpoolDestinationHealth,
  SpoolDropCounts,
  SpoolHealth,
  SpoolKind,
  SpoolOptions,
  SpoolPriority,
  SpoolReadOptions,
  SpoolRow,
} from './types.js';
