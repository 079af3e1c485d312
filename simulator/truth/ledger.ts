/**
 * Per-shift bookkeeping of the ground truth, following docs/oee.md: every millisecond of a
 * station's shift window lands in one state bucket; cycles count in the shift in which they
 * completed; availability, performance, quality and OEE come from those buckets. This file is
 * deliberately independent of src/core: the two implementations check each other.
 */
import type { ShiftCalendar, ShiftInstance } from '../time/calendar.js';
import { iso, type ShiftFigures, type ShiftRecord, type TruthState } from './records.js';

interface Accumulator {
  running: number;
  small_stop: number;
  down: number;
  starved: number;
  blocked: number;
  planned_stop: number;
  downByReason: Map<string, number>;
  downIds: Set<number>;
  total: number;
  good: number;
  /** Σ ideal cycle time of the parts (each at its product's ideal). */
  idealMs: number;
}

interface Window {
  readonly shift: ShiftInstance;
  readonly startMs: number;
  readonly stations: Map<string, Accumulator>;
}

export interface LedgerStation {
  readonly id: string;
  readonly idealCycleTimeMs: number;
}

function emptyAccumulator(): Accumulator {
  return {
    running: 0,
    small_stop: 0,
    down: 0,
    starved: 0,
    blocked: 0,
    planned_stop: 0,
    downByReason: new Map(),
    downIds: new Set(),
    total: 0,
    good: 0,
    idealMs: 0,
  };
}

export class ShiftLedger {
  private readonly windows = new Map<string, Window>();
  private readonly closed = new Set<string>();

  constructor(
    private readonly calendar: ShiftCalendar,
    private readonly stations: readonly LedgerStation[],
    private readonly outputStation: string,
    private readonly runStartMs: number,
    private readonly emit: (record: ShiftRecord) => void,
  ) {}

  private window(shift: ShiftInstance): Window | undefined {
    if (this.closed.has(shift.key)) return undefined;
    let w = this.windows.get(shift.key);
    if (w === undefined) {
      w = {
        shift,
        startMs: Math.max(shift.startMs, this.runStartMs),
        stations: new Map(this.stations.map((s) => [s.id, emptyAccumulator()])),
      };
      this.windows.set(shift.key, w);
    }
    return w;
  }

  /** Adds [fromMs, toMs) of `state` to every shift window it overlaps. */
  addTime(
    station: string,
    state: TruthState,
    reason: string | null,
    fromMs: number,
    toMs: number,
    intervalId: number,
  ): void {
    if (toMs <= fromMs) return;
    for (const shift of this.calendar.overlapping(fromMs, toMs)) {
      const w = this.window(shift);
      if (w === undefined) continue;
      const a = Math.max(fromMs, w.startMs);
      const b = Math.min(toMs, shift.endMs);
      if (b <= a) continue;
      const acc = w.stations.get(station);
      if (acc === undefined) continue;
      acc[state] += b - a;
      if (state === 'down') {
        const key = reason ?? 'unassigned';
        acc.downByReason.set(key, (acc.downByReason.get(key) ?? 0) + (b - a));
        acc.downIds.add(intervalId);
      }
    }
  }

  /** A part of a product whose ideal cycle time at the station is `idealMs`. */
  addCycle(station: string, endMs: number, good: boolean, idealMs: number): ShiftInstance | undefined {
    const shift = this.calendar.shiftAt(endMs);
    if (shift === undefined) return undefined;
    const acc = this.window(shift)?.stations.get(station);
    if (acc !== undefined) {
      acc.total++;
      if (good) acc.good++;
      acc.idealMs += idealMs;
    }
    return shift;
  }

  /** Emits the shift's record, its window cut at `endMs` (the run end for a shift still going). */
  close(shift: ShiftInstance, endMs: number = shift.endMs): void {
    const w = this.window(shift);
    if (w === undefined) return;
    this.windows.delete(shift.key);
    this.closed.add(shift.key);
    const windowEnd = Math.min(endMs, shift.endMs);
    const windowMs = Math.max(0, windowEnd - w.startMs);
    const stations: Record<string, ShiftFigures> = {};
    for (const s of this.stations) stations[s.id] = figures(w.stations.get(s.id) ?? emptyAccumulator(), windowMs);
    const out = stations[this.outputStation] as ShiftFigures;
    const outIdeal = this.stations.find((s) => s.id === this.outputStation)?.idealCycleTimeMs ?? 1;
    this.emit({
      type: 'shift',
      shift: shift.name,
      key: shift.key,
      date: shift.date,
      start: iso(w.startMs),
      startMs: w.startMs,
      end: iso(windowEnd),
      endMs: windowEnd,
      partial: w.startMs > shift.startMs || windowEnd < shift.endMs,
      stations,
      line: { outputStation: this.outputStation, ...out, target: shift.target ?? out.plannedTimeMs / outIdeal },
    });
  }

  /** Shift windows still open (for the end of a run). */
  openShifts(): ShiftInstance[] {
    return [...this.windows.values()].map((w) => w.shift).sort((a, b) => a.startMs - b.startMs);
  }
}

function figures(acc: Accumulator, windowMs: number): ShiftFigures {
  const plannedTimeMs = windowMs - acc.planned_stop;
  const runTimeMs = acc.running + acc.small_stop;
  const availability = plannedTimeMs > 0 ? runTimeMs / plannedTimeMs : null;
  const performance = runTimeMs > 0 ? acc.idealMs / runTimeMs : null;
  const quality = acc.total > 0 ? acc.good / acc.total : null;
  const oee =
    availability !== null && performance !== null && quality !== null ? availability * performance * quality : null;
  const downtimeByReason: Record<string, number> = {};
  for (const key of [...acc.downByReason.keys()].sort()) downtimeByReason[key] = acc.downByReason.get(key) as number;
  if (acc.starved > 0) downtimeByReason.starved = acc.starved;
  if (acc.blocked > 0) downtimeByReason.blocked = acc.blocked;
  const n = acc.downIds.size;
  return {
    counts: { total: acc.total, good: acc.good, reject: acc.total - acc.good },
    plannedTimeMs,
    runTimeMs,
    runningMs: acc.running,
    smallStopMs: acc.small_stop,
    downtimeMs: acc.down,
    starvedMs: acc.starved,
    blockedMs: acc.blocked,
    plannedStopMs: acc.planned_stop,
    downtimeByReason,
    downIntervals: n,
    availability,
    performance,
    quality,
    oee,
    mtbfMs: n > 0 ? runTimeMs / n : null,
    mttrMs: n > 0 ? acc.down / n : null,
  };
}
