// @ts-check
// The history page's trend: OEE, availability, performance and quality per recorded shift, one
// point per shift, oldest left, drawn by hand on a canvas like charts.js. The values are also in
// the canvas's aria-label (a canvas has no text for tests or screen readers).
import { ellipsize, prepare, rem } from './chart-canvas.js';
import { formatPercent } from './format.js';

/**
 * @typedef {{ label: string, availability: number, performance: number, quality: number, oee: number,
 *   selected: boolean }} TrendPoint
 */

/** The series, in drawing order (OEE last, on top). */
export const TREND_SERIES = /** @type {const} */ ([
  { key: 'availability', name: 'Availability', color: '#60a5fa' },
  { key: 'performance', name: 'Performance', color: '#f59e0b' },
  { key: 'quality', name: 'Quality', color: '#22c55e' },
  { key: 'oee', name: 'OEE', color: '#eef3f8' },
]);

/**
 * What the chart shows, in words: "Mon 24 Nov early: OEE 61%, A 80%, P 85%, Q 90%; …".
 * @param {readonly TrendPoint[]} points
 */
export function trendText(points) {
  if (points.length === 0) return 'No shifts recorded in the last 14 days';
  return points
    .map(
      (p) =>
        `${p.label}: OEE ${formatPercent(p.oee)}, A ${formatPercent(p.availability)}, P ${formatPercent(p.performance)}, Q ${formatPercent(p.quality)}`,
    )
    .join('; ');
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {readonly TrendPoint[]} points oldest first
 */
export function drawTrend(canvas, points) {
  const { ctx, w, h } = prepare(canvas);
  const fs = rem();
  canvas.setAttribute('aria-label', `OEE per shift: ${trendText(points)}`);
  ctx.textBaseline = 'middle';
  ctx.font = `${fs * 0.85}px system-ui, sans-serif`;
  if (points.length === 0) {
    ctx.fillStyle = '#9fb0c2';
    ctx.fillText('No shifts recorded in the last 14 days', 4, h / 2);
    return;
  }
  const left = fs * 3;
  const right = fs * 0.8;
  const top = fs * 0.8;
  const bottom = fs * 1.8;
  const plotW = Math.max(10, w - left - right);
  const plotH = Math.max(10, h - top - bottom);
  const x = (/** @type {number} */ i) => left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (/** @type {number} */ r) => top + (1 - Math.min(1, Math.max(0, r))) * plotH;

  // Grid: 0, 25, 50, 75, 100 %.
  ctx.strokeStyle = '#2a3644';
  ctx.lineWidth = 1;
  ctx.fillStyle = '#9fb0c2';
  ctx.textAlign = 'right';
  for (const r of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath();
    ctx.moveTo(left, y(r));
    ctx.lineTo(left + plotW, y(r));
    ctx.stroke();
    ctx.fillText(`${r * 100}%`, left - fs * 0.3, y(r));
  }
  // The picked shift (or the shifts of the picked day or week): a band behind the lines.
  ctx.fillStyle = 'rgba(96, 165, 250, 0.18)';
  const step = points.length > 1 ? plotW / (points.length - 1) : plotW;
  points.forEach((p, i) => {
    if (!p.selected) return;
    const from = Math.max(left, x(i) - step / 2);
    ctx.fillRect(from, top, Math.min(left + plotW, x(i) + step / 2) - from, plotH);
  });
  for (const s of TREND_SERIES) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.key === 'oee' ? 3 : 1.5;
    ctx.beginPath();
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(i), y(p[s.key])) : ctx.lineTo(x(i), y(p[s.key]))));
    ctx.stroke();
    if (points.length <= 60)
      points.forEach((p, i) => {
        ctx.beginPath();
        ctx.arc(x(i), y(p[s.key]), s.key === 'oee' ? 3.5 : 2.5, 0, Math.PI * 2);
        ctx.fill();
      });
  }
  // Labels under the axis: as many as fit, evenly spaced.
  ctx.fillStyle = '#9fb0c2';
  ctx.textAlign = 'center';
  const every = Math.max(1, Math.ceil((points.length * fs * 7) / plotW));
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    ctx.fillText(ellipsize(ctx, p.label, fs * 6.5 * every), x(i), top + plotH + fs * 0.9);
  });
}
