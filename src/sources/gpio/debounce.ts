/**
 * Debounce, glitch filter and pulse counting for one GPIO input. Pure: no I/O, no timers, no
 * clock. Time arrives with each raw edge and with `flush(nowMs)`; the caller ticks it.
 *
 * Three stages, in this order:
 * 1. Stable-state debounce. A new level counts once the raw line has been quiet for
 *    `debounceMs`. The change is stamped with the time the level FIRST left the old stable
 *    level (the first edge of the bounce burst), not when the debounce expired, so cycle times
 *    measured from edge to edge are right. A real pulse longer than `debounceMs` survives: a
 *    clean 2 ms pulse with 1 ms debounce gives one rising and one falling change. (onoff's own
 *    `debounceTimeout` re-reads the pin after a quiet period instead and swallows such pulses.)
 * 2. Glitch filter. A debounced level that holds for less than `glitchFilterMs` (measured
 *    between the two debounced change times) is dropped together with its return, in either
 *    direction: a short spike is no part, and a short dropout inside a long part is not two.
 * 3. Edge selection and counting, on the logical level (after `activeLow`): "rising" counts a
 *    change to active (1), "falling" a change to inactive (0), "both" every change.
 *
 * Decisions are only made when an edge or a `flush` says time has passed, so the caller must
 * flush when `nextDecisionMs()` is due or a final pulse is held back forever.
 */
import type { Level } from './driver.js';

export type EdgeSelection = 'rising' | 'falling' | 'both';

export interface PulseFilterSettings {
  /** Quiet time after the last raw edge before a level counts, ms. 0 = no debounce. */
  readonly debounceMs: number;
  /** Debounced levels that hold for less than this are dropped, ms. 0 = no glitch filter. */
  readonly glitchFilterMs: number;
  readonly edge: EdgeSelection;
  /** True when the sensor pulls the pin low when active. */
  readonly activeLow: boolean;
}

/** One confirmed change of the input's logical level. */
export interface LevelChange {
  /** Logical level after the change: 1 = active (after activeLow). */
  readonly level: Level;
  /** When the change began (first raw edge of its burst), monotonic ms. */
  readonly monoMs: number;
  /** True when this change matches the configured edge and was counted. */
  readonly counted: boolean;
  /** Cumulative pulse count including this change. */
  readonly count: number;
}

export interface PulseFilterStats {
  /** Raw edges pushed. */
  readonly rawEdges: number;
  /** Pushed edges that did not change the raw level (a repeat from the driver). */
  readonly repeatedEdges: number;
  /** Edges stamped before a decision already made; their time was moved up to it. */
  readonly lateEdges: number;
  /** Bounce bursts that ended back at the old level (no change). */
  readonly bouncesRejected: number;
  /** Debounced pulses dropped by the glitch filter. */
  readonly glitchesRejected: number;
  readonly count: number;
}

interface PendingChange {
  readonly level: Level;
  readonly monoMs: number;
}

export class PulseFilter {
  private readonly debounceMs: number;
  private readonly glitchMs: number;
  private readonly invert: boolean;
  private readonly countRising: boolean;
  private readonly countFalling: boolean;

  // Stage 1: debounce, on logical levels.
  private raw: Level;
  private stable: Level;
  private lastRawMs: number;
  /** Start of the bounce burst in progress, or null when the raw line equals the stable level and is settled. */
  private burstStartMs: number | null = null;
  // Stage 2: glitch filter.
  private pending: PendingChange | null = null;
  // Stage 3: output.
  private output: Level;
  private pulses = 0;
  /** Everything up to this time has been decided; later-arriving earlier edges are moved here. */
  private decidedUpToMs: number;

  private rawEdges = 0;
  private repeatedEdges = 0;
  private lateEdges = 0;
  private bouncesRejected = 0;
  private glitchesRejected = 0;

  /**
   * @param initialRawLevel physical level read when the line was opened
   * @param startMs monotonic time of that read
   * @param emit receives each confirmed change, in time order, synchronously
   */
  constructor(
    settings: PulseFilterSettings,
    initialRawLevel: Level,
    startMs: number,
    private readonly emit: (change: LevelChange) => void,
  ) {
    this.debounceMs = Math.max(0, settings.debounceMs);
    this.glitchMs = Math.max(0, settings.glitchFilterMs);
    this.invert = settings.activeLow;
    this.countRising = settings.edge !== 'falling';
    this.countFalling = settings.edge !== 'rising';
    const logical = this.logical(initialRawLevel);
    this.raw = logical;
    this.stable = logical;
    this.output = logical;
    this.lastRawMs = startMs;
    this.decidedUpToMs = startMs;
  }

  /** Current confirmed logical level (what `gpio.<input>.level` shows). */
  get level(): Level {
    return this.output;
  }

  /** Pulses counted since start. */
  get count(): number {
    return this.pulses;
  }

  /** Feeds one raw edge: the physical level after it and when it happened. */
  push(rawLevel: Level, monoMs: number): void {
    this.rawEdges++;
    let t = monoMs;
    if (t < this.decidedUpToMs) {
      this.lateEdges++;
      t = this.decidedUpToMs;
    }
    this.advance(t);
    const level = this.logical(rawLevel);
    if (level === this.raw) {
      this.repeatedEdges++;
      return;
    }
    this.raw = level;
    this.lastRawMs = t;
    if (this.burstStartMs === null) this.burstStartMs = t;
    // With debounce 0 the change is decided at once.
    this.advance(t);
  }

  /** Makes every decision due by `nowMs` (monotonic ms). Call when `nextDecisionMs()` is due. */
  flush(nowMs: number): void {
    if (nowMs < this.decidedUpToMs) return;
    this.advance(nowMs);
  }

  /** When the next decision falls due if no edge arrives first, or undefined when idle. */
  nextDecisionMs(): number | undefined {
    if (this.burstStartMs !== null) return this.lastRawMs + this.debounceMs;
    if (this.pending !== null) return this.pending.monoMs + this.glitchMs;
    return undefined;
  }

  stats(): PulseFilterStats {
    return {
      rawEdges: this.rawEdges,
      repeatedEdges: this.repeatedEdges,
      lateEdges: this.lateEdges,
      bouncesRejected: this.bouncesRejected,
      glitchesRejected: this.glitchesRejected,
      count: this.pulses,
    };
  }

  private logical(level: Level): Level {
    return this.invert ? ((1 - level) as Level) : level;
  }

  private advance(t: number): void {
    // Stage 1: the burst is over once the raw line has been quiet for debounceMs.
    if (this.burstStartMs !== null && t - this.lastRawMs >= this.debounceMs) {
      const startedMs = this.burstStartMs;
      this.burstStartMs = null;
      if (this.raw !== this.stable) {
        this.stable = this.raw;
        this.debounced(this.raw, startedMs);
      } else {
        this.bouncesRejected++;
      }
    }
    // Stage 2: a pending change is final once it has held glitchMs and no debounced change
    // that could still end it earlier is in the making.
    if (this.pending !== null) {
      const heldUntilMs = this.pending.monoMs + this.glitchMs;
      const nextChangeMs = this.burstStartMs ?? t;
      if (t >= heldUntilMs && nextChangeMs >= heldUntilMs) {
        const change = this.pending;
        this.pending = null;
        this.final(change.level, change.monoMs);
      }
    }
    if (t > this.decidedUpToMs) this.decidedUpToMs = t;
  }

  /** A debounced change enters the glitch filter. */
  private debounced(level: Level, monoMs: number): void {
    if (this.glitchMs === 0) {
      this.final(level, monoMs);
      return;
    }
    if (this.pending === null) {
      this.pending = { level, monoMs };
      return;
    }
    // The debouncer alternates levels, so this change ends the pending one.
    if (monoMs - this.pending.monoMs < this.glitchMs) {
      this.pending = null;
      this.glitchesRejected++;
      return;
    }
    this.final(this.pending.level, this.pending.monoMs);
    this.pending = { level, monoMs };
  }

  private final(level: Level, monoMs: number): void {
    if (level === this.output) return;
    this.output = level;
    const counted = level === 1 ? this.countRising : this.countFalling;
    if (counted) this.pulses++;
    this.emit({ level, monoMs, counted, count: this.pulses });
  }
}
