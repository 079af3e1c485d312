import type { Clock } from '../../src/core/sample.js';

export interface VirtualClockOptions {
  /** Wall time (ms since the epoch) at virtual time 0: the scenario's start. */
  readonly startWallMs: number;
  /**
   * Omit for a manual clock (tests call advance(); nothing moves by itself). A number makes the
   * clock run at `speed` x real time from construction: 1 = real time (demo), 600 = ten simulated
   * minutes per real second.
   */
  readonly speed?: number;
  /** Real monotonic time source for scaled mode (default performance.now). */
  readonly realMonoMs?: () => number;
  /**
   * Virtual time the clock reads at construction (default 0). `lineside simulate` starts a few
   * simulated minutes into the run so the line has warmed up (counters non-zero) when it is served.
   */
  readonly startMonoMs?: number;
}

/**
 * The simulator's time, shared with the agent in tests so its samples carry virtual timestamps.
 * `monoMs()` is virtual elapsed time since the scenario start; `wallMs()` is start + elapsed, so it
 * never jumps. In manual mode listeners registered with onAdvance run synchronously inside
 * advance(), which is how the simulated line is stepped without sleeping.
 */
export class VirtualClock implements Clock {
  readonly startWallMs: number;
  private readonly speedFactor: number | undefined;
  private readonly realMonoMs: () => number;
  private realOrigin: number;
  private elapsedAtOrigin = 0;
  private manualElapsedMs = 0;
  private readonly listeners = new Set<(monoMs: number) => void>();

  constructor(options: VirtualClockOptions) {
    if (options.speed !== undefined && !(options.speed > 0 && Number.isFinite(options.speed))) {
      throw new RangeError(`VirtualClock: speed must be a positive finite number, got ${options.speed}`);
    }
    const startMono = options.startMonoMs ?? 0;
    if (!(startMono >= 0 && Number.isFinite(startMono)))
      throw new RangeError(`VirtualClock: startMonoMs must be a finite number >= 0, got ${startMono}`);
    this.startWallMs = options.startWallMs;
    this.elapsedAtOrigin = startMono;
    this.manualElapsedMs = startMono;
    this.speedFactor = options.speed;
    this.realMonoMs = options.realMonoMs ?? (() => performance.now());
    this.realOrigin = this.realMonoMs();
  }

  /** True when time only moves through advance(). */
  get manual(): boolean {
    return this.speedFactor === undefined;
  }

  /** Virtual ms per real ms, or undefined for a manual clock. */
  get speed(): number | undefined {
    return this.speedFactor;
  }

  monoMs(): number {
    if (this.speedFactor === undefined) return this.manualElapsedMs;
    return this.elapsedAtOrigin + (this.realMonoMs() - this.realOrigin) * this.speedFactor;
  }

  wallMs(): number {
    return this.startWallMs + this.monoMs();
  }

  /** Manual mode only: moves virtual time forward by `ms` and runs the listeners. */
  advance(ms: number): void {
    if (this.speedFactor !== undefined)
      throw new Error('VirtualClock.advance() is for manual clocks; this one runs at a speed');
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    this.manualElapsedMs += ms;
    for (const listener of [...this.listeners]) listener(this.manualElapsedMs);
  }

  /** Manual mode only: advances to an absolute virtual time (no-op if already past it). */
  advanceTo(monoMs: number): void {
    if (monoMs > this.monoMs()) this.advance(monoMs - this.monoMs());
  }

  /** Called after every manual advance with the new virtual time. Returns an unsubscribe function. */
  onAdvance(listener: (monoMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
