/**
 * Where a station's time and parts are booked: the current shift window, the previous shift while
 * its final figures are not yet certain ("pending"), the last finalized shift (kept for operator
 * re-assignments and the dashboard), and the rolling hour. Time arrives as closed pieces
 * [from, to) of one state; a piece that spans a shift change is split at the change.
 */
import { Accumulator, type FigureSource } from './accumulator.js';
import type { ShiftInstance } from './calendar.js';
import type { DowntimeRecord } from './downtime.js';
import type { StationState } from './events.js';
import type { WaitCause } from './line-waits.js';
import { RollingWindow } from './rolling.js';

export interface ShiftWindow {
  /** Identifies the window for "this downtime was already counted here". */
  readonly serial: number;
  readonly instance: ShiftInstance;
  /** Monotonic start: the calendar change that opened it (or the shift start when restored). */
  readonly startMono: number;
  /** Monotonic end: set when the calendar moves on; +Infinity while current. */
  endMono: number;
  readonly acc: Accumulator;
}

/** A shift window as readers (figures, OEE views) see it: nothing booked through it. */
export interface ShiftWindowView {
  readonly serial: number;
  readonly instance: ShiftInstance;
  readonly startMono: number;
  readonly endMono: number;
  readonly acc: FigureSource;
}

export class StationAccounts {
  current: ShiftWindow | undefined;
  pending: ShiftWindow | undefined;
  previous: ShiftWindow | undefined;
  readonly rolling = new RollingWindow();
  private serial = 0;

  openWindow(instance: ShiftInstance, startMono: number, acc = new Accumulator()): ShiftWindow {
    const w: ShiftWindow = { serial: ++this.serial, instance, startMono, endMono: Number.POSITIVE_INFINITY, acc };
    this.current = w;
    return w;
  }

  /** Re-creates a window from a checkpoint into one of the three slots. */
  restoreWindow(
    slot: 'current' | 'pending' | 'previous',
    instance: ShiftInstance,
    startMono: number,
    endMono: number,
    acc: Accumulator,
  ): ShiftWindow {
    const w: ShiftWindow = { serial: ++this.serial, instance, startMono, endMono, acc };
    this[slot] = w;
    return w;
  }

  /**
   * The calendar moved to another shift (or out of shifts) at `atMono`: the current window ends
   * and waits in `pending` until its figures are certain. Returns a window that had to be
   * finalized early because another one was still pending (only on absurdly short shifts).
   */
  endCurrent(atMono: number): ShiftWindow | undefined {
    const w = this.current;
    if (w === undefined) return undefined;
    w.endMono = atMono;
    const forced = this.pending;
    this.pending = w;
    this.current = undefined;
    if (forced !== undefined) this.previous = forced;
    return forced;
  }

  finalizePending(): ShiftWindow | undefined {
    const w = this.pending;
    if (w === undefined) return undefined;
    this.previous = w;
    this.pending = undefined;
    return w;
  }

  /**
   * Books [from, to) of `state` into every window it overlaps and the rolling hour; `wait` is the
   * cause of starved or blocked time (shift windows only).
   */
  commit(
    state: StationState,
    reason: string | undefined,
    from: number,
    to: number,
    downtime: DowntimeRecord | undefined,
    wait?: WaitCause,
  ): void {
    if (!(to > from)) return;
    this.commitTo(this.pending, state, reason, from, to, downtime, wait);
    this.commitTo(this.current, state, reason, from, to, downtime, wait);
    this.rolling.addTime(state, reason, from, to);
  }

  private commitTo(
    w: ShiftWindow | undefined,
    state: StationState,
    reason: string | undefined,
    from: number,
    to: number,
    downtime: DowntimeRecord | undefined,
    wait: WaitCause | undefined,
  ): void {
    if (w === undefined) return;
    const a = Math.max(from, w.startMono);
    const b = Math.min(to, w.endMono);
    if (!(b > a)) return;
    w.acc.addTime(state, reason, b - a, wait);
    if (state === 'down' && downtime !== undefined && !downtime.countedIn.includes(w.serial)) {
      downtime.countedIn.push(w.serial);
      w.acc.downIntervals++;
    }
  }

  /**
   * The shift window parts read at `mono` belong to. A read reports parts completed up to that
   * instant, so a read exactly at a shift's end counts in the shift that is ending.
   */
  windowForParts(mono: number): ShiftWindow | undefined {
    if (this.pending !== undefined && mono <= this.pending.endMono) return this.pending;
    const w = this.current;
    return w !== undefined && mono >= w.startMono ? w : undefined;
  }

  /**
   * Parts read at `mono`: they count in their shift (if any) and the rolling hour, with `idealMs`,
   * the sum of their ideal cycle times (performance's numerator).
   */
  addCycles(
    window: ShiftWindow | undefined,
    mono: number,
    total: number,
    good: number,
    idealMs: number,
    rejected?: { readonly reasons: readonly string[]; readonly startup: boolean },
  ): void {
    window?.acc.addCycles(total, good, idealMs);
    if (rejected !== undefined)
      window?.acc.addRejects(rejected.reasons, rejected.startup ? rejected.reasons.length : 0);
    this.rolling.addCycles(mono, total, good, idealMs);
  }

  /** Moves already-booked downtime [from, to) of a record from one reason to another. */
  moveReason(oldReason: string, newReason: string, from: number, to: number): void {
    for (const w of [this.previous, this.pending, this.current]) {
      if (w === undefined) continue;
      const a = Math.max(from, w.startMono);
      const b = Math.min(to, w.endMono);
      if (b > a) w.acc.moveReason(oldReason, newReason, b - a);
    }
    this.rolling.moveReason(oldReason, newReason, from, to);
  }

  /** Waits caused by downtime `downtimeId` follow its re-assigned reason, in every shift window. */
  renameWaitReason(downtimeId: string, reason: string): void {
    for (const w of [this.previous, this.pending, this.current]) w?.acc.renameWaitReason(downtimeId, reason);
  }

  /** True when the open downtime has not been counted in `w` yet (for live figures). */
  static uncounted(w: ShiftWindowView, downtime: Readonly<DowntimeRecord> | undefined): number {
    return downtime !== undefined && !downtime.countedIn.includes(w.serial) ? 1 : 0;
  }
}
