/**
 * The order ETA (src/core/order-forecast.ts) against a brute-force reference that asks the
 * calendar, segment by segment, whether each moment is production time: across breaks, nights,
 * weekends, a night shift over midnight, a DST change and no shifts at all.
 */
import { describe, expect, it } from 'vitest';
import { ShiftCalendar } from '../../../src/core/calendar.js';
import { etaOf } from '../../../src/core/order-forecast.js';
import { config, MONDAY_UTC } from './helpers.js';

function calendar(shifts: string): ShiftCalendar {
  const c = config(`
site: { enterprise: acme, site: plant }
devices: [{ id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [{ name: count, address: 0 }] }]
${shifts}
lines: [{ id: line1, stations: [{ id: press, idealCycleTime: 10s, signals: { cycleCounter: plc1.count } }] }]
`);
  return new ShiftCalendar(c.shifts);
}

/** Production time accrues in every calendar segment that is not planned stop. */
function reference(cal: ShiftCalendar, from: number, needMs: number): number {
  let need = needMs;
  for (let t = from; ; ) {
    const seg = cal.segmentAt(t);
    const until = seg.untilWall;
    if (seg.planned === undefined) {
      if (until - t >= need) return t + need;
      need -= until - t;
    }
    t = until;
  }
}

const H = 3600_000;
const CASES: Array<[string, string]> = [
  ['no shifts: always production', ''],
  [
    'two shifts with breaks, weekdays',
    `shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: early, start: "06:00", end: "14:00", breaks: [{ name: lunch, start: "12:00", duration: 30m }] }
    - { name: late, start: "14:00", end: "22:00", breaks: [{ name: dinner, start: "18:00", duration: 30m }] }`,
  ],
  [
    'a night shift over midnight with a break after it',
    `shifts:
  timezone: UTC
  shifts:
    - { name: night, start: "22:00", end: "06:00", days: [mon, tue, wed, thu, fri], breaks: [{ name: b, start: "02:00", duration: 45m }] }`,
  ],
];

describe('order ETA on the shift calendar', () => {
  for (const [name, shifts] of CASES) {
    it(name, () => {
      const cal = calendar(shifts);
      for (const from of [
        MONDAY_UTC + 5 * H,
        MONDAY_UTC + 11.9 * H,
        MONDAY_UTC + 23 * H,
        MONDAY_UTC + 4 * 24 * H + 21 * H,
      ]) {
        for (const need of [0, 60_000, 2 * H, 9 * H, 30 * H]) {
          expect(etaOf(cal, from, need), `${new Date(from).toISOString()} + ${need / 60_000} min`).toBe(
            Math.round(reference(cal, from, need)),
          );
        }
      }
    });
  }

  it('follows the clock change (Europe/Berlin, 2025-03-30: the night has one hour less)', () => {
    const cal = calendar(`shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: night, start: "22:00", end: "06:00" }`);
    const saturday = Date.UTC(2025, 2, 29, 21, 0); // 22:00 CET
    // The night lasts 7 h of real time: 8 h of work runs into Sunday night.
    expect(etaOf(cal, saturday, 8 * H)).toBe(Math.round(reference(cal, saturday, 8 * H)));
    expect(etaOf(cal, saturday, 8 * H)).toBe(Date.UTC(2025, 2, 30, 21, 0)); // 23:00 CEST on Sunday
  });

  it('gives no ETA beyond 14 days, nor for an infinite need', () => {
    const cal = calendar(`shifts:
  timezone: UTC
  shifts:
    - { name: day, start: "08:00", end: "16:00", days: [mon] }`);
    expect(etaOf(cal, MONDAY_UTC, 2 * 8 * H)).toBe(MONDAY_UTC + 7 * 24 * H + 16 * H);
    expect(etaOf(cal, MONDAY_UTC, 3 * 8 * H)).toBe(MONDAY_UTC + 14 * 24 * H + 16 * H);
    expect(etaOf(cal, MONDAY_UTC, 4 * 8 * H)).toBeUndefined();
    expect(etaOf(cal, MONDAY_UTC, Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
