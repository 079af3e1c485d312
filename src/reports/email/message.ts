/**
 * The email that carries a line's report: subject, plain-text and HTML body with the key figures.
 * Pure: the same model gives the same text, and the figures are printed by format.ts exactly as
 * the report page prints them (so a test can find `/api/oee`'s OEE in the body).
 */
import { hms, localTime, minutes, pct, periodTitle } from '../format.js';
import { notEndedNote } from '../sections.js';
import type { ReportModel } from '../types.js';

export interface ReportMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** "[Lineside] line1 early 2026-03-02: OEE 72.4 %" (the date is the shift's start in plant time). */
export function reportSubject(model: ReportModel, prefix: string): string {
  const day = localTime(model.period.start, model.timezone).slice(0, 10);
  const what = model.period.kind === 'shift' ? (model.period.shift ?? 'shift') : model.period.kind;
  const oee = pct(model.figures.oee).replace('%', ' %');
  return `${prefix === '' ? '' : `${prefix} `}${model.line} ${what} ${day}: OEE ${oee}`;
}

/** The key figures as label/value rows, shared by the text and the HTML body. */
function rows(model: ReportModel): [string, string][] {
  const f = model.figures;
  const { good, target } = model.output;
  const [from, to] = [model.period.start, model.period.end].map((ms) => localTime(ms, model.timezone));
  const period: [string, string][] =
    model.period.kind === 'shift'
      ? [
          ['Shift', model.period.shift ?? 'shift'],
          ['Window', `${from} to ${to} (${model.timezone})`],
        ]
      : [
          ['Period', periodTitle(model.period, model.timezone)],
          ['Shifts', String(model.shifts.length)],
        ];
  const out: [string, string][] = [
    ['Line', `${model.lineName} (${model.line})`],
    ...period,
    ['OEE', pct(f.oee)],
    ['Availability', pct(f.availability)],
    ['Performance', pct(f.performance)],
    ['Quality', pct(f.quality)],
    ['Good / target', target !== undefined ? `${good} / ${target}` : `${good} (no target)`],
    ['Downtime', hms(f.downtimeMs)],
  ];
  if (!model.final) out.push(['Note', notEndedNote(model)]);
  return out;
}

function losses(model: ReportModel): string[] {
  return model.topLosses.slice(0, 3).map((l) => `${l.label}: ${minutes(l.ms)} min`);
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The plain-text key figures and top losses (the email's text body; the webhook's "text" format). */
export function keyFigureText(model: ReportModel): string {
  const r = rows(model);
  const top = losses(model);
  const width = Math.max(...r.map(([k]) => k.length)) + 2;
  return [
    ...r.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    '',
    'Top 3 losses:',
    ...(top.length > 0 ? top.map((l, i) => `  ${i + 1}. ${l}`) : ['  none']),
  ].join('\n');
}

export function reportMessage(model: ReportModel, subjectPrefix: string): ReportMessage {
  const r = rows(model);
  const top = losses(model);
  const text = `${keyFigureText(model)}\n\nThe full report is attached (report.pdf).\n`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${esc(model.lineName)}: ${esc(r[1]?.[1] ?? '')}</h2>`,
    '<table cellpadding="3">',
    ...r.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`),
    '</table>',
    '<h3>Top 3 losses</h3>',
    top.length > 0 ? `<ol>${top.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>` : '<p>none</p>',
    '<p>The full report is attached (report.pdf).</p>',
    '</body></html>',
  ].join('\n');
  return { subject: reportSubject(model, subjectPrefix), text, html };
}
