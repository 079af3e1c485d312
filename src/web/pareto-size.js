// @ts-check
// How tall the downtime Pareto asks to be. Its bars are drawn on a canvas, whose height the CSS
// cannot derive from the number of reasons: the panel was squeezed to one bar on a TV. So the
// canvas asks for a row per bar (up to PARETO_MAX_ROWS; more fold into "N more", charts.js) as
// its min-height, and says so in data-need-px for the layout test (tests/e2e/clipping.ts).
import { rem } from './chart-canvas.js';

/** Height of one Pareto bar's row, in rem: drawPareto fits floor(height / this) bars. */
export const PARETO_ROW_REM = 1.9;
/** Bars the panel grows for; beyond, the last bar sums the rest. */
export const PARETO_MAX_ROWS = 8;

/**
 * The canvas height in rem for `bars` bars: at least three rows (the empty "No downtime" panel
 * keeps its size, so the layout does not jump at the first stop).
 * @param {number} bars
 */
export function paretoHeightRem(bars) {
  return Math.max(3, Math.min(bars, PARETO_MAX_ROWS)) * PARETO_ROW_REM + 0.1;
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {number} bars
 */
export function sizePareto(canvas, bars) {
  const heightRem = paretoHeightRem(bars);
  // CSSOM, not a style attribute: the page's CSP allows no inline styles.
  canvas.style.minHeight = `${heightRem}rem`;
  canvas.dataset.needPx = String(Math.floor(heightRem * rem()));
}
