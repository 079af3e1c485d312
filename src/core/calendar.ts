/**
 * The shift calendar (config `shifts:`) as concrete shift instances in wall time: which shift is
 * active at a wall instant, its breaks, and when the calendar next changes. Follows docs/oee.md:
 * a moment outside every shift, or inside a break, is planned stop. Shifts that cross midnight
 * end on the next local day; on DST nights they last 7 h or 9 h of real time because their ends
 * are local wall times. With no shifts configured the line is always in production and the
 * accounting window is the local day, named "day".
 */
import type { LinesideConfig, Shift } from '../config/schema.js';
import { addDays, formatDate, localDateAt, localToUtcMs, minutesOf, weekdayOf, type LocalDate } from './zoned.js';

export interface BreakInstance {
  readonly name: string;
  readonly startWall: number;
  readonly endWall: number;
}

export interface ShiftInstance {
  /** "early@2025-01-06": shift name and the local date it starts on. */
  readonly key: string;
  readonly name: string;
  readonly date: string;
  readonly startWall: number;
  readonly endWall: number;
  readonly breaks: readonly BreakInstance[];
  /** Output-station parts per shift, when configured. */
  readonly target?: number;
  /** Shift length minus breaks, ms: the production time the calendar schedules. */
  readonly scheduledMs: number;
}

/** What the calendar says from one instant until `untilWall`. */
export interface CalendarSegment {
  readonly shift?: ShiftInstance;
  /** Set when this is planned stop: "off_shift" or the break's name. */
  readonly planned?: string;
  /** Wall time of the next change (shift start/end, break start/end). */
  readonly untilWall: number;
}

type ShiftSpec = Pick<Shift, 'name' | 'start' | 'end' | 'days' | 'breaks' | 'target'>;

const WHOLE_DAY: ShiftSpec = {
  name: 'day',
  start: '00:00',
  end: '00:00',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  breaks: [],
};
const MAX_CACHED_DAYS = 32;

export class ShiftCalendar {
  readonly timeZone: string;
  private readonly specs: readonly ShiftSpec[];
  private readonly byDate = new Map<string, ShiftInstance[]>();

  constructor(calendar: LinesideConfig['shifts']) {
    this.timeZone = calendar.timezone;
    this.specs = calendar.shifts.length > 0 ? calendar.shifts : [WHOLE_DAY];
  }

  /** Shift instances that start on a local date, in start order. */
  instancesOn(date: LocalDate): readonly ShiftInstance[] {
    const key = formatDate(date);
    let list = this.byDate.get(key);
    if (list === undefined) {
      const weekday = weekdayOf(date);
      list = this.specs.filter((s) => s.days.includes(weekday)).map((s) => this.instance(s, date, key));
      list.sort((a, b) => a.startWall - b.startWall);
      if (this.byDate.size >= MAX_CACHED_DAYS) this.byDate.clear();
      this.byDate.set(key, list);
    }
    return list;
  }

  private instance(spec: ShiftSpec, date: LocalDate, dateKey: string): ShiftInstance {
    const startMin = minutesOf(spec.start);
    let endMin = minutesOf(spec.end);
    if (endMin <= startMin) endMin += 24 * 60;
    const startWall = localToUtcMs(this.timeZone, date, startMin);
    const endWall = localToUtcMs(this.timeZone, date, endMin);
    const breaks = spec.breaks
      .map((b) => {
        let minute = minutesOf(b.start);
        if (minute < startMin) minute += 24 * 60;
        const bStart = localToUtcMs(this.timeZone, date, minute);
        return { name: b.name, startWall: bStart, endWall: Math.min(bStart + b.duration, endWall) };
      })
      .sort((a, b) => a.startWall - b.startWall);
    const breakMs = breaks.reduce((sum, b) => sum + Math.max(0, b.endWall - b.startWall), 0);
    return {
      key: `${spec.name}@${dateKey}`,
      name: spec.name,
      date: dateKey,
      startWall,
      endWall,
      breaks,
      ...(spec.target !== undefined ? { target: spec.target } : {}),
      scheduledMs: endWall - startWall - breakMs,
    };
  }

  /** The shift instance containing `wall` (start inclusive, end exclusive), if any. */
  shiftAt(wall: number): ShiftInstance | undefined {
    const today = localDateAt(this.timeZone, wall);
    // A shift that started yesterday (crossing midnight) may still be running.
    for (const date of [addDays(today, -1), today]) {
      for (const inst of this.instancesOn(date)) {
        if (inst.startWall <= wall && wall < inst.endWall) return inst;
      }
    }
    return undefined;
  }

  segmentAt(wall: number): CalendarSegment {
    const shift = this.shiftAt(wall);
    if (shift === undefined) return { planned: 'off_shift', untilWall: this.nextShiftStartAfter(wall) };
    let untilWall = shift.endWall;
    for (const b of shift.breaks) {
      if (b.startWall <= wall && wall < b.endWall) return { shift, planned: b.name, untilWall: b.endWall };
      if (b.startWall > wall && b.startWall < untilWall) untilWall = b.startWall;
    }
    return { shift, untilWall };
  }

  private nextShiftStartAfter(wall: number): number {
    const today = localDateAt(this.timeZone, wall);
    // Every shift runs on at least one weekday, so one starts within eight local days.
    for (let i = -1; i <= 8; i++) {
      for (const inst of this.instancesOn(addDays(today, i))) {
        if (inst.startWall > wall) return inst.startWall;
      }
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Scheduled production time of `shift` that has elapsed by `wall` (breaks excluded), ms. */
  scheduledElapsedMs(shift: ShiftInstance, wall: number): number {
    const until = Math.min(Math.max(wall, shift.startWall), shift.endWall);
    let elapsed = until - shift.startWall;
    for (const b of shift.breaks) elapsed -= Math.max(0, Math.min(until, b.endWall) - b.startWall);
    return elapsed;
  }
}
