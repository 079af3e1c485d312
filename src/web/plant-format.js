// @ts-check
// Number and time formats of the plant page (pure; no DOM).

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

/** @param {number} ms epoch ms @returns {string} "14:05", or "3 Mar 14:05" when not today */
export function clockTime(ms) {
  const d = new Date(ms);
  const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return hm;
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${hm}`;
}

/** @param {number | null | undefined} n @returns {string} "1,234" */
export function count(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString();
}

/** Whole-percent severity class of an OEE: good ≥ 75 %, fair ≥ 55 %, else poor. @param {number | null | undefined} oee */
export function oeeClass(oee) {
  if (oee === null || oee === undefined) return 'p-none';
  return oee >= 0.75 ? 'p-good' : oee >= 0.55 ? 'p-fair' : 'p-poor';
}
