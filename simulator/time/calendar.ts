/**
 * The scenario's shift calendar (same shape as the Lineside config's `shifts:`), expanded into
 * concrete shift instances in UTC. Shift membership and planned time follow docs/oee.md: a moment
 * outside every shift, or inside a break, is planned stop. Instances are generated day by day on
 * demand, so a run of any length keeps only a few days in memory.
 */
import {
  addDays,
  formatLocalDate,
  localDateOf,
  localToUtcMs,
  minutesOfDay,
  weekdayOf,
  type LocalDate,
  type WeekdayName,
} from './zoned.js';

export interface ShiftSpec {
  readonly name: string;
  /** "HH:MM" local */
  readonly start: string;
  /** "HH:MM" local; at or before start means the shift ends the next day. */
  readonly end: string;
  readonly days: readonly WeekdayName[];
  readonly breaks: readonly { readonly name: string; readonly start: string; readonly durationMs: number }[];
  readonly target?: number;
}

export interface BreakInstance {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface ShiftInstance {
  /** "early@2025-01-06": shift name and local start date; unique per run. */
  readonly key: string;
  readonly name: string;
  /** Local date the shift starts on. */
  readonly date: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly breaks: readonly BreakInstance[];
  readonly target?: number;
}

/** What the calendar says about one moment. */
export interface CalendarState {
  readonly shift?: ShiftInstance;
  /** Set when the moment is planned stop: "off_shift" or the break's name. */
  readonly plannedReason?: string;
}

const ALWAYS: ShiftSpec = {
  name: 'day',
  start: '00:00',
  end: '00:00',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  breaks: [],
};

export class ShiftCalendar {
  private readonly specs: readonly ShiftSpec[];
  private readonly instances: ShiftInstance[] = [];
  private nextDay: LocalDate;
  /** Instances are known for every shift that starts before this instant. */
  private horizonMs: number;

  /**
   * @param fromMs the earliest instant that will be asked about (the run start). With no shifts
   * the line is always in production; the calendar then uses whole local days named "day".
   */
  constructor(
    readonly timeZone: string,
    shifts: readonly ShiftSpec[],
    fromMs: number,
  ) {
    this.specs = shifts.length > 0 ? shifts : [ALWAYS];
    // Start a day early: a night shift that began yesterday may still be running at fromMs.
    this.nextDay = addDays(localDateOf(timeZone, fromMs), -1);
    this.horizonMs = -Infinity;
    this.ensure(fromMs + 86_400_000);
  }

  /** Generates whole local days until every shift starting before `untilMs` is known. */
  private ensure(untilMs: number): void {
    while (this.horizonMs < untilMs) {
      const day = this.nextDay;
      for (const spec of this.specs) {
        if (!spec.days.includes(weekdayOf(day))) continue;
        this.instances.push(this.instanceOf(spec, day));
      }
      this.nextDay = addDays(day, 1);
      this.horizonMs = localToUtcMs(this.timeZone, this.nextDay, 0);
    }
    this.instances.sort((a, b) => a.startMs - b.startMs);
  }

  private instanceOf(spec: ShiftSpec, day: LocalDate): ShiftInstance {
    const startMin = minutesOfDay(spec.start);
    let endMin = minutesOfDay(spec.end);
    if (endMin <= startMin) endMin += 24 * 60;
    const startMs = localToUtcMs(this.timeZone, day, startMin);
    const endMs = localToUtcMs(this.timeZone, day, endMin);
    const breaks = spec.breaks.map((b) => {
      let bMin = minutesOfDay(b.start);
      if (bMin < startMin) bMin += 24 * 60;
      const bStart = localToUtcMs(this.timeZone, day, bMin);
      return { name: b.name, startMs: bStart, endMs: Math.min(bStart + b.durationMs, endMs) };
    });
    return {
      key: `${spec.name}@${formatLocalDate(day)}`,
      name: spec.name,
      date: formatLocalDate(day),
      startMs,
      endMs,
      breaks,
      ...(spec.target !== undefined ? { target: spec.target } : {}),
    };
  }

  /** Drops instances that ended before `beforeMs` (memory stays bounded on long runs). */
  forget(beforeMs: number): void {
    let drop = 0;
    while (drop < this.instances.length && (this.instances[drop] as ShiftInstance).endMs < beforeMs) drop++;
    if (drop > 0) this.instances.splice(0, drop);
  }

  /** The shift containing `t` (start inclusive, end exclusive), if any. */
  shiftAt(t: number): ShiftInstance | undefined {
    this.ensure(t + 86_400_000);
    for (const inst of this.instances) {
      if (inst.startMs <= t && t < inst.endMs) return inst;
    }
    return undefined;
  }

  stateAt(t: number): CalendarState {
    const shift = this.shiftAt(t);
    if (shift === undefined) return { plannedReason: 'off_shift' };
    const inBreak = shift.breaks.find((b) => b.startMs <= t && t < b.endMs);
    return inBreak !== undefined ? { shift, plannedReason: inBreak.name } : { shift };
  }

  /** The first instant after `t` at which the shift or the planned state may change. */
  nextChangeAfter(t: number): number {
    this.ensure(t + 3 * 86_400_000);
    let next = Infinity;
    for (const inst of this.instances) {
      for (const edge of [inst.startMs, inst.endMs, ...inst.breaks.flatMap((b) => [b.startMs, b.endMs])]) {
        if (edge > t && edge < next) next = edge;
      }
    }
    return next;
  }

  /** Shift instances that overlap [fromMs, toMs). */
  overlapping(fromMs: number, toMs: number): ShiftInstance[] {
    this.ensure(toMs + 86_400_000);
    return this.instances.filter((i) => i.startMs < toMs && i.endMs > fromMs);
  }
}

/** A daily local-time window such as a changeover ("10:00" for 20 minutes on weekdays). */
export interface DailyWindowSpec {
  readonly start: string;
  readonly durationMs: number;
  readonly days: readonly WeekdayName[];
}

/** The window occurrences, in UTC, whose start lies in [fromMs, toMs). */
export function dailyWindows(
  timeZone: string,
  spec: DailyWindowSpec,
  fromMs: number,
  toMs: number,
): { startMs: number; endMs: number }[] {
  const out: { startMs: number; endMs: number }[] = [];
  for (
    let day = addDays(localDateOf(timeZone, fromMs), -1);
    localToUtcMs(timeZone, day, 0) < toMs;
    day = addDays(day, 1)
  ) {
    if (!spec.days.includes(weekdayOf(day))) continue;
    const startMs = localToUtcMs(timeZone, day, minutesOfDay(spec.start));
    if (startMs >= fromMs && startMs < toMs) out.push({ startMs, endMs: startMs + spec.durationMs });
  }
  return out;
}
