/**
 * What the poller does when a device refuses a request with exception 1/2/3 (a configuration
 * error): a coalesced request is split into one request per tag to isolate the bad address; a
 * refused single request is retried only every `retryMs` and reported in health until fixed.
 */
import type { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { describeRead } from './errors.js';
import type { ConfigErrorReport } from './health.js';
import type { PlannedRead } from './planner.js';
import { tagLabel } from './read-cycle.js';

/** One request of the poller's cycle. */
export interface Slot {
  read: PlannedRead;
  /** performance.now() before which this request is not sent (config error back-off). */
  suppressedUntilMs: number;
}

export interface RefusalContext {
  readonly logger: Logger;
  /** The device's health: refused single requests by describeRead(). */
  readonly configErrors: Map<string, ConfigErrorReport>;
  /** How often a refused single request is tried again, ms. */
  readonly retryMs: number;
}

/**
 * Handles the refusal of `slots[index]`. Returns how many slots to skip (the singles a split
 * inserted are polled from the next cycle on).
 */
export function refuseSlot(
  slots: Slot[],
  index: number,
  error: LinesideError,
  wallMs: number,
  context: RefusalContext,
): number {
  const slot = slots[index] as Slot;
  const { read } = slot;
  if (read.tags.length > 1) {
    const singles: Slot[] = read.tags.map((tag) => ({
      read: { area: tag.area, start: tag.offset, count: tag.count, tags: [tag] },
      suppressedUntilMs: 0,
    }));
    slots.splice(index, 1, ...singles);
    context.logger.warn(
      { err: error.toString(), tags: read.tags.map(tagLabel) },
      `modbus: ${describeRead(read)} refused; reading its ${read.tags.length} tags one by one to find the bad address`,
    );
    return singles.length - 1;
  }
  slot.suppressedUntilMs = performance.now() + context.retryMs;
  const key = describeRead(read);
  if (!context.configErrors.has(key)) {
    context.logger.error(
      { err: error.toString() },
      'modbus: configuration error; this request is retried every minute until fixed',
    );
  }
  context.configErrors.set(key, {
    read: key,
    exceptionCode: Number(error.context.exceptionCode),
    tags: read.tags.map(tagLabel),
    atWallMs: wallMs,
  });
  return 0;
}
