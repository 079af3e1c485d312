/**
 * Time-zone arithmetic with Intl only (no tz database of our own). Written for the simulator
 * independently of the agent's calendar code, so the two can check each other.
 *
 * Local times that do not exist (the hour skipped when DST starts) move forward by the gap, and
 * local times that happen twice (when DST ends) resolve to the first occurrence, the same rule as
 * Temporal's "compatible" disambiguation.
 */

export interface LocalDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function localFields(
  timeZone: string,
  utcMs: number,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** Offset of the zone at an instant, ms: local wall time = UTC + offset. */
export function tzOffsetMs(timeZone: string, utcMs: number): number {
  const wholeSecond = Math.floor(utcMs / 1000) * 1000;
  const f = localFields(timeZone, wholeSecond);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - wholeSecond;
}

/** The local calendar date at an instant. */
export function localDateOf(timeZone: string, utcMs: number): LocalDate {
  const f = localFields(timeZone, utcMs);
  return { year: f.year, month: f.month, day: f.day };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAYS)[number];

export function weekdayOf(date: LocalDate): WeekdayName {
  return WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] as WeekdayName;
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Minutes since local midnight of "HH:MM". */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** UTC instant of a local date plus minutes (may exceed 24 h) in the zone, DST-correct. */
export function localToUtcMs(timeZone: string, date: LocalDate, minutes: number, seconds = 0): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes, seconds);
  const offBefore = tzOffsetMs(timeZone, naive - 86_400_000);
  const offAfter = tzOffsetMs(timeZone, naive + 86_400_000);
  const candidates: number[] = [];
  for (const off of offBefore === offAfter ? [offBefore] : [offBefore, offAfter]) {
    const t = naive - off;
    if (tzOffsetMs(timeZone, t) === off) candidates.push(t);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap when clocks jump forward: keep the offset from before the jump, which lands the
  // same distance past the jump (02:30 on a spring-forward night becomes 03:30).
  return naive - offBefore;
}

/**
 * Parses "2025-01-06T06:00" (local time in the zone) or a full ISO instant with "Z" or an offset,
 * to UTC ms. Returns undefined when malformed.
 */
export function parseLocalDateTime(text: string, timeZone: string): number | undefined {
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (local !== null) {
    const [, y, mo, d, h, mi, s] = local;
    const date = { year: Number(y), month: Number(mo), day: Number(d) };
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return undefined;
    return localToUtcMs(timeZone, date, Number(h ?? 0) * 60 + Number(mi ?? 0), Number(s ?? 0));
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** "Sat 2025-01-11 03:00" in the zone: how banners show plant time to people. */
export function formatLocalDateTime(timeZone: string, utcMs: number): string {
  const f = localFields(timeZone, utcMs);
  const date = { year: f.year, month: f.month, day: f.day };
  const weekday = weekdayOf(date);
  const hhmm = `${String(f.hour).padStart(2, '0')}:${String(f.minute).padStart(2, '0')}`;
  return `${weekday[0]?.toUpperCase()}${weekday.slice(1)} ${formatLocalDate(date)} ${hhmm}`;
}
