/**
 * The report as a one-page PDF (A4 portrait), made with pdfkit: no browser, which a Pi does not
 * have. Same sections and strings as the HTML page (format.ts); long lists are cut to what fits
 * on the page, with a line saying how many more rows the CSV files hold. Pure apart from
 * pdfkit's own buffering: model in, bytes out.
 */
import PDFDocument from 'pdfkit';
import { localTime, periodTitle } from './format.js';
import { lossChart, trendChart } from './pdf-charts.js';
import { headline, notEndedNote, sectionsById, type Section, type SectionId } from './sections.js';
import type { ReportModel } from './types.js';

const PAGE = { w: 595.28, h: 841.89, margin: 32 };
const ROW_H = 9.5;
const FONT = 7;

/** Column widths (pt) of each table, in the order of its columns (sections.ts). */
const WIDTHS: Readonly<Record<SectionId, readonly number[]>> = {
  output: [55, 55, 55, 60, 60, 70, 70, 70],
  shifts: [60, 85, 45, 55, 55, 45, 50, 50, 60],
  stations: [110, 50, 55, 55, 50, 50, 50, 60],
  downtime: [70, 85, 85, 50, 120, 110],
  open: [70, 85, 50, 120],
  alerts: [70, 90, 50, 85, 85, 150],
  orders: [90, 90, 55, 55, 55, 70],
};

/** Draws table rows from y, as many as fit above `bottom`; returns the y after the table. */
function table(doc: PDFKit.PDFDocument, y: number, section: Section, bottom: number): number {
  const { title, columns, rows, empty } = section;
  const widths = WIDTHS[section.id];
  const x0 = PAGE.margin;
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#000').text(title, x0, y, { lineBreak: false });
  y += 12;
  if (rows.length === 0) {
    doc.font('Helvetica').fontSize(FONT).fillColor('#555').text(empty, x0, y, { lineBreak: false });
    return y + ROW_H + 4;
  }
  const cells = (values: readonly (string | number)[], bold: boolean): void => {
    let x = x0;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(FONT)
      .fillColor('#000');
    values.forEach((v, i) => {
      const w = widths[i] ?? 60;
      doc.text(String(v), x, y, { width: w - 3, height: ROW_H, lineBreak: false, ellipsis: true });
      x += w;
    });
    y += ROW_H;
  };
  cells(columns, true);
  doc
    .lineWidth(0.4)
    .strokeColor('#999')
    .moveTo(x0, y - 1)
    .lineTo(PAGE.w - PAGE.margin, y - 1)
    .stroke();
  const fit = Math.max(1, Math.floor((bottom - y) / ROW_H) - 1);
  const shown = rows.length <= fit + 1 ? rows : rows.slice(0, fit);
  for (const r of shown) cells(r, false);
  if (shown.length < rows.length) {
    doc
      .font('Helvetica-Oblique')
      .fontSize(FONT)
      .fillColor('#555')
      .text(`... and ${rows.length - shown.length} more (see the CSV files)`, x0, y, { lineBreak: false });
    y += ROW_H;
  }
  return y + 4;
}

export function renderPdf(m: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    // A fixed creation date keeps the same report byte-identical when made twice.
    info: {
      Title: `${m.lineName}: ${periodTitle(m.period, m.timezone)}`,
      Producer: 'Lineside',
      Creator: 'Lineside',
      CreationDate: new Date(m.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const t = (ms: number): string => localTime(ms, m.timezone);
  const x0 = PAGE.margin;
  const width = PAGE.w - 2 * PAGE.margin;
  let y = PAGE.margin;

  // 1. Title and period.
  doc
    .font('Helvetica-Bold')
    .fontSize(15)
    .fillColor('#000')
    .text(`${m.lineName} (${m.line})`, x0, y, { lineBreak: false });
  y += 19;
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#333')
    .text(
      `${periodTitle(m.period, m.timezone)}; generated ${t(m.generatedAt)}${m.final ? '' : `; ${notEndedNote(m)}`}`,
      x0,
      y,
      { lineBreak: false },
    );
  y += 16;

  // 2. Headline figures.
  const kpis = headline(m);
  const kw = width / kpis.length;
  kpis.forEach(([label, value], i) => {
    const x = x0 + i * kw;
    doc
      .roundedRect(x, y, kw - 6, 36, 3)
      .lineWidth(0.6)
      .strokeColor('#bbb')
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor('#555')
      .text(label, x + 6, y + 4, { lineBreak: false });
    doc
      .font('Helvetica-Bold')
      .fontSize(15)
      .fillColor('#000')
      .text(value, x + 6, y + 15, { lineBreak: false });
  });
  y += 44;

  // 3. Output vs target and the times behind the ratios.
  const { output, shifts, stations, downtime, open, alerts, orders } = sectionsById(m);
  y = table(doc, y, output, PAGE.h);
  // A day's or week's shifts (at most 21 for a week of three shifts; more are cut like any list).
  if (shifts !== undefined) y = table(doc, y, shifts, y + 12 + 23 * ROW_H);

  // 4. The charts, side by side.
  const chartH = 130;
  trendChart(doc, { x: x0, y, w: width / 2 - 10, h: chartH }, m.trend, m.timezone);
  lossChart(doc, { x: x0 + width / 2 + 10, y, w: width / 2 - 10, h: chartH }, m.topLosses);
  y += chartH + 10;

  // 5..9. The lists; each may use the room down to what the sections after it need at least.
  const bottom = PAGE.h - PAGE.margin - 12;
  const reserve = (sectionsAfter: number): number => bottom - sectionsAfter * 34;
  y = table(doc, y, stations, reserve(4) - 60);
  y = table(doc, y, downtime, reserve(3));
  y = table(doc, y, open, reserve(2));
  y = table(doc, y, alerts, reserve(1));
  table(doc, y, orders, bottom);
  doc
    .font('Helvetica')
    .fontSize(6)
    .fillColor('#777')
    .text(
      m.period.kind === 'shift'
        ? 'Lineside end-of-shift report; figures as /api/oee answers for this shift. CSV files hold every row.'
        : `Lineside ${m.period.kind} report; figures as /api/history/period sums this ${m.period.kind}'s shifts. CSV files hold every row.`,
      x0,
      bottom + 4,
      {
        lineBreak: false,
      },
    );
  doc.end();
  return done;
}
