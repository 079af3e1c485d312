/**
 * The webhook's JSON bodies, built from the report model when the report is made (pure: the same
 * model gives the same body). "lineside" is the report itself: its figures are the model's, which
 * are `/api/oee`'s for the same shift; "text" is `{text}` for chat webhooks (Slack, Mattermost,
 * Rocket.Chat), the email's subject and plain-text key figures. docs/reports.md#delivery-by-webhook
 */
import { reportFileNames } from '../files.js';
import { keyFigureText, reportSubject } from '../email/message.js';
import type { ReportModel } from '../types.js';

export interface LinesidePayload {
  readonly type: 'lineside.report';
  readonly version: 1;
  readonly id: string;
  readonly line: string;
  readonly lineName: string;
  readonly period: { readonly kind: string; readonly shift?: string; readonly start: string; readonly end: string };
  readonly final: boolean;
  readonly generatedAt: string;
  readonly timezone: string;
  readonly figures: {
    readonly oee: number;
    readonly availability: number;
    readonly performance: number;
    readonly quality: number;
    readonly good: number;
    readonly reject: number;
    readonly total: number;
    readonly target?: number;
    readonly behindBy?: number;
    readonly plannedMs: number;
    readonly runMs: number;
    readonly downMs: number;
  };
  readonly topLosses: readonly { readonly label: string; readonly minutes: number }[];
  readonly files: readonly { readonly name: string; readonly url: string }[];
}

export interface TextPayload {
  readonly text: string;
}

/** The PDF inside a "lineside" body (attachPdf), added when sending. */
export interface PdfAttachment {
  readonly name: 'report.pdf';
  readonly contentType: 'application/pdf';
  readonly base64: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The report as JSON. File links are `/api/reports/<id>/<file>` on the agent's dashboard,
 * absolute when `baseUrl` says how the receiver reaches it.
 */
export function linesidePayload(id: string, model: ReportModel, baseUrl?: string): LinesidePayload {
  const f = model.figures;
  const { target, behindBy } = model.output;
  const base = (baseUrl ?? '').replace(/\/+$/, '');
  return {
    type: 'lineside.report',
    version: 1,
    id,
    line: model.line,
    lineName: model.lineName,
    period: {
      kind: model.period.kind,
      ...(model.period.shift !== undefined ? { shift: model.period.shift } : {}),
      start: iso(model.period.start),
      end: iso(model.period.end),
    },
    final: model.final,
    generatedAt: iso(model.generatedAt),
    timezone: model.timezone,
    figures: {
      oee: f.oee,
      availability: f.availability,
      performance: f.performance,
      quality: f.quality,
      good: f.counts.good,
      reject: f.counts.reject,
      total: f.counts.total,
      ...(target !== undefined ? { target } : {}),
      ...(behindBy !== undefined ? { behindBy } : {}),
      plannedMs: f.plannedTimeMs,
      runMs: f.runTimeMs,
      downMs: f.downtimeMs,
    },
    // Tenths of a minute, as the report page prints them.
    topLosses: model.topLosses.map((l) => ({ label: l.label, minutes: Math.round(l.ms / 6_000) / 10 })),
    files: reportFileNames(model.period.kind).map((name) => ({ name, url: `${base}/api/reports/${id}/${name}` })),
  };
}

/** `{text}`: the subject line, then the email's plain-text key figures and top losses. */
export function textPayload(model: ReportModel): TextPayload {
  return { text: `${reportSubject(model, '')}\n${keyFigureText(model)}` };
}

export function pdfAttachment(pdf: Buffer): PdfAttachment {
  return { name: 'report.pdf', contentType: 'application/pdf', base64: pdf.toString('base64') };
}
