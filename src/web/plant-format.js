// @ts-check
// Number and time formats of the plant page (pure; no DOM).
import { gaugeTone } from './gauge-tone.js';

/** @param {number | null | undefined} ratio 0..1 @returns {string} "84.2 %" */
export function pct(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(1)} %`;
}

/** @param {number | null | undefined} hours @returns {string} "1.25 h" */
export function hours(hours) {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return '–';
  return `${hours.toFixed(hours >= 10 ? 1 : 2)} h`;
}

/** @param {number} ms @returns {string} "1 h 05 min", "12 min", "40 s" */
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/**
 * A time in the plant's zone, whatever the browser's: "14:05", or "3 Mar 14:05" when not today.
 * @param {number} ms epoch ms
 * @param {string} timeZone IANA zone (plant.yaml plant.timezone)
 * @param {number} [nowMs]
 * @returns {string}
 */
export function clockTime(ms, timeZone, nowMs = Date.now()) {
  const hm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone });
  const d = new Date(ms);
  if (day.format(d) === day.format(new Date(nowMs))) return hm.format(d);
  return `${day.format(d)} ${hm.format(d)}`;
}

/** @param {number | null | undefined} n @returns {string} "1,234" */
export function count(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString();
}

/**
 * The colour class of an OEE: the line page's thresholds and settling rule (gauge-tone.js), so a
 * line reads the same on its own TV and on the plant page, and no tile flashes red on the first
 * part of a shift.
 * @param {number | null | undefined} oee
 * @param {number | null | undefined} plannedMs planned production time the figure covers
 * @returns {string}
 */
export function oeeClass(oee, plannedMs) {
  const tone = gaugeTone(oee ?? undefined, plannedMs ?? undefined);
  return { good: 'p-good', warn: 'p-fair', bad: 'p-poor', settling: 'p-settling', none: 'p-none' }[tone];
}
