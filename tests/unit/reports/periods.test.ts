import { describe, expect, it } from 'vitest';
import { periodTitle } from '../../../src/reports/format.js';
import { calendarPeriod, lastRun, parseLocalDate, periodDate, previousPeriod } from '../../../src/reports/periods.js';

const TZ = 'Europe/Berlin';
const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);

describe('day and week periods', () => {
  it('parse only real dates', () => {
    expect(parseLocalDate('2026-11-30')).toEqual({ year: 2026, month: 11, day: 30 });
    for (const bad of ['2026-02-30', '2026-13-01', '26-11-30', '2026-11-30T00:00', ''])
      expect(parseLocalDate(bad), bad).toBeUndefined();
  });

  it('run from local midnight to local midnight, Monday to Sunday', () => {
    const day = calendarPeriod('day', { year: 2025, month: 11, day: 26 }, TZ);
    expect(day).toEqual({ kind: 'day', start: utc('2025-11-25T23:00:00Z'), end: utc('2025-11-26T23:00:00Z') });
    // Any date of the week gives the same week: Monday 24 to Sunday 30 November.
    const week = calendarPeriod('week', { year: 2025, month: 11, day: 30 }, TZ);
    expect(week).toEqual({ kind: 'week', start: utc('2025-11-23T23:00:00Z'), end: utc('2025-11-30T23:00:00Z') });
    expect(calendarPeriod('week', { year: 2025, month: 11, day: 24 }, TZ)).toEqual(week);
    expect(periodDate(week, TZ)).toBe('2025-11-24');
  });

  it('follow the zone across a DST change: the day has 23 hours, the week 167', () => {
    const day = calendarPeriod('day', { year: 2026, month: 3, day: 29 }, TZ);
    expect(day.end - day.start).toBe(23 * HOUR);
    const week = calendarPeriod('week', { year: 2026, month: 3, day: 29 }, TZ);
    expect(week.end - week.start).toBe(167 * HOUR);
    expect(periodDate(week, TZ)).toBe('2026-03-23');
    const autumn = calendarPeriod('day', { year: 2026, month: 10, day: 25 }, TZ);
    expect(autumn.end - autumn.start).toBe(25 * HOUR);
  });

  it('"yesterday" and "last week" are the plant-local ones, not UTC', () => {
    // 23:30 UTC on Sunday 30 November is already Monday 1 December in Berlin.
    const now = utc('2025-11-30T23:30:00Z');
    expect(periodDate(previousPeriod('day', now, TZ), TZ)).toBe('2025-11-30');
    expect(periodDate(previousPeriod('week', now, TZ), TZ)).toBe('2025-11-24');
    expect(periodDate(previousPeriod('day', now, 'UTC'), 'UTC')).toBe('2025-11-29');
  });

  it('have titles that say which days they hold', () => {
    expect(periodTitle(calendarPeriod('day', { year: 2025, month: 11, day: 26 }, TZ), TZ)).toBe(
      'day 2025-11-26 (Wed): the shifts that started on it (Europe/Berlin)',
    );
    expect(periodTitle(calendarPeriod('week', { year: 2025, month: 11, day: 26 }, TZ), TZ)).toBe(
      'week 2025-11-24 (Mon) to 2025-11-30 (Sun): the shifts that started in it (Europe/Berlin)',
    );
  });
});

describe('the daily and weekly schedule', () => {
  it('a daily run at 06:30 reports the day before; before 06:30 the last run was yesterday', () => {
    const daily = { kind: 'day', at: '06:30' } as const;
    const after = lastRun(daily, utc('2025-11-26T05:31:00Z'), TZ);
    expect(after.at).toBe(utc('2025-11-26T05:30:00Z'));
    expect(periodDate(after.period, TZ)).toBe('2025-11-25');
    const before = lastRun(daily, utc('2025-11-26T05:29:00Z'), TZ);
    expect(before.at).toBe(utc('2025-11-25T05:30:00Z'));
    expect(periodDate(before.period, TZ)).toBe('2025-11-24');
    // Exactly at the time counts as due.
    expect(lastRun(daily, utc('2025-11-26T05:30:00Z'), TZ).at).toBe(utc('2025-11-26T05:30:00Z'));
  });

  it('a weekly run reports the last whole week before its day, whichever day it is', () => {
    const monday = { kind: 'week', at: '06:30', day: 'mon' } as const;
    // Wednesday 26 November: the last Monday run was the 24th, for the week of the 17th.
    const r = lastRun(monday, utc('2025-11-26T12:00:00Z'), TZ);
    expect(r.at).toBe(utc('2025-11-24T05:30:00Z'));
    expect(periodDate(r.period, TZ)).toBe('2025-11-17');
    expect(r.period.end).toBe(utc('2025-11-23T23:00:00Z'));
    // Monday before 06:30: still the run of the week before.
    expect(lastRun(monday, utc('2025-11-24T05:00:00Z'), TZ).at).toBe(utc('2025-11-17T05:30:00Z'));
    // A Friday 18:00 run reports the week that ended the Sunday before it.
    const friday = lastRun({ kind: 'week', at: '18:00', day: 'fri' }, utc('2025-11-28T17:00:01Z'), TZ);
    expect(friday.at).toBe(utc('2025-11-28T17:00:00Z'));
    expect(periodDate(friday.period, TZ)).toBe('2025-11-17');
  });

  it('a run in the hour DST skips happens when the clock jumps past it', () => {
    // 02:30 does not exist on 29 March 2026 in Berlin: the run is at 03:30 CEST (01:30 UTC).
    const r = lastRun({ kind: 'day', at: '02:30' }, utc('2026-03-29T02:00:00Z'), TZ);
    expect(r.at).toBe(utc('2026-03-29T01:30:00Z'));
    expect(periodDate(r.period, TZ)).toBe('2026-03-28');
  });
});
