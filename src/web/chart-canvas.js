// @ts-check
// Canvas helpers shared by the charts (charts.js, chart-timeline.js, chart-cycles.js): state colours
// from the stylesheet (and the legend's), sizing a canvas to its box, shortening labels, time ticks.
import { STATE_ORDER } from './format.js';

const css = () => window.getComputedStyle(document.documentElement);

/** @param {string} state */
export function stateColor(state) {
  return css().getPropertyValue(`--${state}`).trim() || '#6b7280';
}

export function rem() {
  return parseFloat(css().fontSize) || 16;
}

/**
 * Sizes the backing store to the element's CSS size times the device pixel ratio.
 * @param {HTMLCanvasElement} canvas
 */
export function prepare(canvas) {
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width));
  const h = Math.max(1, Math.round(rect.height));
  const dpr = window.devicePixelRatio || 1;
  const bw = Math.round(w * dpr);
  const bh = Math.round(h * dpr);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error(`dashboard: no 2D context for canvas #${canvas.id}`);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} maxW
 */
export function ellipsize(ctx, text, maxW) {
  if (ctx.measureText(text).width <= maxW) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > maxW) t = t.slice(0, -1);
  return `${t}…`;
}

/**
 * Hour ticks (or 15 min ticks on short windows) in the plant's time zone.
 * @param {number} from
 * @param {number} to
 * @param {number} widthPx
 */
export function timeTicks(from, to, widthPx) {
  const spanMs = to - from;
  const candidates = [15, 30, 60, 120, 240, 480].map((m) => m * 60_000);
  const step = candidates.find((s) => (widthPx / spanMs) * s >= 70) ?? Math.max(...candidates);
  const ticks = [];
  // Zone offsets are whole quarter hours almost everywhere: aligning to UTC 15 min steps is right.
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

export function legendItems() {
  return STATE_ORDER.map((state) => ({ state, color: stateColor(state) }));
}
