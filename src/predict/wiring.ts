/**
 * Glue for the agent: connects a predictor to the streaming core and fans alert events out.
 * Pure (no I/O): the sinks passed in do the I/O.
 *
 *   const predictor = createPredictor(config, { clock, restore: saved?.predictor });
 *   const detach = attachPredictor(core, predictor, { onAlert: (e) => { spool.append(e); webhooks.send(e); live.push(e); } });
 *   // in the source fan-out: sample -> core.sample(s); predictor.onSample(s)
 *   // in the tick loop:       core.tick(); predictor.tick()
 */
import type { CoreEvent } from '../core/events.js';
import type { AlertListener, Predictor } from './predictor.js';

export interface EventSource {
  on(listener: (event: CoreEvent) => void): () => void;
}

/**
 * Feeds every core event to the predictor and every alert event to `onAlert`. Returns a function
 * that detaches both. A throwing `onAlert` is contained (the predictor goes on).
 */
export function attachPredictor(
  core: EventSource,
  predictor: Predictor,
  sinks: { readonly onAlert?: AlertListener } = {},
): () => void {
  const offCore = core.on((event) => predictor.onEvent(event));
  const offAlerts = sinks.onAlert !== undefined ? predictor.on(sinks.onAlert) : () => undefined;
  return () => {
    offCore();
    offAlerts();
  };
}
