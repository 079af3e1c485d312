/**
 * Day and week report periods, and when the daily and weekly reports are due. A day is a
 * plant-local calendar date, a week Monday to Sunday (as the history page groups them); the
 * report sums the shifts that *started* in it, so a night shift from 22:00 belongs to the day it
 * started. Pure: no clock reads; times are wall ms, dates and times of day in `shifts.timezone`.
 */
import { addDays, formatDate, localDateAt, localToUtcMs, minutesOf, weekdayOf, type LocalDate } from '../core/zoned.js';
import type { ReportPeriod } from './types.js';

export type CalendarKind = 'day' | 'week';

/** "2026-11-30" -> {year, month, day}; undefined for anything that is not a real date. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return formatDate(addDays(date, 0)) === text ? date : undefined;
}

/** The Monday of a date's week. */
export function mondayOf(date: LocalDate): LocalDate {
  const back = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).indexOf(weekdayOf(date));
  return addDays(date, -back);
}

/** The day or the week (Monday to Sunday) that holds `date`: [its local midnight, the next one). */
export function calendarPeriod(kind: CalendarKind, date: LocalDate, timezone: string): ReportPeriod {
  const first = kind === 'day' ? date : mondayOf(date);
  return {
    kind,
    start: localToUtcMs(timezone, first, 0),
    end: localToUtcMs(timezone, addDays(first, kind === 'day' ? 1 : 7), 0),
  };
}

/** The last whole day or week before the one `now` is in (what "yesterday" and "last week" mean). */
export function previousPeriod(kind: CalendarKind, now: number, timezone: string): ReportPeriod {
  const today = localDateAt(timezone, now);
  return calendarPeriod(kind, addDays(kind === 'day' ? today : mondayOf(today), kind === 'day' ? -1 : -7), timezone);
}

/** When a daily or weekly report is made (config reports.daily / reports.weekly). */
export interface ReportSchedule {
  readonly kind: CalendarKind;
  /** "HH:MM", plant-local. */
  readonly at: string;
  /** Weekly: the weekday it is made on. */
  readonly day?: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
}

/**
 * The latest instant at or before `now` the schedule was due, and the period that run reports on:
 * a daily run the day before its date, a weekly run the last whole week before its date (a run on
 * a Monday reports the week that ended at midnight; a run on a Wednesday, the same week).
 */
export function lastRun(schedule: ReportSchedule, now: number, timezone: string): { at: number; period: ReportPeriod } {
  const minutes = minutesOf(schedule.at);
  let date = localDateAt(timezone, now);
  // At most 7 days back for a weekly run, 1 for a daily one; 8 covers a DST day in between.
  for (let i = 0; i < 8; i++, date = addDays(date, -1)) {
    if (schedule.kind === 'week' && weekdayOf(date) !== (schedule.day ?? 'mon')) continue;
    const at = localToUtcMs(timezone, date, minutes);
    if (at > now) continue;
    const period =
      schedule.kind === 'day'
        ? calendarPeriod('day', addDays(date, -1), timezone)
        : calendarPeriod('week', addDays(mondayOf(date), -7), timezone);
    return { at, period };
  }
  throw new Error(`no ${schedule.kind} run within 8 days before ${new Date(now).toISOString()}`);
}

/** "2026-11-30" of a period's first day, in the plant's zone. */
export function periodDate(period: ReportPeriod, timezone: string): string {
  return formatDate(localDateAt(timezone, period.start));
}
