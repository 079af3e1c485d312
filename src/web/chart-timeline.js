// @ts-check
// The state timeline (Gantt): one row per station, one rectangle per state span, hour ticks and
// the "now" line. Cost is bounded by the canvas width, not by the number of state changes.
import { ellipsize, prepare, rem, stateColor, timeTicks } from './chart-canvas.js';
import { formatTime } from './format.js';

/** @import { Span } from './model.js' */

/** @typedef {{ label: string, spans: readonly Span[] }} GanttRow */

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
      // A changeover is setup work, not a failure: its own colour, whether booked as down or planned.
      ctx.fillStyle = stateColor(span.reason === 'changeover' ? 'changeover' : span.state);
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
