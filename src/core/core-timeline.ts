/**
 * The core's time: the latest time processed, the shift-calendar segment in force and its next
 * boundary, and jumps of the wall clock. Calendar changes reach every station at their own time and
 * in order, after the stations were brought to that time; pending polls are applied oldest first.
 */
import type { CalendarSegment, ShiftCalendar } from './calendar.js';
import type { ClockGuard, ClockJump } from './clock-guard.js';
import type { EventDispatch } from './core-dispatch.js';
import type { Station } from './station.js';

export class CoreTimeline {
  private latestMono: number;
  private current: CalendarSegment;
  private nextBoundaryMono: number;

  constructor(
    private readonly calendar: ShiftCalendar,
    private readonly guard: ClockGuard,
    private readonly stations: readonly Station[],
    private readonly out: Pick<EventDispatch, 'diagnostic'>,
    startMono: number,
  ) {
    this.latestMono = startMono;
    this.current = calendar.segmentAt(guard.wallOf(startMono));
    this.nextBoundaryMono = guard.monoOf(this.current.untilWall);
  }

  /** Latest time processed. */
  get nowMono(): number {
    return this.latestMono;
  }

  /** The calendar segment in force (shift, planned stop). */
  get segment(): CalendarSegment {
    return this.current;
  }

  /** A wall time read at `mono`: if the wall clock jumped, the jump is applied now. */
  observe(wallMs: number, mono: number): void {
    const jump = this.guard.observe(wallMs, mono);
    if (jump !== undefined) this.afterJump(jump);
  }

  /** An input at `mono`: calendar changes up to it are applied; returns its time, never before the latest. */
  reach(mono: number): number {
    if (mono >= this.nextBoundaryMono) this.advanceCalendar(mono);
    if (mono < this.latestMono) return this.latestMono;
    this.latestMono = mono;
    return mono;
  }

  /** The agent's tick at `mono`: calendar, stop timers and pending polls up to it. Returns the time reached. */
  tickTo(mono: number): number {
    const t = Math.max(mono, this.latestMono);
    this.advanceCalendar(t);
    // Timers that fire before the oldest pending poll go first, so the stream stays in time order.
    let oldestFrame = t;
    for (const st of this.stations) oldestFrame = Math.min(oldestFrame, st.pendingFrameMono ?? t);
    for (const st of this.stations) st.advanceTo(oldestFrame);
    this.flushInTimeOrder();
    for (const st of this.stations) st.advanceTo(t);
    this.latestMono = t;
    return t;
  }

  /** Applies pending polls oldest first, so events of different stations leave in time order. */
  flushInTimeOrder(): void {
    for (;;) {
      let earliest: Station | undefined;
      let earliestMono = Number.POSITIVE_INFINITY;
      for (const st of this.stations) {
        const frame = st.pendingFrameMono;
        if (frame !== undefined && frame < earliestMono) {
          earliest = st;
          earliestMono = frame;
        }
      }
      if (earliest === undefined) return;
      earliest.flush();
    }
  }

  /** Applies every calendar change up to `t`, each at its own time and in order. */
  private advanceCalendar(t: number): void {
    while (this.nextBoundaryMono <= t) {
      const at = Math.max(this.nextBoundaryMono, this.latestMono);
      const boundaryWall = this.current.untilWall;
      this.settleStations(at);
      const next = this.calendar.segmentAt(boundaryWall);
      for (const st of this.stations) st.calendarChanged(next.shift, next.planned, at);
      this.current = next;
      this.nextBoundaryMono = this.guard.monoOf(next.untilWall);
      this.latestMono = at;
      if (!(next.untilWall > boundaryWall)) break;
    }
  }

  /** Brings every station to `at`: earlier pending samples applied, stop timers run. */
  private settleStations(at: number): void {
    for (const st of this.stations) {
      const frame = st.pendingFrameMono;
      if (frame !== undefined && frame < at) st.flush();
      st.advanceTo(at);
    }
  }

  /**
   * The wall clock jumped. Durations are unaffected (monotonic); the calendar is re-read at the
   * corrected wall time, and if that is another shift or break state, it changes now, once (no
   * burst of empty shifts for a clock that was days off).
   */
  private afterJump(jump: ClockJump): void {
    const at = Math.max(jump.atMono, this.latestMono);
    // What happened before the jump keeps the wall times (and calendar) it had.
    this.advanceCalendar(at);
    this.settleStations(at);
    this.guard.accept(jump);
    this.out.diagnostic(
      'CLOCK_JUMP',
      `wall clock jumped by ${Math.round(jump.jumpMs / 1000)} s (NTP sync or manual change); durations are unaffected, event times follow the new clock`,
      {
        jumpMs: jump.jumpMs,
        fromOffsetMs: jump.fromOffsetMs,
        toOffsetMs: jump.toOffsetMs,
        atWall: this.guard.wallOf(at),
      },
    );
    const next = this.calendar.segmentAt(this.guard.wallOf(at));
    if (next.shift?.key !== this.current.shift?.key || next.planned !== this.current.planned) {
      for (const st of this.stations) st.calendarChanged(next.shift, next.planned, at);
    }
    this.current = next;
    this.nextBoundaryMono = this.guard.monoOf(next.untilWall);
    this.latestMono = at;
  }
}
