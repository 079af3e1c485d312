// @ts-check
// What the header's order block says about a running order, as plain text and flags: progress,
// remaining parts, the ETA in plant time, whether it fits the shift and the due time. No DOM here,
// so the unit tests run the same code the browser does (tests/unit/web/order-format.test.ts).
import { formatCount, formatTime } from './format.js';

/** @import { OrderView } from '../core/line-orders.js' */

/**
 * A verdict shown as text and a colour class together: colour alone says nothing to a
 * colour-blind operator or on a washed-out TV.
 * @typedef {{ text: string, cls: 'good' | 'warn' | 'bad' }} Verdict
 */

/**
 * @typedef {object} OrderFacts
 * @property {string} title "Order 4711"
 * @property {string} product the product's name, '' when the order has none
 * @property {number} good good parts so far, the progress bar's value
 * @property {number} quantity the order's quantity, the progress bar's maximum
 * @property {number} percent 0..100, the bar's filled width
 * @property {string} progress "10 / 20"
 * @property {string} progressText "10 of 20 good parts", for screen readers
 * @property {string} remaining "10 left"
 * @property {string} eta "ETA 14:05", "ETA Tue 06:40" or "no ETA at the current rate"
 * @property {boolean} estimate the ETA is at the ideal rate (too little of the last hour ran to know the pace)
 * @property {Verdict | undefined} shift finishes this shift or not (absent outside shifts)
 * @property {Verdict | undefined} due on time or late (absent without a due time)
 */

/** @type {Map<string, Intl.DateTimeFormat>} */
const dayFormats = new Map();

/**
 * "Tue 25 Nov" in the plant's zone (cached: the header renders several times a second).
 * @param {string} timeZone
 */
function dayFormat(timeZone) {
  let f = dayFormats.get(timeZone);
  if (f === undefined) {
    const options = /** @type {const} */ ({ weekday: 'short', day: 'numeric', month: 'short' });
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone, ...options });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', options);
    }
    dayFormats.set(timeZone, f);
  }
  return f;
}

/**
 * A time in plant time: "14:05" today, "Tue 25 Nov 06:40" on another day (an order can run for
 * days, and "06:40" alone would read as this morning).
 * @param {number} ms
 * @param {number} nowMs
 * @param {string} timeZone
 */
export function formatPlantTime(ms, nowMs, timeZone) {
  const day = dayFormat(timeZone);
  const time = formatTime(ms, timeZone);
  return day.format(new Date(ms)) === day.format(new Date(nowMs)) ? time : `${day.format(new Date(ms))} ${time}`;
}

/**
 * @param {OrderView} order
 * @param {{ timezone: string, now: number, productName?: string }} context
 * @returns {OrderFacts}
 */
export function orderFacts(order, { timezone, now, productName }) {
  const quantity = Math.max(0, order.quantity);
  const good = Math.max(0, order.good);
  const forecast = order.forecast;
  const eta = forecast?.eta;
  const due = order.due;
  return {
    title: `Order ${order.id}`,
    product: productName ?? order.product ?? '',
    good,
    quantity,
    percent: quantity > 0 ? Math.min(100, (good / quantity) * 100) : 0,
    progress: `${formatCount(good)} / ${formatCount(quantity)}`,
    progressText: `${formatCount(good)} of ${formatCount(quantity)} good parts`,
    remaining: `${formatCount(order.remaining)} left`,
    eta: eta === undefined ? 'no ETA at the current rate' : `ETA ${formatPlantTime(eta, now, timezone)}`,
    estimate: eta !== undefined && forecast?.basis === 'ideal',
    shift:
      forecast?.finishesThisShift === undefined
        ? undefined
        : forecast.finishesThisShift
          ? { text: 'finishes this shift', cls: 'good' }
          : { text: 'runs past shift end', cls: 'warn' },
    due:
      due === undefined || forecast?.onTime === undefined
        ? undefined
        : {
            text: `${forecast.onTime ? 'on time' : 'late'} (due ${formatPlantTime(due, now, timezone)})`,
            cls: forecast.onTime ? 'good' : 'bad',
          },
  };
}

/**
 * The zone's offset from UTC at an instant, ms (Berlin in winter: +3 600 000).
 * @param {number} ms
 * @param {string} timeZone
 */
export function zoneOffsetMs(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  /** @param {Intl.DateTimeFormatPartTypes} type */
  const part = (type) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * A date-time typed into the form ("2025-11-24T14:00", as <input type="datetime-local"> gives
 * it, without a zone) read as plant time, as the ISO-8601 time with offset the API takes
 * ("2025-11-24T14:00:00+01:00"); undefined when it is not such a value. The browser's own zone
 * plays no part: a laptop at head office schedules in the plant's clock, which the page shows.
 * A time that a DST change skips (02:30 on the spring morning) takes the offset in force before
 * the change, so it lands an hour on (03:30); one it repeats (02:30 on the autumn morning) is
 * read as its second, later occurrence.
 * @param {string} local
 * @param {string} timeZone
 */
export function plantTimeToIso(local, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (m === null) return undefined;
  const n = (/** @type {number} */ i) => Number(m[i] ?? 0);
  const pad = (/** @type {number} */ v) => String(v).padStart(2, '0');
  const wall = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${pad(n(6))}`;
  const asUtc = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6));
  // Date.UTC rolls 31 April over into May: a date that does not come back unchanged is no date.
  if (!Number.isFinite(asUtc) || new Date(asUtc).toISOString().slice(0, 19) !== wall) return undefined;
  // The offset at the wall time read as UTC is at most one DST step off; once more settles it.
  const guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  let offset = zoneOffsetMs(guess, timeZone);
  if (zoneOffsetMs(asUtc - offset, timeZone) !== offset) offset = zoneOffsetMs(guess - 3600_000, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
