/** The shift calendar: a known time zone, unique names, breaks inside their shift, no two shifts on at once. */
import { unique, type Add, type Config } from './cross-checks-common.js';

type LooseShifts = NonNullable<NonNullable<Config['shifts']>['shifts']>;

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

const DAY = 24 * 60;
const WEEK = 7 * DAY;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function checkShifts(config: Config, add: Add): void {
  const timezone = config.shifts?.timezone;
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      add(
        ['shifts', 'timezone'],
        `unknown IANA time zone "${timezone}" (e.g. "Europe/Berlin", "America/Chicago", "UTC")`,
      );
    }
  }
  const shifts = config.shifts?.shifts ?? [];
  unique(
    shifts.map((s, i) => [s?.name, ['shifts', 'shifts', i, 'name']]),
    'shift',
    add,
  );
  shifts.forEach((shift, si) => {
    if (shift?.start === undefined || shift.end === undefined) return;
    const start = minutesOf(shift.start);
    let end = minutesOf(shift.end);
    if (end === start) add(['shifts', 'shifts', si, 'end'], 'a shift cannot end when it starts');
    if (end <= start) end += 24 * 60;
    (shift.breaks ?? []).forEach((b, bi) => {
      if (b?.start === undefined || b.duration === undefined) return;
      let bStart = minutesOf(b.start);
      if (bStart < start) bStart += 24 * 60;
      if (bStart + b.duration / 60_000 > end) {
        add(
          ['shifts', 'shifts', si, 'breaks', bi],
          `break ${b.start} + ${b.duration / 60_000} min is not inside shift ${shift.start}-${shift.end}`,
        );
      }
    });
  });
  checkShiftOverlaps(shifts, add);
}

/**
 * Shifts that are on at the same time on some weekday: their parts would count in both. Each
 * shift is laid on a week (minutes from Monday 00:00) on each of its days, an overnight shift
 * running into the next day and Sunday's into Monday; sort and sweep.
 */
function checkShiftOverlaps(shifts: LooseShifts, add: Add): void {
  const spans: { start: number; end: number; index: number }[] = [];
  shifts.forEach((shift, index) => {
    if (shift?.start === undefined || shift.end === undefined || shift.days === undefined) return;
    const start = minutesOf(shift.start);
    const end = minutesOf(shift.end);
    if (end === start) return;
    const length = end > start ? end - start : end + DAY - start;
    for (const day of new Set(shift.days)) {
      if (day === undefined) continue;
      const from = WEEKDAYS.indexOf(day) * DAY + start;
      if (from + length <= WEEK) spans.push({ start: from, end: from + length, index });
      else spans.push({ start: from, end: WEEK, index }, { start: 0, end: from + length - WEEK, index });
    }
  });
  spans.sort((a, b) => a.start - b.start || a.index - b.index);
  const reported = new Set<number>();
  let farthest: (typeof spans)[number] | undefined;
  for (const span of spans) {
    if (farthest !== undefined && farthest.end > span.start && farthest.index !== span.index) {
      const [first, later] = farthest.index < span.index ? [farthest.index, span.index] : [span.index, farthest.index];
      if (!reported.has(later)) {
        reported.add(later);
        const a = shifts[later];
        const b = shifts[first];
        const day = WEEKDAYS[Math.floor(span.start / DAY)];
        add(
          ['shifts', 'shifts', later],
          `${a?.start}-${a?.end} overlaps shift "${b?.name ?? first}" (${b?.start}-${b?.end}) on ${day}; shifts must not overlap (a part would count in both)`,
        );
      }
    }
    if (farthest === undefined || span.end > farthest.end) farthest = span;
  }
}
