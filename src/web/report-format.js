// @ts-check
// What the history page's Reports panel says of a report (GET /api/reports, docs/reports.md): its
// period named as the period picker names it (history-periods.js), when it was made, its files,
// how its email and webhook deliveries went; which report is the shown period's, and the body of
// POST /api/reports that makes the shown period's. Pure: no DOM, no fetch; unit-tested.
import { dayLabel, plantDate, shiftLabel, weekLabel } from './history-periods.js';

/** @import { PeriodChoice } from './history-periods.js' */

/**
 * How a delivery (email or webhook) went, as GET /api/reports lists it.
 * @typedef {{ status: 'sent' | 'pending' | 'failed', attempts: number, lastError?: string, sentAt?: string }} DeliveryView
 */

/**
 * One report of GET /api/reports: times are ISO 8601, newest first in the list.
 * @typedef {object} ReportView
 * @property {string} id
 * @property {string} line
 * @property {'shift' | 'day' | 'week'} period
 * @property {string} [shift]
 * @property {string} start
 * @property {string} [end]
 * @property {string} generatedAt
 * @property {readonly { name: string, bytes: number, url: string }[]} files
 * @property {DeliveryView} [email]
 * @property {DeliveryView} [webhook]
 */

/** The body of POST /api/reports for one period. */
/** @typedef {{ line: string, start: number } | { line: string, period: 'day' | 'week', date: string }} MakeReportBody */

/** Link texts of the files, in the order the panel shows them; other names show as they are. */
const FILE_LABELS = /** @type {const} */ ([
  ['report.pdf', 'PDF'],
  ['report.html', 'HTML'],
  ['downtime.csv', 'downtime'],
  ['cycles.csv', 'cycles'],
  ['oee.csv', 'OEE'],
  ['shifts.csv', 'shifts'],
]);

/** @param {string} timeZone */
const timeFormat = (timeZone) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The report's period as the picker writes it: "Thu 27 Nov night 22:00–06:00", "Thu 27 Nov",
 * "Week of Mon 24 Nov". A day's or week's start is the plant-local midnight that begins it.
 * @param {ReportView} r
 * @param {string} timeZone the plant's
 */
export function reportLabel(r, timeZone) {
  const start = Date.parse(r.start);
  if (r.period === 'day') return dayLabel(start, timeZone);
  if (r.period === 'week') return weekLabel(plantDate(start, timeZone));
  const end = r.end !== undefined ? Date.parse(r.end) : Number.NaN;
  if (!Number.isFinite(end))
    return `${dayLabel(start, timeZone)} ${r.shift ?? 'shift'} ${timeFormat(timeZone).format(start)}`;
  return shiftLabel({ ...(r.shift !== undefined ? { shift: r.shift } : {}), start, end }, timeZone);
}

/**
 * When the report was made, in plant time: "made Fri 28 Nov 06:02".
 * @param {ReportView} r
 * @param {string} timeZone
 */
export function madeLabel(r, timeZone) {
  const at = Date.parse(r.generatedAt);
  return `made ${dayLabel(at, timeZone)} ${timeFormat(timeZone).format(at)}`;
}

/**
 * One delivery in words: "emailed 06:02", "email pending (3 attempts): EMAIL_CONNECT …",
 * "email failed: …"; the webhook's alike ("webhook sent 06:02"). Undefined when there is none.
 * @param {'email' | 'webhook'} kind
 * @param {DeliveryView | undefined} d
 * @param {string} timeZone
 */
export function deliveryText(kind, d, timeZone) {
  if (d === undefined) return undefined;
  const error = d.lastError !== undefined && d.lastError !== '' ? `: ${d.lastError}` : '';
  if (d.status === 'sent') {
    const at = d.sentAt !== undefined ? Date.parse(d.sentAt) : Number.NaN;
    const when = Number.isFinite(at) ? ` ${timeFormat(timeZone).format(at)}` : '';
    return kind === 'email' ? `emailed${when}` : `webhook sent${when}`;
  }
  if (d.status === 'pending') {
    const tries = d.attempts > 0 ? ` (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})` : '';
    return `${kind} pending${tries}${error}`;
  }
  return `${kind} failed${error || ` after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`}`;
}

/**
 * The report's files as links, PDF, HTML, then the CSV files; `csv` marks the CSV ones.
 * @param {ReportView} r
 * @returns {{ text: string, url: string, name: string, csv: boolean }[]}
 */
export function fileLinks(r) {
  const rank = (/** @type {string} */ name) => {
    const k = FILE_LABELS.findIndex(([n]) => n === name);
    return k < 0 ? FILE_LABELS.length : k;
  };
  return [...r.files]
    .sort((a, b) => rank(a.name) - rank(b.name))
    .map((f) => ({
      text: FILE_LABELS.find(([n]) => n === f.name)?.[1] ?? f.name,
      url: f.url,
      name: f.name,
      csv: f.name.endsWith('.csv'),
    }));
}

/**
 * The plant-local date that names a day or week choice ("day:2025-11-27" -> "2025-11-27").
 * @param {PeriodChoice} picked
 */
const dateOf = (picked) => picked.key.slice(picked.key.indexOf(':') + 1);

/**
 * Whether the report is of the period shown: a shift by its start, a day or week by its date.
 * @param {ReportView} r
 * @param {PeriodChoice} picked
 * @param {string} line
 * @param {string} timeZone
 */
export function isReportOf(r, picked, line, timeZone) {
  if (r.line !== line || r.period !== picked.kind) return false;
  const start = Date.parse(r.start);
  if (picked.kind === 'shift') return start === picked.from;
  return plantDate(start, timeZone) === dateOf(picked);
}

/**
 * The body of POST /api/reports that makes the shown period's report (docs/reports.md): a shift
 * by its start, a day or week by its plant-local date (a week's is its Monday).
 * @param {PeriodChoice} picked
 * @param {string} line
 * @returns {MakeReportBody}
 */
export function makeReportBody(picked, line) {
  if (picked.kind === 'shift') return { line, start: picked.from };
  return { line, period: picked.kind, date: dateOf(picked) };
}

/**
 * The reports the panel lists: the `limit` newest, and the highlighted one when it is older.
 * @param {readonly ReportView[]} reports newest first
 * @param {number} limit
 * @param {string | undefined} keep the id of the report to keep in view
 */
export function boundedReports(reports, limit, keep) {
  const shown = reports.slice(0, limit);
  const kept = reports.find((r) => r.id === keep);
  return kept !== undefined && !shown.includes(kept) ? [...shown, kept] : shown;
}
