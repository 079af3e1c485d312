// @ts-check
// The periods the history page offers: each recorded shift, each plant-local day and each week
// (Monday to Sunday) that has shifts. A day or week is the shifts that *started* in it (a night
// shift from 22:00 belongs to the day it started), and /api/history/period sums the shifts that
// start in [from, to): so a period's range is its first shift's start to its last shift's start
// plus 1 ms, which needs no time-zone arithmetic in the browser. Pure: no DOM, unit-tested.

/** @import { ShiftWindowView } from '../server/history-view.js' */

/**
 * @typedef {{ kind: 'shift' | 'day' | 'week', key: string, label: string, from: number, to: number,
 *   final: boolean }} PeriodChoice
 */

/** @param {string} timeZone */
const dayFormat = (timeZone) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
/** @param {string} timeZone */
const labelFormat = (timeZone) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' });
/** @param {string} timeZone */
const timeFormat = (timeZone) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The plant-local date of an instant, "2025-11-24".
 * @param {number} ms
 * @param {string} timeZone
 */
export function plantDate(ms, timeZone) {
  return dayFormat(timeZone).format(new Date(ms));
}

/**
 * The Monday of a plant-local date's week, "2025-11-24" (dates as UTC calendar days: no zone).
 * @param {string} date "YYYY-MM-DD"
 */
export function weekOf(date) {
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A shift's name as the period picker writes it: "Thu 27 Nov night 22:00–06:00" (plant time),
 * " (running)" added when it is not over. The reports list names its shift reports the same way.
 * @param {{ shift?: string, start: number, end: number, final?: boolean }} s
 * @param {string} timeZone
 */
export function shiftLabel(s, timeZone) {
  const time = timeFormat(timeZone);
  const running = s.final === false ? ' (running)' : '';
  return `${dayLabel(s.start, timeZone)} ${s.shift ?? 'day'} ${time.format(new Date(s.start))}–${time.format(new Date(s.end))}${running}`;
}

/**
 * The plant-local day of an instant as the picker writes it: "Thu 27 Nov".
 * @param {number} ms
 * @param {string} timeZone
 */
export function dayLabel(ms, timeZone) {
  return labelFormat(timeZone).format(new Date(ms));
}

/**
 * The week of a Monday (a plant-local date) as the picker writes it: "Week of Mon 24 Nov".
 * @param {string} monday "YYYY-MM-DD"
 */
export function weekLabel(monday) {
  // Noon UTC of a calendar date is that date in every zone the format could be given.
  return `Week of ${labelFormat('UTC').format(new Date(`${monday}T12:00:00Z`))}`;
}

/**
 * @param {readonly ShiftWindowView[]} shifts oldest first, as /api/history/shifts lists them
 * @param {string} timeZone the plant's
 * @returns {{ shifts: PeriodChoice[], days: PeriodChoice[], weeks: PeriodChoice[] }} newest first
 */
export function periodsOf(shifts, timeZone) {
  /** @type {PeriodChoice[]} */
  const shiftChoices = shifts.map((s) => ({
    kind: 'shift',
    key: `shift:${s.start}`,
    label: shiftLabel(s, timeZone),
    from: s.start,
    to: s.end,
    final: s.final,
  }));
  /**
   * @param {'day' | 'week'} kind
   * @param {(s: ShiftWindowView) => string} keyOf
   * @param {(key: string, first: ShiftWindowView) => string} labelOf
   */
  const group = (kind, keyOf, labelOf) => {
    /** @type {Map<string, PeriodChoice>} */
    const groups = new Map();
    for (const s of shifts) {
      const key = keyOf(s);
      const g = groups.get(key);
      if (g === undefined)
        groups.set(key, {
          kind,
          key: `${kind}:${key}`,
          label: labelOf(key, s),
          from: s.start,
          to: s.start + 1,
          final: s.final,
        });
      else {
        g.to = Math.max(g.to, s.start + 1);
        g.final = g.final && s.final;
      }
    }
    return [...groups.values()];
  };
  const days = group(
    'day',
    (s) => plantDate(s.start, timeZone),
    (_key, first) => dayLabel(first.start, timeZone),
  );
  const weeks = group(
    'week',
    (s) => weekOf(plantDate(s.start, timeZone)),
    (key) => weekLabel(key),
  );
  return { shifts: shiftChoices.reverse(), days: days.reverse(), weeks: weeks.reverse() };
}

/**
 * The period shown first: the last completed shift, else the newest shift, else none.
 * @param {readonly PeriodChoice[]} shiftChoices newest first
 */
export function defaultPeriod(shiftChoices) {
  return shiftChoices.find((s) => s.final) ?? shiftChoices[0];
}
