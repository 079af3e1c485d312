/**
 * The webhook's bodies and headers, pure: the "lineside" body carries the model's own figures and
 * links (absolute with baseUrl), the "text" body is the email's subject and key figures, and the
 * signature is the HMAC-SHA256 of the exact body, as a receiver recomputes it with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyFigureText, reportMessage } from '../../../../src/reports/email/message.js';
import { buildReport } from '../../../../src/reports/model.js';
import { isReservedHeader } from '../../../../src/config/schema-reports.js';
import { requestHeaders } from '../../../../src/reports/webhook/headers.js';
import { linesidePayload, pdfAttachment, textPayload } from '../../../../src/reports/webhook/payload.js';
import { END, input, T0 } from '../fixtures.js';

const ID = 'line1.20261204T060000Z-early';

describe('the "lineside" webhook body', () => {
  it("carries the model's figures, period and top losses, with relative file links without baseUrl", () => {
    const model = buildReport(input());
    const body = linesidePayload(ID, model);
    expect(body).toMatchObject({
      type: 'lineside.report',
      version: 1,
      id: ID,
      line: model.line,
      lineName: model.lineName,
      period: { kind: 'shift', start: new Date(T0).toISOString(), end: new Date(END).toISOString() },
      final: model.final,
      generatedAt: new Date(model.generatedAt).toISOString(),
      timezone: model.timezone,
    });
    const f = model.figures;
    expect(body.figures).toEqual({
      oee: f.oee,
      availability: f.availability,
      performance: f.performance,
      quality: f.quality,
      good: f.counts.good,
      reject: f.counts.reject,
      total: f.counts.total,
      ...(model.output.target !== undefined ? { target: model.output.target } : {}),
      ...(model.output.behindBy !== undefined ? { behindBy: model.output.behindBy } : {}),
      plannedMs: f.plannedTimeMs,
      runMs: f.runTimeMs,
      downMs: f.downtimeMs,
    });
    expect(body.period.shift).toBe(model.period.shift);
    expect(body.topLosses).toEqual(
      model.topLosses.map((l) => ({ label: l.label, minutes: Number((l.ms / 60_000).toFixed(1)) })),
    );
    expect(body.files.map((f) => f.url)).toContain(`/api/reports/${ID}/report.pdf`);
    expect(body.files.map((f) => f.name)).toEqual([
      'report.html',
      'report.pdf',
      'downtime.csv',
      'cycles.csv',
      'oee.csv',
    ]);
    // A JSON round trip loses nothing: what is stored in webhook.json is what is sent.
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it('links absolutely through baseUrl (a trailing slash is not doubled)', () => {
    const body = linesidePayload(ID, buildReport(input()), 'http://line1-pi:8080/');
    expect(body.files[0]?.url).toBe(`http://line1-pi:8080/api/reports/${ID}/report.html`);
  });

  it('puts the PDF in as base64 that decodes to the same bytes', () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
    const a = pdfAttachment(pdf);
    expect(a).toMatchObject({ name: 'report.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(a.base64, 'base64').equals(pdf)).toBe(true);
  });
});

describe('the "text" webhook body', () => {
  it("is the email's subject line, then its plain-text key figures, without the attachment note", () => {
    const model = buildReport(input());
    const { text } = textPayload(model);
    const mail = reportMessage(model, '');
    expect(text).toBe(`${mail.subject}\n${keyFigureText(model)}`);
    expect(mail.text.startsWith(keyFigureText(model))).toBe(true);
    expect(text).toMatch(/^line1 early 2026-12-04: OEE /);
    expect(text).toContain('Top 3 losses:');
    expect(text).not.toContain('attached');
  });
});

describe('webhook request headers', () => {
  const body = JSON.stringify(linesidePayload(ID, buildReport(input())));

  it('sign the exact body with HMAC-SHA256 of the secret, and name the report as the delivery', () => {
    const h = requestHeaders({ headers: {}, secret: 's3cret', token: 'tok' }, ID, body, 'lineside/9.9.9');
    const expected = createHmac('sha256', 's3cret').update(Buffer.from(body, 'utf8')).digest('hex');
    expect(h['x-lineside-signature']).toBe(`sha256=${expected}`);
    expect(h['x-lineside-delivery']).toBe(ID);
    expect(h.authorization).toBe('Bearer tok');
    expect(h['content-type']).toBe('application/json');
    expect(h['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(h['user-agent']).toBe('lineside/9.9.9');
    // One byte more and the signature no longer matches.
    const other = createHmac('sha256', 's3cret').update(`${body} `).digest('hex');
    expect(h['x-lineside-signature']).not.toBe(`sha256=${other}`);
  });

  it('leave out authorization and signature without token and secret, and keep the extra headers', () => {
    const h = requestHeaders({ headers: { 'X-Api-Key': 'k1' }, token: '', secret: '' }, ID, body, 'lineside/1');
    expect(h).not.toHaveProperty('authorization');
    expect(h).not.toHaveProperty('x-lineside-signature');
    expect(h['X-Api-Key']).toBe('k1');
  });

  it("never let an extra header replace one of Lineside's own", () => {
    const h = requestHeaders(
      { headers: { 'Content-Type': 'text/plain', 'X-Lineside-Delivery': 'x', Authorization: 'Basic x' } },
      ID,
      body,
      'lineside/1',
    );
    expect(Object.keys(h).filter((k) => k.toLowerCase() === 'content-type')).toEqual(['content-type']);
    expect(h).not.toHaveProperty('Authorization');
    expect(h['x-lineside-delivery']).toBe(ID);
    expect(['Content-Type', 'authorization', 'X-Lineside-Anything', 'content-length'].every(isReservedHeader)).toBe(
      true,
    );
    expect(isReservedHeader('X-Api-Key')).toBe(false);
  });
});
