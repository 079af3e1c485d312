import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';

/**
 * A synchronous tee: one producer (the core, a source) to many consumers (spool, history,
 * dashboard). A consumer that throws is logged (at most once a minute per consumer) and the
 * others still get the value: one broken sink must never starve the rest or reach the core.
 *
 * It never re-enters: a value emitted while another is being delivered (the predictor raises an
 * alert from inside its listener for the event that caused it) waits until every consumer has
 * the first one. So every consumer sees cause before effect, in one order for all.
 */
export class FanOut<T> {
  private readonly listeners = new Map<string, (value: T) => void>();
  private readonly lastLogged = new Map<string, number>();
  private readonly queue: T[] = [];
  private delivering = false;

  constructor(private readonly logger: Logger) {}

  /** Consumers now (a producer on a hot path may skip emitting to none). */
  get size(): number {
    return this.listeners.size;
  }

  add(name: string, listener: (value: T) => void): () => void {
    this.listeners.set(name, listener);
    return () => this.listeners.delete(name);
  }

  emit(value: T): void {
    this.queue.push(value);
    if (this.delivering) return;
    this.delivering = true;
    try {
      // Index, not shift(): a burst of emits stays O(n), and the queue is emptied at the end.
      for (let i = 0; i < this.queue.length; i++) this.deliver(this.queue[i] as T);
    } finally {
      this.queue.length = 0;
      this.delivering = false;
    }
  }

  private deliver(value: T): void {
    for (const [name, listener] of this.listeners) {
      try {
        listener(value);
      } catch (err) {
        const now = Date.now();
        if (now - (this.lastLogged.get(name) ?? 0) > 60_000) {
          this.lastLogged.set(name, now);
          this.logger.error({ consumer: name, err: errorMessage(err) }, 'consumer failed; it keeps getting values');
        }
      }
    }
  }
}
