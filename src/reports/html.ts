/**
 * The report as one self-contained HTML page: inline CSS, inline SVG for the trend, no scripts,
 * no fonts or files from elsewhere (the plant network may have no internet). Sections in the
 * order of docs/reports.md, the PDF's order too. Pure: model in, string out.
 */
import { localTime, minutes, pct, periodTitle } from './format.js';
import { headline, notEndedNote, reportSections, type Section } from './sections.js';
import type { ReportModel, TrendPoint } from './types.js';

function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function rows(cells: readonly (readonly (string | number)[])[]): string {
  return cells.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
}

function table(head: readonly string[], body: readonly (readonly (string | number)[])[], empty: string): string {
  if (body.length === 0) return `<p class="none">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows(body)}\n</tbody></table>`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:22px;margin:0}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #ccc}
.sub{color:#555}.kpis{display:flex;gap:12px;flex-wrap:wrap;margin-top:12px}
.kpi{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:110px}
.kpi b{display:block;font-size:24px}.kpi span{color:#555;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee}
th{background:#f4f4f4}.none{color:#777}.bar{background:#c0392b;height:12px;display:inline-block}
.warn{color:#b9770e;font-weight:bold}svg{border:1px solid #eee}
@media print{body{margin:0}}`;

function trendSvg(trend: readonly TrendPoint[]): string {
  if (trend.length === 0) return '<p class="none">No shifts in the last 7 days.</p>';
  const w = 700;
  const h = 160;
  const pad = 30;
  const max = Math.max(1, ...trend.map((t) => t.oee));
  const step = (w - 2 * pad) / trend.length;
  const bars = trend
    .map((t, i) => {
      const bh = (t.oee / max) * (h - 2 * pad);
      const x = pad + i * step + step * 0.15;
      return `<rect x="${x.toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${bh.toFixed(1)}" fill="#2e86c1"><title>${esc(pct(t.oee))}</title></rect>`;
    })
    .join('');
  const points = (pick: (t: TrendPoint) => number): [string, string][] =>
    trend.map((t, i) => [(pad + (i + 0.5) * step).toFixed(1), (h - pad - (pick(t) / max) * (h - 2 * pad)).toFixed(1)]);
  // Dots as well as the line, so a single shift still shows its A, P and Q.
  const line = (pick: (t: TrendPoint) => number, color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points(pick)
      .map(([x, y]) => `${x},${y}`)
      .join(' ')}"/>` +
    points(pick)
      .map(([x, y]) => `<circle cx="${x}" cy="${y}" r="2.5" fill="${color}"/>`)
      .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="OEE per shift, last 7 days">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/>${bars}${line((t) => t.availability, '#27ae60')}${line((t) => t.performance, '#8e44ad')}${line((t) => t.quality, '#d35400')}
<text x="${pad}" y="14" font-size="11">bars: OEE; lines: availability (green), performance (purple), quality (orange)</text></svg>`;
}

function sectionHtml(s: Section): string {
  return `<h2>${esc(s.title)}</h2>\n${table(s.columns, s.rows, s.empty)}`;
}

export function renderHtml(m: ReportModel): string {
  const t = (ms: number): string => localTime(ms, m.timezone);
  const maxLoss = Math.max(1, ...m.topLosses.map((l) => l.ms));
  const kpi = (label: string, value: string): string =>
    `<div class="kpi"><span>${esc(label)}</span><b>${esc(value)}</b></div>`;
  const [outputTable, ...rest] = reportSections(m);
  // A day's or week's shifts follow the output; the lists come after the charts.
  const perShift = rest.filter((s) => s.id === 'shifts');
  const lists = rest.filter((s) => s.id !== 'shifts');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(`${m.lineName}: ${periodTitle(m.period, m.timezone)}`)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(m.lineName)} (${esc(m.line)})</h1>
<div class="sub">${esc(periodTitle(m.period, m.timezone))}; generated ${esc(t(m.generatedAt))}${m.final ? '' : ` <span class="warn">(${esc(notEndedNote(m))})</span>`}</div>
<div class="kpis">${headline(m)
    .map(([label, value]) => kpi(label, value))
    .join('')}</div>
${sectionHtml(outputTable as Section)}
${perShift.map(sectionHtml).join('\n')}
<h2>OEE per shift, last 7 days</h2>
${trendSvg(m.trend)}
${table(
  ['shift', 'start', 'OEE', 'availability', 'performance', 'quality'],
  m.trend.map((p) => [p.shift ?? '-', t(p.start), pct(p.oee), pct(p.availability), pct(p.performance), pct(p.quality)]),
  'No shifts in the last 7 days.',
)}
<h2>Top 5 losses (minutes)</h2>
${table(
  ['loss', 'minutes'],
  m.topLosses.map((l) => [l.label, minutes(l.ms)]),
  'No losses recorded.',
)}
${m.topLosses.map((l) => `<div><span class="bar" style="width:${((l.ms / maxLoss) * 300).toFixed(0)}px"></span> ${esc(l.label)}</div>`).join('\n')}
${lists.map(sectionHtml).join('\n')}
</body></html>
`;
}
