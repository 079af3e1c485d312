/**
 * Wall time for events, durations from monotonic time.
 *
 * Every sample and tick carries a (wall, mono) pair. The core keeps `offset = wall - mono` and
 * stamps events with `mono + offset`, so an event's wall time and every duration agree. A Pi
 * without a real-time clock boots with a stale wall clock and jumps when NTP syncs: an offset that
 * moves by more than `jumpThresholdMs` is a wall-clock jump. It is reported, the offset is re-based
 * (later events carry the corrected wall time), and durations are untouched because they never
 * came from the wall clock. Small moves (NTP slewing, rounding) are followed silently.
 */

export const DEFAULT_JUMP_THRESHOLD_MS = 2_000;

export interface ClockJump {
  readonly atMono: number;
  readonly fromOffsetMs: number;
  readonly toOffsetMs: number;
  /** Positive: the wall clock moved forward. */
  readonly jumpMs: number;
}

export class ClockGuard {
  private offset: number;
  private known: boolean;

  constructor(
    initialOffsetMs: number | undefined,
    private readonly jumpThresholdMs = DEFAULT_JUMP_THRESHOLD_MS,
  ) {
    this.offset = initialOffsetMs ?? 0;
    this.known = initialOffsetMs !== undefined;
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Wall time (ms since the epoch) of a monotonic instant. */
  wallOf(mono: number): number {
    return mono + this.offset;
  }

  /** Monotonic instant of a wall time, under the current offset. */
  monoOf(wall: number): number {
    return wall - this.offset;
  }

  /**
   * Takes one (wall, mono) observation. Small moves are followed at once. A move beyond the
   * threshold is returned as a jump and NOT applied yet: the caller first finishes what happened
   * before it under the old offset, then calls accept(). Allocation-free on the common path.
   */
  observe(wall: number, mono: number): ClockJump | undefined {
    const offset = wall - mono;
    if (!this.known) {
      this.offset = offset;
      this.known = true;
      return undefined;
    }
    const moved = offset - this.offset;
    if (moved <= this.jumpThresholdMs && moved >= -this.jumpThresholdMs) {
      this.offset = offset;
      return undefined;
    }
    return { atMono: mono, fromOffsetMs: this.offset, toOffsetMs: offset, jumpMs: moved };
  }

  accept(jump: ClockJump): void {
    this.offset = jump.toOffsetMs;
  }
}
