// @ts-check
// The cycle-time chart: per pixel column the min..max band, the mean line and slow columns, with
// the station's ideal cycle time dashed; and how many columns to ask the server for.
import { meanOf, p95OfMeans, plottedColumns } from './buckets.js';
import { prepare, rem, timeTicks } from './chart-canvas.js';
import { formatCycle, formatTime } from './format.js';

/** @import { CycleColumn } from './buckets.js' */

/**
 * buckets: the columns (buckets.js) over `points` columns of [from, to];
 * idealMs: the station's ideal cycle time (dashed line). The band is min..max per column, the
 * line the mean, broken where the station did not cycle.
 * @param {HTMLCanvasElement} canvas
 * @param {Iterable<CycleColumn>} buckets
 * @param {number} points
 * @param {number} idealMs
 * @param {string} timeZone
 * @param {number} from
 * @param {number} to
 */
export function drawCycles(canvas, buckets, points, idealMs, timeZone, from, to) {
  const { ctx, w, h } = prepare(canvas);
  const fs = rem();
  const axisH = Math.round(fs * 1.4);
  const axisW = Math.round(fs * 3.6);
  const top = Math.round(fs * 0.7);
  const plotW = Math.max(10, w - axisW - 4);
  const plotH = Math.max(10, h - axisH - top);
  const sorted = plottedColumns(buckets);
  const p95 = p95OfMeans(sorted) ?? idealMs;
  const yMax = Math.max(idealMs * 1.6, p95 * 1.3, 1);
  const y = (/** @type {number} */ ms) => top + plotH - (Math.min(ms, yMax) / yMax) * plotH;
  const colW = plotW / points;
  const xOf = (/** @type {number} */ col) => axisW + col * colW;
  ctx.textBaseline = 'middle';
  ctx.font = `${fs * 0.85}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  for (const frac of [0, 0.5, 1]) {
    const v = yMax * frac;
    ctx.fillStyle = 'rgba(255,255,255,.10)';
    ctx.fillRect(axisW, y(v), plotW, 1);
    ctx.fillStyle = '#9fb0c2';
    ctx.fillText(v === 0 ? '0 s' : formatCycle(v), axisW - 6, y(v));
  }
  ctx.fillStyle = 'rgba(147,197,253,.28)';
  for (const b of sorted) ctx.fillRect(xOf(b.x), y(b.max), Math.max(1, colW), Math.max(2, y(b.min) - y(b.max)));
  // Mean line, broken over gaps longer than a few columns (stops, breaks).
  ctx.strokeStyle = '#93c5fd';
  ctx.lineWidth = 2;
  ctx.beginPath();
  let prevX = -Infinity;
  for (const b of sorted) {
    const px = xOf(b.x) + colW / 2;
    const py = y(meanOf(b));
    if (b.x - prevX > 4) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
    prevX = b.x;
  }
  ctx.stroke();
  // Slow columns (mean 10 % over the ideal) stand out in amber.
  ctx.fillStyle = '#fcd34d';
  for (const b of sorted) if (meanOf(b) > idealMs * 1.1) ctx.fillRect(xOf(b.x), y(meanOf(b)) - 2, Math.max(2, colW), 4);
  ctx.strokeStyle = '#22c55e';
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(axisW, y(idealMs));
  ctx.lineTo(axisW + plotW, y(idealMs));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#22c55e';
  ctx.textAlign = 'right';
  ctx.fillText(`ideal ${formatCycle(idealMs)}`, axisW + plotW, y(idealMs) + fs * 0.75);
  ctx.fillStyle = '#9fb0c2';
  ctx.textAlign = 'center';
  for (const t of timeTicks(from, to, plotW)) {
    const tx = axisW + ((t - from) / (to - from)) * plotW;
    ctx.fillText(formatTime(t, timeZone), Math.min(Math.max(tx, axisW + 20), w - 20), h - axisH / 2);
  }
}

/**
 * Columns a cycle chart of this canvas should ask the server for: one per pixel of its plot.
 * @param {HTMLCanvasElement} canvas
 */
export function cyclePoints(canvas) {
  const width = canvas.getBoundingClientRect().width;
  return Math.max(50, Math.round(width - rem() * 3.6 - 4));
}
