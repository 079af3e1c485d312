/**
 * The shift calendar decides what counts as planned production time: shift membership across
 * midnight, breaks, weekends, IANA zones and DST nights must be right to the minute.
 */
import { describe, expect, it } from 'vitest';
import { ShiftCalendar } from '../../../src/core/calendar.js';
import { localToUtcMs } from '../../../src/core/zoned.js';

const z = (iso: string): number => Date.parse(iso);
const H = 3_600_000;

function berlin(shifts: ConstructorParameters<typeof ShiftCalendar>[0]['shifts']): ShiftCalendar {
  return new ShiftCalendar({ timezone: 'Europe/Berlin', shifts });
}

const night = {
  name: 'night',
  start: '22:00',
  end: '06:00',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[],
  breaks: [{ name: 'meal', start: '02:30', duration: 30 * 60_000 }],
};

describe('ShiftCalendar', () => {
  it('a night shift crossing midnight belongs to the day it started on', () => {
    const cal = berlin([night]);
    const s = cal.shiftAt(z('2025-01-07T01:00:00Z')); // 02:00 CET Tuesday
    expect(s?.key).toBe('night@2025-01-06');
    expect(s?.startWall).toBe(z('2025-01-06T21:00:00Z'));
    expect(s?.endWall).toBe(z('2025-01-07T05:00:00Z'));
  });

  it('the night clocks go forward the shift lasts 7 h, the night they go back 9 h', () => {
    const cal = berlin([night]);
    const spring = cal.shiftAt(z('2025-03-29T23:00:00Z'));
    expect(spring?.key).toBe('night@2025-03-29');
    expect(((spring?.endWall ?? 0) - (spring?.startWall ?? 0)) / H).toBe(7);
    const autumn = cal.shiftAt(z('2025-10-25T23:00:00Z'));
    expect(autumn?.key).toBe('night@2025-10-25');
    expect(((autumn?.endWall ?? 0) - (autumn?.startWall ?? 0)) / H).toBe(9);
    // Scheduled production time excludes the 30 min break.
    expect(spring?.scheduledMs).toBe(6.5 * H);
    expect(autumn?.scheduledMs).toBe(8.5 * H);
  });

  it('a break at a local time that does not exist (02:30 on the spring-forward night) moves past the gap', () => {
    const cal = berlin([night]);
    const spring = cal.shiftAt(z('2025-03-29T23:00:00Z'));
    expect(spring?.breaks[0]).toEqual({
      name: 'meal',
      startWall: z('2025-03-30T01:30:00Z'),
      endWall: z('2025-03-30T02:00:00Z'),
    });
  });

  it('a local time that happens twice (autumn) resolves to its first occurrence', () => {
    // 02:30 on 2025-10-26 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(localToUtcMs('Europe/Berlin', { year: 2025, month: 10, day: 26 }, 150)).toBe(z('2025-10-26T00:30:00Z'));
    const cal = berlin([night]);
    expect(cal.shiftAt(z('2025-10-25T23:00:00Z'))?.breaks[0]?.startWall).toBe(z('2025-10-26T00:30:00Z'));
  });

  it('segments: in production, in a break (planned stop), and off shift until the next start', () => {
    const cal = new ShiftCalendar({
      timezone: 'UTC',
      shifts: [
        {
          name: 'early',
          start: '06:00',
          end: '14:00',
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          breaks: [{ name: 'breakfast', start: '09:00', duration: 15 * 60_000 }],
        },
      ],
    });
    const work = cal.segmentAt(z('2025-01-06T08:00:00Z'));
    expect(work.shift?.key).toBe('early@2025-01-06');
    expect(work.planned).toBeUndefined();
    expect(work.untilWall).toBe(z('2025-01-06T09:00:00Z'));
    const pause = cal.segmentAt(z('2025-01-06T09:05:00Z'));
    expect(pause.planned).toBe('breakfast');
    expect(pause.untilWall).toBe(z('2025-01-06T09:15:00Z'));
    const after = cal.segmentAt(z('2025-01-06T09:15:00Z'));
    expect(after.planned).toBeUndefined();
    expect(after.untilWall).toBe(z('2025-01-06T14:00:00Z'));
    // Friday after the shift: off until Monday 06:00.
    const weekend = cal.segmentAt(z('2025-01-10T15:00:00Z'));
    expect(weekend).toEqual({ planned: 'off_shift', untilWall: z('2025-01-13T06:00:00Z') });
  });

  it('shift start is inclusive and end exclusive; back-to-back shifts hand over at the boundary', () => {
    const cal = new ShiftCalendar({
      timezone: 'UTC',
      shifts: [
        { name: 'early', start: '06:00', end: '14:00', days: ['mon'], breaks: [] },
        { name: 'late', start: '14:00', end: '22:00', days: ['mon'], breaks: [] },
      ],
    });
    expect(cal.shiftAt(z('2025-01-06T13:59:59.999Z'))?.name).toBe('early');
    expect(cal.shiftAt(z('2025-01-06T14:00:00Z'))?.name).toBe('late');
    expect(cal.segmentAt(z('2025-01-06T10:00:00Z')).untilWall).toBe(z('2025-01-06T14:00:00Z'));
    expect(cal.shiftAt(z('2025-01-06T22:00:00Z'))).toBeUndefined();
  });

  it('a Friday night shift runs into Saturday although Saturday is not one of its days', () => {
    const cal = berlin([{ ...night, days: ['fri'], breaks: [] }]);
    expect(cal.shiftAt(z('2025-01-11T02:00:00Z'))?.key).toBe('night@2025-01-10');
    expect(cal.shiftAt(z('2025-01-11T22:00:00Z'))).toBeUndefined();
  });

  it('with no shifts configured the line is always in production, in local days named "day"', () => {
    const cal = new ShiftCalendar({ timezone: 'America/Chicago', shifts: [] });
    const seg = cal.segmentAt(z('2025-03-09T12:00:00Z'));
    expect(seg.planned).toBeUndefined();
    expect(seg.shift?.key).toBe('day@2025-03-09');
    // DST starts in Chicago that day: a 23 h day.
    expect(((seg.shift?.endWall ?? 0) - (seg.shift?.startWall ?? 0)) / H).toBe(23);
    expect(seg.untilWall).toBe(z('2025-03-10T05:00:00Z'));
  });

  it('scheduled elapsed time leaves out breaks already taken', () => {
    const cal = new ShiftCalendar({
      timezone: 'UTC',
      shifts: [
        {
          name: 'early',
          start: '06:00',
          end: '14:00',
          days: ['mon'],
          breaks: [{ name: 'b', start: '09:00', duration: 30 * 60_000 }],
        },
      ],
    });
    const s = cal.shiftAt(z('2025-01-06T07:00:00Z'));
    if (s === undefined) throw new Error('no shift');
    expect(cal.scheduledElapsedMs(s, z('2025-01-06T09:00:00Z'))).toBe(3 * H);
    expect(cal.scheduledElapsedMs(s, z('2025-01-06T09:10:00Z'))).toBe(3 * H);
    expect(cal.scheduledElapsedMs(s, z('2025-01-06T10:00:00Z'))).toBe(3.5 * H);
    expect(cal.scheduledElapsedMs(s, z('2025-01-06T20:00:00Z'))).toBe(7.5 * H);
  });
});
