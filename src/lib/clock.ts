import type { Clock } from '../core/sample.js';

/** The real clock: wall time from Date, monotonic time from performance.now(). */
export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => performance.now(),
};
