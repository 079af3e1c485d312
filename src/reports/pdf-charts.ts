/**
 * The PDF's two charts, drawn as vectors with pdfkit's path API (no images, so they stay sharp
 * when printed): OEE per shift over the last 7 days (bars, with A/P/Q as lines) and the top
 * losses in minutes (horizontal bars).
 */
import { localTime, minutes, pct } from './format.js';
import type { Loss, TrendPoint } from './types.js';

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const SERIES = [
  { pick: (t: TrendPoint) => t.availability, color: '#27ae60', label: 'A' },
  { pick: (t: TrendPoint) => t.performance, color: '#8e44ad', label: 'P' },
  { pick: (t: TrendPoint) => t.quality, color: '#d35400', label: 'Q' },
] as const;

export function trendChart(doc: PDFKit.PDFDocument, box: Box, trend: readonly TrendPoint[], timezone: string): void {
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#000').text('OEE per shift, last 7 days', box.x, box.y, {
    lineBreak: false,
  });
  const plot = { x: box.x + 24, y: box.y + 14, w: box.w - 28, h: box.h - 30 };
  doc.lineWidth(0.5).strokeColor('#bbbbbb');
  doc.font('Helvetica').fontSize(6).fillColor('#555');
  for (const v of [0, 0.5, 1]) {
    const y = plot.y + plot.h - v * plot.h;
    doc
      .moveTo(plot.x, y)
      .lineTo(plot.x + plot.w, y)
      .stroke();
    doc.text(`${v * 100}%`, box.x, y - 3, { lineBreak: false });
  }
  if (trend.length === 0) {
    doc.text('no shifts recorded', plot.x + 8, plot.y + plot.h / 2, { lineBreak: false });
    return;
  }
  const step = plot.w / trend.length;
  const yOf = (v: number): number => plot.y + plot.h - Math.min(Math.max(v, 0), 1.1) * plot.h;
  trend.forEach((t, i) => {
    const top = yOf(t.oee);
    doc.rect(plot.x + i * step + step * 0.15, top, step * 0.7, plot.y + plot.h - top).fill('#2e86c1');
  });
  for (const s of SERIES) {
    doc.lineWidth(1).strokeColor(s.color);
    trend.forEach((t, i) => {
      const x = plot.x + (i + 0.5) * step;
      if (i === 0) doc.moveTo(x, yOf(s.pick(t)));
      else doc.lineTo(x, yOf(s.pick(t)));
    });
    doc.stroke();
    // Dots too, so a single shift (no line to draw) still shows its A, P and Q.
    trend.forEach((t, i) => {
      doc.circle(plot.x + (i + 0.5) * step, yOf(s.pick(t)), 1.6).fill(s.color);
    });
  }
  // Label the first and last shift (dates in the plant's zone), and the legend.
  doc.fillColor('#555').fontSize(6);
  const first = trend[0] as TrendPoint;
  const last = trend[trend.length - 1] as TrendPoint;
  doc.text(localTime(first.start, timezone).slice(5, 16), plot.x, plot.y + plot.h + 2, { lineBreak: false });
  doc.text(localTime(last.start, timezone).slice(5, 16), plot.x + plot.w - 40, plot.y + plot.h + 2, {
    lineBreak: false,
  });
  let lx = plot.x + 60;
  doc.fillColor('#2e86c1').text(`OEE (last ${pct(last.oee)})`, lx, plot.y + plot.h + 2, { lineBreak: false });
  lx += 62;
  for (const s of SERIES) {
    doc.fillColor(s.color).text(s.label, lx, plot.y + plot.h + 2, { lineBreak: false });
    lx += 10;
  }
}

export function lossChart(doc: PDFKit.PDFDocument, box: Box, losses: readonly Loss[]): void {
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#000').text('Top 5 losses (minutes)', box.x, box.y, {
    lineBreak: false,
  });
  doc.font('Helvetica').fontSize(6.5);
  if (losses.length === 0) {
    doc.fillColor('#555').text('no losses recorded', box.x, box.y + 20, { lineBreak: false });
    return;
  }
  const max = Math.max(...losses.map((l) => l.ms));
  const rowH = (box.h - 14) / 5;
  const barX = box.x;
  const barW = box.w - 30;
  losses.forEach((l, i) => {
    const y = box.y + 14 + i * rowH;
    doc.fillColor('#000').text(l.label, barX, y, { width: box.w, height: 8, lineBreak: false, ellipsis: true });
    const w = max > 0 ? (l.ms / max) * barW : 0;
    doc.rect(barX, y + 8, Math.max(w, 0.5), rowH - 11).fill(l.kind === 'down' ? '#c0392b' : '#e67e22');
    doc.fillColor('#000').text(minutes(l.ms), barX + w + 3, y + 8, { lineBreak: false });
  });
}
