import { describe, expect, it } from 'vitest';
import { ShiftCalendar, dailyWindows } from '../../../simulator/time/calendar.js';
import { localToUtcMs, parseLocalDateTime, tzOffsetMs } from '../../../simulator/time/zoned.js';

const H = 3_600_000;
const night = {
  name: 'night',
  start: '22:00',
  end: '06:00',
  days: ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'] as const,
  breaks: [{ name: 'snack', start: '02:00', durationMs: 30 * 60_000 }],
};

describe('time zone arithmetic (Intl, DST-correct)', () => {
  it('knows Berlin offsets in winter and summer', () => {
    expect(tzOffsetMs('Europe/Berlin', Date.UTC(2025, 0, 6))).toBe(1 * H);
    expect(tzOffsetMs('Europe/Berlin', Date.UTC(2025, 6, 1))).toBe(2 * H);
  });

  it('moves a local time in the spring-forward gap past the gap (02:30 -> 03:30 CEST)', () => {
    expect(localToUtcMs('Europe/Berlin', { year: 2025, month: 3, day: 30 }, 2 * 60 + 30)).toBe(
      Date.UTC(2025, 2, 30, 1, 30),
    );
  });

  it('resolves an ambiguous fall-back time to its first occurrence (02:30 CEST)', () => {
    expect(localToUtcMs('Europe/Berlin', { year: 2025, month: 10, day: 26 }, 2 * 60 + 30)).toBe(
      Date.UTC(2025, 9, 26, 0, 30),
    );
  });

  it('parses local date-times in the zone and ISO instants as given', () => {
    expect(parseLocalDateTime('2025-01-06T06:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 0, 6, 5));
    expect(parseLocalDateTime('2025-01-06T06:00:00Z', 'Europe/Berlin')).toBe(Date.UTC(2025, 0, 6, 6));
    expect(parseLocalDateTime('06:00', 'UTC')).toBeUndefined();
  });
});

describe('shift calendar', () => {
  it('a night shift over the spring-forward night lasts 7 h, over the fall-back night 9 h', () => {
    const spring = new ShiftCalendar('Europe/Berlin', [night], Date.UTC(2025, 2, 29, 12));
    const s = spring.shiftAt(Date.UTC(2025, 2, 30, 0));
    expect(s?.key).toBe('night@2025-03-29');
    expect((s?.endMs ?? 0) - (s?.startMs ?? 0)).toBe(7 * H);
    const autumn = new ShiftCalendar('Europe/Berlin', [night], Date.UTC(2025, 9, 25, 12));
    const a = autumn.shiftAt(Date.UTC(2025, 9, 26, 0));
    expect((a?.endMs ?? 0) - (a?.startMs ?? 0)).toBe(9 * H);
  });

  it('places a break after midnight on the next day and reports it as planned stop', () => {
    const cal = new ShiftCalendar('UTC', [night], Date.UTC(2025, 0, 6));
    expect(cal.stateAt(Date.UTC(2025, 0, 7, 2, 10))).toMatchObject({
      plannedReason: 'snack',
      shift: { key: 'night@2025-01-06' },
    });
    expect(cal.stateAt(Date.UTC(2025, 0, 7, 1, 59)).plannedReason).toBeUndefined();
    expect(cal.stateAt(Date.UTC(2025, 0, 7, 12)).plannedReason).toBe('off_shift');
  });

  it('treats a shift as [start, end) and lists every change in order', () => {
    const cal = new ShiftCalendar('UTC', [night], Date.UTC(2025, 0, 6));
    expect(cal.shiftAt(Date.UTC(2025, 0, 6, 22))?.key).toBe('night@2025-01-06');
    expect(cal.shiftAt(Date.UTC(2025, 0, 7, 6))).toBeUndefined();
    const changes: number[] = [];
    for (let t = Date.UTC(2025, 0, 6, 12), i = 0; i < 4; i++) changes.push((t = cal.nextChangeAfter(t)));
    expect(changes).toEqual([
      Date.UTC(2025, 0, 6, 22),
      Date.UTC(2025, 0, 7, 2),
      Date.UTC(2025, 0, 7, 2, 30),
      Date.UTC(2025, 0, 7, 6),
    ]);
  });

  it('without shifts the line is always in production, in whole local days', () => {
    const cal = new ShiftCalendar('Europe/Berlin', [], Date.UTC(2025, 0, 6));
    expect(cal.stateAt(Date.UTC(2025, 0, 6, 3)).plannedReason).toBeUndefined();
    expect(cal.shiftAt(Date.UTC(2025, 0, 6, 3))?.startMs).toBe(Date.UTC(2025, 0, 5, 23));
  });

  it('daily windows (changeovers) follow the local clock across DST', () => {
    const w = dailyWindows(
      'Europe/Berlin',
      { start: '10:00', durationMs: 15 * 60_000, days: ['sat', 'sun'] },
      Date.UTC(2025, 2, 29),
      Date.UTC(2025, 2, 31),
    );
    expect(w).toEqual([
      { startMs: Date.UTC(2025, 2, 29, 9), endMs: Date.UTC(2025, 2, 29, 9, 15) },
      { startMs: Date.UTC(2025, 2, 30, 8), endMs: Date.UTC(2025, 2, 30, 8, 15) },
    ]);
  });
});
