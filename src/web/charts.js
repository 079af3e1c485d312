// @ts-check
// Canvas charts drawn by hand (no library, no CDN): the OEE gauges and the downtime Pareto here;
// the state timeline is chart-timeline.js, cycle times chart-cycles.js. Each draws at most one shape
// per pixel column, so drawing cost does not grow with the length of the shift or the number of cycles.
import { ellipsize, prepare, rem, stateColor } from './chart-canvas.js';
import { formatDuration, formatPercent } from './format.js';
import { TONE_COLORS } from './gauge-tone.js';
import { PARETO_ROW_REM } from './pareto-size.js';

/** @import { Tone } from './gauge-tone.js' */

/** @import { ParetoItem } from './model.js' */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {number | undefined} ratio undefined (no figures yet): an empty gauge showing "–"
 * @param {Tone} tone its colour (gauge-tone.js); kept in data-tone for tests and the curious
 */
export function drawGauge(canvas, ratio, tone) {
  canvas.dataset.tone = tone;
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
    ctx.strokeStyle = TONE_COLORS[tone];
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
 * @param {string} [emptyText] what an empty chart says (the history page's periods are not shifts)
 */
export function drawPareto(canvas, items, emptyText = 'No downtime this shift') {
  const { ctx, w, h } = prepare(canvas);
  const fs = rem();
  ctx.textBaseline = 'middle';
  if (items.length === 0) {
    ctx.fillStyle = '#9fb0c2';
    ctx.font = `${fs}px system-ui, sans-serif`;
    ctx.fillText(emptyText, 4, h / 2);
    return;
  }
  const maxBars = Math.max(1, Math.floor(h / (fs * PARETO_ROW_REM)));
  let shown = items;
  if (items.length > maxBars) {
    const rest = items.slice(maxBars - 1);
    shown = [
      ...items.slice(0, maxBars - 1),
      {
        key: 'other',
        reason: 'other',
        label: `${rest.length} more`,
        ms: rest.reduce((n, i) => n + i.ms, 0),
        waitMs: rest.reduce((n, i) => n + i.waitMs, 0),
        waits: [],
        outside: false,
      },
    ];
  }
  const total = items.reduce((n, i) => n + i.ms, 0);
  const rowH = h / Math.max(shown.length, 3);
  const labelW = Math.min(w * 0.42, fs * 13);
  const valueW = fs * 5.2;
  const barMax = Math.max(10, w - labelW - valueW - 8);
  const top = Math.max(...shown.map((i) => i.ms)); // items is not empty here
  let cumulative = 0;
  // What the page shows of each bar, for tests and screen readers (the canvas has no text).
  canvas.setAttribute(
    'aria-label',
    shown
      .map((i) => `${i.label} ${formatDuration(i.ms)}${i.waits.length > 0 ? ` (incl. ${i.waits.join(', ')})` : ''}`)
      .join('; '),
  );
  shown.forEach((item, i) => {
    const y = i * rowH;
    cumulative += item.ms;
    ctx.fillStyle = '#eef3f8';
    ctx.font = `600 ${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillText(ellipsize(ctx, item.label, labelW - 6), 0, y + rowH / 2);
    const barW = Math.max(2, (item.ms / top) * barMax);
    const ownW = barW * (1 - item.waitMs / item.ms);
    ctx.fillStyle = item.outside
      ? stateColor(item.reason === 'blocked' ? 'blocked' : 'starved')
      : item.reason === 'unassigned'
        ? '#dc2626'
        : '#f87171';
    ctx.fillRect(labelW, y + rowH * 0.18, ownW, rowH * 0.64);
    if (item.waitMs > 0) {
      // The time others waited for this cause: the same bar, in the waiting colour.
      ctx.fillStyle = stateColor('starved');
      ctx.fillRect(labelW + ownW, y + rowH * 0.18, barW - ownW, rowH * 0.64);
    }
    ctx.fillStyle = '#eef3f8';
    ctx.font = `700 ${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillText(formatDuration(item.ms), w, y + rowH / 2 - fs * 0.3);
    ctx.fillStyle = '#9fb0c2';
    ctx.font = `${fs * 0.75}px system-ui, sans-serif`;
    ctx.fillText(`${Math.round((cumulative / total) * 100)}% cum.`, w, y + rowH / 2 + fs * 0.55);
  });
}
