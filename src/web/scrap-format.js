// @ts-check
// What the "Rejects by reason" list says, and what the "Record scrap" form sends: plain functions
// without DOM access (tests/unit/web/scrap-format.test.ts), so scrap.js only puts them on the page.
import { formatCount, formatPercent } from './format.js';

/** @import { OeeFigures } from '../core/events.js' */
/** @import { ScrapReasonView } from '../server/view-model.js' */

/**
 * One bar: a reason's rejects, its share of all rejects, and the bar's length against the
 * largest reason (the longest bar fills the row, so small counts stay readable).
 * @typedef {{ reason: string, label: string, count: number, share: number, width: number, text: string }} RejectRow
 */

/**
 * @typedef {object} RejectsSummary
 * @property {number} total
 * @property {string} totalText "7 rejects"
 * @property {string} split "2 start-up · 5 production"
 * @property {RejectRow[]} rows most rejects first, then in the config's order
 */

/** @param {number} n */
const parts = (n) => `${n} ${n === 1 ? 'reject' : 'rejects'}`;

/**
 * The shift's rejects by reason, or null when it has none (the list is then hidden).
 * @param {OeeFigures | undefined} figures the shift's figures of a station or line
 * @param {readonly ScrapReasonView[]} scrapReasons the config's, for labels and order
 * @returns {RejectsSummary | null}
 */
export function rejectsSummary(figures, scrapReasons) {
  if (figures === undefined) return null;
  const rejects = figures.rejects;
  // Figures without the split (an agent before scrap reasons) still have a reject count: all of
  // it is "Unassigned" and production, which is what the core counted them as.
  const byReason = rejects?.byReason ?? { unassigned: figures.counts.reject };
  const startup = rejects?.startup ?? 0;
  const production = rejects?.production ?? figures.counts.reject;
  const total = startup + production;
  if (total <= 0) return null;
  const order = (/** @type {string} */ id) => {
    const i = scrapReasons.findIndex((r) => r.id === id);
    // Configured reasons in config order, then unassigned, then ids the config no longer has.
    return i >= 0 ? i : id === 'unassigned' ? scrapReasons.length : scrapReasons.length + 1;
  };
  const entries = Object.entries(byReason)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || order(a) - order(b) || a.localeCompare(b));
  const max = Math.max(1, ...entries.map(([, count]) => count));
  return {
    total,
    totalText: parts(total),
    split: `${startup} start-up · ${production} production`,
    rows: entries.map(([reason, count]) => {
      const label = scrapLabel(reason, scrapReasons);
      const share = Math.round((count / total) * 100);
      return {
        reason,
        label,
        count,
        share,
        width: Math.round((count / max) * 1000) / 10,
        text: `${label}: ${parts(count)}, ${share} %`,
      };
    }),
  };
}

/**
 * The good parts and quality the rejects leave, in words: a scrap entry moves both, and the
 * gauges that also show quality are pictures.
 * @param {OeeFigures | undefined} figures
 * @returns {string}
 */
export function qualityText(figures) {
  if (figures === undefined) return '';
  const { good, total } = figures.counts;
  return `${formatCount(good)} good of ${formatCount(total)} · quality ${formatPercent(figures.quality)}`;
}

/**
 * @param {string} id
 * @param {readonly ScrapReasonView[]} scrapReasons
 */
export function scrapLabel(id, scrapReasons) {
  if (id === 'unassigned') return 'Unassigned';
  return scrapReasons.find((r) => r.id === id)?.label ?? id;
}

/** What `POST /api/stations/:station/scrap` takes (besides `by`). */
/** @typedef {{ reason: string, count: number, note?: string }} ScrapRequest */

/**
 * The form's fields as a request, or what is wrong with them. Only what the browser cannot know
 * is left to the server (more than the shift's good parts, an unknown reason): its message is
 * shown as it comes.
 * @param {{ reason: string, count: string, note: string }} fields
 * @returns {ScrapRequest | string}
 */
export function scrapRequest(fields) {
  if (fields.reason === '') return 'Choose a reason';
  const text = fields.count.trim();
  const count = Number(text);
  if (text === '' || !Number.isInteger(count) || count < 1) return 'The count is a whole number of parts, at least 1';
  const note = fields.note.trim();
  return { reason: fields.reason, count, ...(note !== '' ? { note } : {}) };
}
