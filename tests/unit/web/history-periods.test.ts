// The periods the history page offers (src/web/history-periods.js): shifts, plant-local days and
// weeks built from the recorded shifts' starts, newest first, and the default pick.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { defaultPeriod, periodsOf, plantDate, weekOf } from '../../../src/web/history-periods.js';

interface Choice {
  kind: string;
  key: string;
  label: string;
  from: number;
  to: number;
  final: boolean;
}
const H = 3_600_000;
// Europe/Berlin in winter (UTC+1): early 05:00, late 13:00, night 21:00 UTC.
const shift = (name: string, start: number, final = true) => ({ shift: name, start, end: start + 8 * H, final });
const sunEarly = Date.UTC(2025, 10, 23, 5);
const shifts = [
  shift('early', sunEarly),
  shift('late', sunEarly + 8 * H),
  shift('night', sunEarly + 16 * H), // Sunday 22:00 Berlin: belongs to Sunday, and to its week
  shift('early', sunEarly + 24 * H),
  shift('late', sunEarly + 32 * H, false),
];

describe('the history page periods', () => {
  it('dates and weeks in plant time', () => {
    // 23:30 UTC on Sunday is already Monday in Berlin.
    expect(plantDate(Date.UTC(2025, 10, 23, 23, 30), 'Europe/Berlin')).toBe('2025-11-24');
    expect(plantDate(Date.UTC(2025, 10, 23, 23, 30), 'America/New_York')).toBe('2025-11-23');
    expect(weekOf('2025-11-23')).toBe('2025-11-17');
    expect(weekOf('2025-11-24')).toBe('2025-11-24');
    expect(weekOf('2025-11-30')).toBe('2025-11-24');
  });

  it('offers each shift, each day and each week by its shifts’ starts, newest first', () => {
    const p = periodsOf(shifts, 'Europe/Berlin') as { shifts: Choice[]; days: Choice[]; weeks: Choice[] };
    expect(p.shifts.map((c) => c.label)).toEqual([
      'Mon 24 Nov late 14:00–22:00 (running)',
      'Mon 24 Nov early 06:00–14:00',
      'Sun 23 Nov night 22:00–06:00',
      'Sun 23 Nov late 14:00–22:00',
      'Sun 23 Nov early 06:00–14:00',
    ]);
    expect(p.days.map((d) => [d.label, d.from, d.to, d.final])).toEqual([
      ['Mon 24 Nov', sunEarly + 24 * H, sunEarly + 32 * H + 1, false],
      ['Sun 23 Nov', sunEarly, sunEarly + 16 * H + 1, true],
    ]);
    expect(p.weeks.map((w) => [w.label, w.from, w.to])).toEqual([
      ['Week of Mon 24 Nov', sunEarly + 24 * H, sunEarly + 32 * H + 1],
      ['Week of Mon 17 Nov', sunEarly, sunEarly + 16 * H + 1],
    ]);
  });

  it('shows the last completed shift first, else the newest, else nothing', () => {
    const p = periodsOf(shifts, 'Europe/Berlin') as { shifts: Choice[] };
    expect((defaultPeriod(p.shifts) as Choice).from).toBe(sunEarly + 24 * H);
    const running = periodsOf([shift('early', sunEarly, false)], 'Europe/Berlin') as { shifts: Choice[] };
    expect((defaultPeriod(running.shifts) as Choice).from).toBe(sunEarly);
    expect(defaultPeriod([])).toBeUndefined();
  });
});
