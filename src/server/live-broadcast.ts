/**
 * Pushes the live feed to the websocket clients: core events mark what changed, a broadcast sends
 * it as one delta. Also runs the hub's heartbeat and the periodic device-health check.
 */
import { errorMessage } from '../lib/errors.js';
import type { ServerContext } from './context.js';

export interface LiveBroadcast {
  /** Sends what is pending now instead of when the broadcast window ends. */
  flush(): void;
  /** Stops listening to the core and clears every timer. */
  stop(): void;
}

/**
 * Leading edge: the first change after a quiet spell goes out at once (after the current poll's
 * other samples, via setImmediate), later ones wait for the rest of the window, so a breakdown
 * reaches the TV in milliseconds while a busy line still gets at most one delta per window.
 * Timers are unref'd: the agent's lifecycle, not the dashboard, decides when the process ends.
 */
export function startLiveBroadcast(ctx: ServerContext): LiveBroadcast {
  const { clock, feed, hub, logger, options } = ctx;
  let lastFlushMono = Number.NEGATIVE_INFINITY;
  let scheduledImmediate: NodeJS.Immediate | undefined;
  let scheduledTimer: NodeJS.Timeout | undefined;
  const cancelScheduled = (): void => {
    if (scheduledImmediate !== undefined) clearImmediate(scheduledImmediate);
    if (scheduledTimer !== undefined) clearTimeout(scheduledTimer);
    scheduledImmediate = undefined;
    scheduledTimer = undefined;
  };
  const flush = (): void => {
    cancelScheduled();
    lastFlushMono = clock.monoMs();
    if (hub.size === 0) {
      feed.discard();
      return;
    }
    const delta = feed.takeDelta();
    if (delta !== undefined) hub.broadcast(delta);
  };
  const schedule = (): void => {
    if (scheduledImmediate !== undefined || scheduledTimer !== undefined) return;
    const waitMs = options.broadcastIntervalMs - (clock.monoMs() - lastFlushMono);
    if (waitMs <= 0) {
      scheduledImmediate = setImmediate(flush);
    } else {
      scheduledTimer = setTimeout(flush, waitMs);
      scheduledTimer.unref();
    }
  };
  const unsubscribe = ctx.deps.live.subscribe((event) => {
    try {
      feed.onEvent(event);
      schedule();
    } catch (err) {
      // Never throw back into the core.
      logger.error({ err: errorMessage(err), type: event.type }, 'dashboard could not take a core event');
    }
  });
  const timers = [
    setInterval(() => hub.heartbeat(), options.heartbeatIntervalMs),
    setInterval(() => {
      try {
        feed.checkDevices();
        if (feed.pending) schedule();
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'device health unavailable');
      }
    }, options.healthIntervalMs),
  ];
  for (const t of timers) t.unref();

  return {
    flush,
    stop() {
      unsubscribe();
      cancelScheduled();
      for (const t of timers) clearInterval(t);
    },
  };
}
