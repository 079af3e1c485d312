// @ts-check
// Formatting for the page: durations, percentages and plant-local times (the shift calendar's
// time zone, whatever the browser's zone is: a laptop in head office shows the plant's clock).

/** @import { StationView } from '../server/view-model.js' */
/** @typedef {StationView['state']} StationState */

/** @type {Readonly<Record<StationState, string>>} */
export const STATE_LABELS = {
  running: 'Running',
  small_stop: 'Small stop',
  down: 'Down',
  planned_stop: 'Planned stop',
  starved: 'Starved',
  blocked: 'Blocked',
  comms_lost: 'No data',
};

/** @type {readonly StationState[]} */
export const STATE_ORDER = ['running', 'small_stop', 'down', 'starved', 'blocked', 'planned_stop', 'comms_lost'];

/**
 * "42s", "4m 05s", "1h 05m", "2d 3h"
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Cycle times: "12.4 s", "850 ms", "2m 10s".
 * @param {number} ms
 */
export function formatCycle(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/**
 * Ratios 0..1 as "87%"; performance above 1 is capped for display only.
 * @param {number | undefined} ratio undefined (no figures yet) shows as "–"
 */
export function formatPercent(ratio, cap = true) {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–';
  const r = cap ? Math.min(1, Math.max(0, ratio)) : ratio;
  return `${Math.round(r * 100)}%`;
}

/** @param {number | undefined} n undefined shows as "–" */
export function formatCount(n) {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US').replace(/,/g, '\u202f');
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const timeFormats = new Map();

/**
 * @param {string} timeZone
 * @param {boolean} withSeconds
 */
function timeFormat(timeZone, withSeconds) {
  const key = `${timeZone}|${withSeconds}`;
  let f = timeFormats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        ...(withSeconds ? { second: '2-digit' } : {}),
        hourCycle: 'h23',
      });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    timeFormats.set(key, f);
  }
  return f;
}

/**
 * "14:05" in the plant's time zone.
 * @param {number} ms
 * @param {string} timeZone
 */
export function formatTime(ms, timeZone, withSeconds = false) {
  if (!Number.isFinite(ms)) return '--:--';
  return timeFormat(timeZone, withSeconds).format(new Date(ms));
}

/**
 * A short summary of an alert's evidence: the first few numeric or text fields.
 * @param {unknown} evidence
 */
export function formatEvidence(evidence) {
  if (evidence === null || typeof evidence !== 'object') return '';
  const parts = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (parts.length >= 3) break;
    if (typeof value === 'number') parts.push(`${key} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
    else if (typeof value === 'string' && value.length < 40) parts.push(`${key} ${value}`);
  }
  return parts.join(' · ');
}
