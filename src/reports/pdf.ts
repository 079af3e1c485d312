/**
 * The report as a one-page PDF (A4 portrait), made with pdfkit: no browser, which a Pi does not
 * have. Same sections and strings as the HTML page (format.ts); long lists are cut to what fits
 * on the page, with a line saying how many more rows the CSV files hold. Pure apart from
 * pdfkit's own buffering: model in, bytes out.
 */
import PDFDocument from 'pdfkit';
import { hms, localTime, pct, periodTitle } from './format.js';
import { lossChart, trendChart } from './pdf-charts.js';
import type { ReportModel } from './types.js';

const PAGE = { w: 595.28, h: 841.89, margin: 32 };
const ROW_H = 9.5;
const FONT = 7;

/** Draws table rows from y, as many as fit above `bottom`; returns the y after the table. */
function table(
  doc: PDFKit.PDFDocument,
  y: number,
  title: string,
  cols: readonly { readonly head: string; readonly w: number }[],
  rows: readonly (readonly (string | number)[])[],
  bottom: number,
  empty: string,
): number {
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
      const w = cols[i]?.w ?? 60;
      doc.text(String(v), x, y, { width: w - 3, height: ROW_H, lineBreak: false, ellipsis: true });
      x += w;
    });
    y += ROW_H;
  };
  cells(
    cols.map((c) => c.head),
    true,
  );
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
  const f = m.figures;
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
      `${periodTitle(m.period, m.timezone)}; generated ${t(m.generatedAt)}${m.final ? '' : '; shift not ended: figures so far'}`,
      x0,
      y,
      { lineBreak: false },
    );
  y += 16;

  // 2. Headline figures.
  const kpis: [string, string][] = [
    ['OEE', pct(f.oee)],
    ['Availability', pct(f.availability)],
    ['Performance', pct(f.performance)],
    ['Quality', pct(f.quality)],
    ['Good / target', m.output.target !== undefined ? `${m.output.good} / ${m.output.target}` : `${m.output.good}`],
  ];
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
  y = table(
    doc,
    y,
    'Output',
    [
      { head: 'good', w: 55 },
      { head: 'reject', w: 55 },
      { head: 'total', w: 55 },
      { head: 'target', w: 60 },
      { head: 'behind by', w: 60 },
      { head: 'run time', w: 70 },
      { head: 'planned time', w: 70 },
      { head: 'downtime', w: 70 },
    ],
    [
      [
        f.counts.good,
        f.counts.reject,
        f.counts.total,
        m.output.target ?? '-',
        m.output.behindBy ?? '-',
        hms(f.runTimeMs),
        hms(f.plannedTimeMs),
        hms(f.downtimeMs),
      ],
    ],
    PAGE.h,
    '',
  );

  // 4. The charts, side by side.
  const chartH = 130;
  trendChart(doc, { x: x0, y, w: width / 2 - 10, h: chartH }, m.trend, m.timezone);
  lossChart(doc, { x: x0 + width / 2 + 10, y, w: width / 2 - 10, h: chartH }, m.topLosses);
  y += chartH + 10;

  // 5..9. The lists; each may use the room down to what the sections after it need at least.
  const bottom = PAGE.h - PAGE.margin - 12;
  const reserve = (sectionsAfter: number): number => bottom - sectionsAfter * 34;
  y = table(
    doc,
    y,
    'OEE per station',
    [
      { head: 'station', w: 110 },
      { head: 'OEE', w: 50 },
      { head: 'availability', w: 55 },
      { head: 'performance', w: 55 },
      { head: 'quality', w: 50 },
      { head: 'good', w: 50 },
      { head: 'total', w: 50 },
      { head: 'downtime', w: 60 },
    ],
    m.stations.map((s) => [
      s.name,
      pct(s.figures.oee),
      pct(s.figures.availability),
      pct(s.figures.performance),
      pct(s.figures.quality),
      s.figures.counts.good,
      s.figures.counts.total,
      hms(s.figures.downtimeMs),
    ]),
    reserve(4) - 60,
    'no station figures',
  );
  y = table(
    doc,
    y,
    'Downtimes',
    [
      { head: 'station', w: 70 },
      { head: 'start', w: 85 },
      { head: 'end', w: 85 },
      { head: 'duration', w: 50 },
      { head: 'reason', w: 120 },
      { head: 'assigned by', w: 110 },
    ],
    m.downtime.map((d) => [
      d.station,
      t(d.start),
      d.end !== undefined ? t(d.end) : 'open',
      d.durationMs !== undefined ? hms(d.durationMs) : '-',
      d.reasonLabel,
      d.assignedBy !== undefined ? `${d.assignedBy}${d.assignedRole !== undefined ? ` (${d.assignedRole})` : ''}` : '-',
    ]),
    reserve(3),
    'no downtime in this period',
  );
  y = table(
    doc,
    y,
    'Open or unassigned downtimes',
    [
      { head: 'station', w: 70 },
      { head: 'start', w: 85 },
      { head: 'state', w: 50 },
      { head: 'reason', w: 120 },
    ],
    m.openOrUnassigned.map((d) => [d.station, t(d.start), d.open ? 'open' : 'ended', d.reasonLabel]),
    reserve(2),
    'none: every downtime has a reason and has ended',
  );
  y = table(
    doc,
    y,
    'Alerts',
    [
      { head: 'station', w: 70 },
      { head: 'kind', w: 90 },
      { head: 'severity', w: 50 },
      { head: 'raised', w: 85 },
      { head: 'last event', w: 85 },
      { head: 'how it ended', w: 150 },
    ],
    m.alerts.map((a) => [
      a.station,
      a.kind,
      a.severity,
      t(a.raisedAt),
      t(a.lastAt),
      a.acknowledgedBy !== undefined ? `${a.status} (ack. ${a.acknowledgedBy})` : a.status,
    ]),
    reserve(1),
    'no alerts in this period',
  );
  table(
    doc,
    y,
    'Orders',
    [
      { head: 'order', w: 90 },
      { head: 'product', w: 90 },
      { head: 'quantity', w: 55 },
      { head: 'good', w: 55 },
      { head: 'reject', w: 55 },
      { head: 'status', w: 70 },
    ],
    m.orders.map((o) => [o.id, o.product ?? '-', o.quantity, o.good, o.reject, o.status]),
    bottom,
    'no orders ran in this period',
  );
  doc
    .font('Helvetica')
    .fontSize(6)
    .fillColor('#777')
    .text(
      'Lineside end-of-shift report; figures as /api/oee answers for this shift. CSV files hold every row.',
      x0,
      bottom + 4,
      {
        lineBreak: false,
      },
    );
  doc.end();
  return done;
}
