/**
 * How the report prints numbers and times, shared by HTML, CSV and PDF so all three show the same
 * strings (and a test can look for the API's figures in any of them). Pure.
 */
import type { ReportPeriod } from './types.js';

/** A ratio as a percentage with one decimal: 0.8123 -> "81.2%". Not capped (docs/oee.md#figures). */
export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** A duration to the second: 3723400 -> "1:02:03". */
export function hms(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** Minutes with one decimal, for the losses. */
export function minutes(ms: number): string {
  return (ms / 60_000).toFixed(1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall ms as "YYYY-MM-DD HH:MM:SS" in the plant's time zone. */
export function localTime(ms: number, timezone: string): string {
  let f = formatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/**
 * "early shift, 2026-12-05 06:00:00 to 14:00:00 (Europe/Berlin)"; "day 2026-12-05 (Sat): the
 * shifts that started on it (Europe/Berlin)"; "week 2026-11-30 to 2026-12-06: ...".
 */
export function periodTitle(period: ReportPeriod, timezone: string): string {
  if (period.kind === 'shift')
    return `${period.shift ?? 'shift'} shift, ${localTime(period.start, timezone)} to ${localTime(period.end, timezone)} (${timezone})`;
  const first = localTime(period.start, timezone).slice(0, 10);
  // The last day of the period: its end is the next period's local midnight.
  const last = localTime(period.end - 1, timezone).slice(0, 10);
  const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short' });
  const day = (date: string, ms: number): string => `${date} (${weekday.format(new Date(ms))})`;
  return period.kind === 'day'
    ? `day ${day(first, period.start)}: the shifts that started on it (${timezone})`
    : `week ${day(first, period.start)} to ${day(last, period.end - 1)}: the shifts that started in it (${timezone})`;
}
