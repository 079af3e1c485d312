/**
 * The virtual GPIO: part sensors driven by the simulated line, with contact bounce.
 *
 * Contract (used by the GPIO source's "sim" driver and by tests; kept minimal and stable):
 * - `onEdge(pin, listener)` subscribes to every level change of a BCM pin. The listener gets the
 *   physical level after the edge (1 = high) and the virtual monotonic time of the edge in ms
 *   (the simulator clock's monoMs()). Edges of one pin arrive in time order; they are delivered
 *   while the simulation advances, so in accelerated or real-time runs an edge can arrive up to
 *   one simulator tick (20 ms real time) after its timestamp. Returns an unsubscribe function.
 * - `read(pin)` is the pin's current physical level (0 for pins the scenario does not drive).
 * - `pins()` lists the pins the scenario drives.
 * The simulator never filters: bounce reaches listeners exactly as configured, and the
 * sensor's activeLow setting decides whether a part pulls the pin high or low.
 */
import type { Prng, PrngStreams } from '../random/prng.js';
import type { GpioInputSpec } from '../scenario-schema.js';
import type { EventQueue } from './event-queue.js';

export type PinLevel = 0 | 1;
export type EdgeListener = (level: PinLevel, monoMs: number) => void;

export interface VirtualGpio {
  onEdge(pin: number, listener: EdgeListener): () => void;
  read(pin: number): PinLevel;
  pins(): readonly number[];
}

interface PinState {
  readonly spec: GpioInputSpec;
  level: PinLevel;
  readonly listeners: Set<EdgeListener>;
  readonly prng: Prng;
}

export class SimGpio implements VirtualGpio {
  private readonly pinStates = new Map<number, PinState>();

  constructor(
    inputs: readonly GpioInputSpec[],
    private readonly queue: EventQueue,
    streams: PrngStreams,
  ) {
    for (const spec of inputs) {
      this.pinStates.set(spec.pin, {
        spec,
        level: spec.activeLow ? 1 : 0,
        listeners: new Set(),
        prng: streams.stream(`gpio/${spec.pin}`),
      });
    }
  }

  onEdge(pin: number, listener: EdgeListener): () => void {
    let state = this.pinStates.get(pin);
    if (state === undefined) return () => undefined;
    state.listeners.add(listener);
    return () => {
      state?.listeners.delete(listener);
      state = undefined;
    };
  }

  read(pin: number): PinLevel {
    return this.pinStates.get(pin)?.level ?? 0;
  }

  pins(): readonly number[] {
    return [...this.pinStates.keys()];
  }

  /** Inputs watching a station's parts. */
  inputsFor(station: string): GpioInputSpec[] {
    return [...this.pinStates.values()].filter((p) => p.spec.station === station).map((p) => p.spec);
  }

  /** A part passed the sensor at `mono`: active edge (with bounce) now, inactive after the pulse. */
  partSeen(spec: GpioInputSpec, mono: number): void {
    const state = this.pinStates.get(spec.pin);
    if (state === undefined) return;
    const active: PinLevel = spec.activeLow ? 0 : 1;
    this.scheduleEdge(state, mono, active);
    this.scheduleEdge(state, mono + spec.pulse, active === 1 ? 0 : 1);
  }

  /** Schedules the settling edge preceded by 0..count bounce pairs, each of 1..width ms. */
  private scheduleEdge(state: PinState, at: number, finalLevel: PinLevel): void {
    const bounces = state.spec.bounce.count > 0 ? Math.floor(state.prng.next() * (state.spec.bounce.count + 1)) : 0;
    let t = at;
    const other: PinLevel = finalLevel === 1 ? 0 : 1;
    for (let i = 0; i < bounces; i++) {
      const up = t;
      this.queue.schedule(up, () => this.set(state, finalLevel, up));
      t += 1 + Math.floor(state.prng.next() * state.spec.bounce.width);
      const back = t;
      this.queue.schedule(back, () => this.set(state, other, back));
      t += 1 + Math.floor(state.prng.next() * state.spec.bounce.width);
    }
    const settle = t;
    this.queue.schedule(settle, () => this.set(state, finalLevel, settle));
  }

  private set(state: PinState, level: PinLevel, mono: number): void {
    if (state.level === level) return;
    state.level = level;
    for (const listener of [...state.listeners]) {
      try {
        listener(level, mono);
      } catch {
        // A subscriber's bug must not stop the line; the GPIO source reports its own errors.
      }
    }
  }
}
