/**
 * Where the core's output goes: events to the listeners, in order, and diagnostics to the agent.
 * Events produced before the first input (restoring a checkpoint) are held back until then, so a
 * listener subscribed right after createCore sees them too. A throwing consumer is reported and
 * skipped: it must not leave a station half-way through a transition.
 */
import type { CoreDeps } from './core-api.js';
import type { CoreEvent, EventListener } from './events.js';

export class EventDispatch {
  private readonly listeners: EventListener[] = [];
  private readonly startupEvents: CoreEvent[] = [];
  private holding = true;

  constructor(private readonly deps: CoreDeps) {
    if (deps.onEvent !== undefined) this.listeners.push(deps.onEvent);
  }

  /** True until the first input: events are held back. */
  get buffering(): boolean {
    return this.holding;
  }

  /** The first input arrived: the events held back go out, later ones go straight through. */
  start(): void {
    this.holding = false;
    const events = this.startupEvents.splice(0);
    for (const event of events) this.emit(event);
  }

  emit(event: CoreEvent): void {
    if (this.holding) {
      this.startupEvents.push(event);
      return;
    }
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as EventListener)(event);
      } catch (err) {
        // A broken consumer must not leave a station half-way through a transition.
        this.diagnostic(
          'LISTENER_FAILED',
          `an event listener threw on a ${event.type} event: ${err instanceof Error ? err.message : String(err)}`,
          { event: event.id },
        );
      }
    }
  }

  diagnostic(code: string, message: string, context: Record<string, unknown>): void {
    try {
      this.deps.onDiagnostic?.({ code, message, context });
    } catch {
      // Diagnostics are best effort; the core goes on.
    }
  }

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
