// @ts-check
// Canvas charts drawn by hand (no library, no CDN): OEE gauges, the downtime Pareto, the state
// timeline (Gantt) and cycle times. Each draws at most one shape per pixel column, so drawing
// cost does not grow with the length of the shift or the number of cycles.
import { meanOf, p95OfMeans, plottedColumns } from './buckets.js';
import { STATE_ORDER, formatCycle, formatDuration, formatPercent, formatTime } from './format.js';

/** @import { CycleColumn } from './buckets.js' */
/** @import { ParetoItem, Span } from './model.js' */

/** @typedef {{ label: string, spans: readonly Span[] }} GanttRow */

const css = () => window.getComputedStyle(document.documentElement);

/** @param {string} state */
export function stateColor(state) {
  return css().getPropertyValue(`--${state}`).trim() || '#6b7280';
}

function rem() {
  return parseFloat(css().fontSize) || 16;
}

/**
 * Sizes the backing store to the element's CSS size times the device pixel ratio.
 * @param {HTMLCanvasElement} canvas
 */
function prepare(canvas) {
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
 * World-class OEE is ~85 %; below 60 % most plants call it poor.
 * @param {number} ratio
 */
function ratioColor(ratio) {
  if (!Number.isFinite(ratio)) return '#6b7280';
  if (ratio >= 0.85) return '#22c55e';
  if (ratio >= 0.6) return '#f59e0b';
  return '#ef4444';
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {number | undefined} ratio undefined (no figures yet): an empty gauge showing "–"
 */
export function drawGauge(canvas, ratio) {
  const { ctx, w, h } = prepare(canvas);
  const size = Math.min(w, h);
  const cx = w / 2;
  const cy = h / 2;
  const lineWidth = size * 0.12;
  const r = size / 2 - lineWidth / 2 - 1;
  const start = Math.PI * 0.75;
  const sweep = Math.PI * 1.5;
  ctx.lineCap = 'round';
  ctx.lineWidth = lineWidth;
  ctx.strokeStyle = '#2a3644';
  ctx.beginPath();
  ctx.arc(cx, cy, r, start, start + sweep);
  ctx.stroke();
  if (ratio !== undefined && Number.isFinite(ratio)) {
    const shown = Math.min(1, Math.max(0, ratio));
    ctx.strokeStyle = ratioColor(ratio);
    ctx.beginPath();
    ctx.arc(cx, cy, r, start, start + sweep * Math.max(0.001, shown));
    ctx.stroke();
  }
  ctx.fillStyle = '#eef3f8';
  ctx.font = `800 ${Math.round(size * 0.27)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(formatPercent(ratio), cx, cy + size * 0.02);
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {readonly ParetoItem[]} items longest first
 */
export function drawPareto(canvas, items) {
  const { ctx, w, h } = prepare(canvas);
  const fs = rem();
  ctx.textBaseline = 'middle';
  if (items.length === 0) {
    ctx.fillStyle = '#9fb0c2';
    ctx.font = `${fs}px system-ui, sans-serif`;
    ctx.fillText('No downtime this shift', 4, h / 2);
    return;
  }
  const maxBars = Math.max(1, Math.floor(h / (fs * 1.9)));
  let shown = items;
  if (items.length > maxBars) {
    const rest = items.slice(maxBars - 1).reduce((n, i) => n + i.ms, 0);
    shown = [
      ...items.slice(0, maxBars - 1),
      { reason: 'other', label: `${items.length - maxBars + 1} more`, ms: rest },
    ];
  }
  const total = items.reduce((n, i) => n + i.ms, 0);
  const rowH = h / Math.max(shown.length, 3);
  const labelW = Math.min(w * 0.42, fs * 11);
  const valueW = fs * 5.2;
  const barMax = Math.max(10, w - labelW - valueW - 8);
  const top = shown[0]?.ms ?? 0; // never undefined: items is not empty here
  let cumulative = 0;
  shown.forEach((item, i) => {
    const y = i * rowH;
    cumulative += item.ms;
    ctx.fillStyle = '#eef3f8';
    ctx.font = `600 ${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillText(ellipsize(ctx, item.label, labelW - 6), 0, y + rowH / 2);
    const barW = Math.max(2, (item.ms / top) * barMax);
    ctx.fillStyle =
      item.reason === 'unassigned'
        ? '#dc2626'
        : item.reason === 'starved' || item.reason === 'blocked'
          ? stateColor(item.reason)
          : '#f87171';
    ctx.fillRect(labelW, y + rowH * 0.18, barW, rowH * 0.64);
    ctx.fillStyle = '#eef3f8';
    ctx.font = `700 ${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillText(formatDuration(item.ms), w, y + rowH / 2 - fs * 0.3);
    ctx.fillStyle = '#9fb0c2';
    ctx.font = `${fs * 0.75}px system-ui, sans-serif`;
    ctx.fillText(`${Math.round((cumulative / total) * 100)}% cum.`, w, y + rowH / 2 + fs * 0.55);
  });
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} maxW
 */
function ellipsize(ctx, text, maxW) {
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
function timeTicks(from, to, widthPx) {
  const spanMs = to - from;
  const candidates = [15, 30, 60, 120, 240, 480].map((m) => m * 60_000);
  const step = candidates.find((s) => (widthPx / spanMs) * s >= 70) ?? Math.max(...candidates);
  const ticks = [];
  // Zone offsets are whole quarter hours almost everywhere: aligning to UTC 15 min steps is right.
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/**
 * rows: one per station; from/to: the window; now: agent time.
 * @param {HTMLCanvasElement} canvas
 * @param {readonly GanttRow[]} rows
 * @param {number} from
 * @param {number} to
 * @param {number} now
 * @param {string} timeZone
 */
export function drawGantt(canvas, rows, from, to, now, timeZone) {
  const fs = rem();
  const rowH = Math.round(fs * 2.1);
  const axisH = Math.round(fs * 1.6);
  canvas.style.height = `${rows.length * rowH + axisH}px`;
  const { ctx, w, h } = prepare(canvas);
  const labelW = Math.min(w * 0.3, fs * 8.5);
  const plotW = Math.max(10, w - labelW - 4);
  const x = (/** @type {number} */ t) => labelW + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * plotW;
  ctx.textBaseline = 'middle';
  rows.forEach((row, i) => {
    const y = i * rowH;
    ctx.fillStyle = '#eef3f8';
    ctx.font = `600 ${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillText(ellipsize(ctx, row.label, labelW - 8), 0, y + rowH / 2);
    ctx.fillStyle = '#1b2430';
    ctx.fillRect(labelW, y + 3, plotW, rowH - 6);
    // One rectangle per span, at least a pixel wide; adjacent sub-pixel spans overdraw the same
    // column, so the cost is bounded by the width, not by the number of state changes.
    for (const span of row.spans) {
      const x0 = x(span.from);
      const x1 = x(span.to ?? now);
      if (x1 < labelW || x0 > labelW + plotW) continue;
      ctx.fillStyle = stateColor(span.state);
      ctx.fillRect(Math.floor(x0), y + 3, Math.max(1, Math.ceil(x1 - x0)), rowH - 6);
    }
  });
  const plotH = rows.length * rowH;
  // Ticks and the "now" line.
  ctx.font = `${fs * 0.85}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (const t of timeTicks(from, to, plotW)) {
    const tx = x(t);
    ctx.fillStyle = 'rgba(255,255,255,.12)';
    ctx.fillRect(tx, 0, 1, plotH);
    ctx.fillStyle = '#9fb0c2';
    ctx.fillText(formatTime(t, timeZone), Math.min(Math.max(tx, labelW + 20), w - 20), plotH + axisH / 2);
  }
  if (now > from && now < to) {
    const nx = x(now);
    ctx.fillStyle = '#eef3f8';
    ctx.fillRect(nx - 1, 0, 2, plotH);
  }
  return h;
}

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

export function legendItems() {
  return STATE_ORDER.map((state) => ({ state, color: stateColor(state) }));
}
