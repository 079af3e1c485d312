import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cyclesCsv, downtimeCsv, oeeCsv } from '../../../src/reports/csv.js';
import { renderHtml } from '../../../src/reports/html.js';
import { buildReport } from '../../../src/reports/model.js';
import { renderPdf } from '../../../src/reports/pdf.js';
import { input } from './fixtures.js';

const model = buildReport(input());

describe('report renderers', () => {
  it('HTML is one page with no scripts or outside resources, and the figures', () => {
    const html = renderHtml(model);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    for (const s of [
      '68.4%',
      '80.0%',
      '90.0%',
      '95.0%',
      '950 / 1100',
      'Press: Material jam',
      'Ana (operator)',
      '2026-12-04 07:00:00',
    ])
      expect(html).toContain(s);
  });

  it('escapes what people typed', () => {
    const html = renderHtml(buildReport(input({ lineName: '<b>x</b>' })));
    expect(html).toContain('&#60;b&#62;x&#60;/b&#62;');
  });

  it('CSV files are RFC 4180 with ISO times and whole seconds', () => {
    expect(downtimeCsv(model).split('\r\n')[1]).toBe(
      'd1,press,2026-12-04T07:00:00.000Z,2026-12-04T07:25:00.000Z,1500,jam,Material jam,breakdown,Ana,operator,',
    );
    expect(cyclesCsv(model).split('\r\n')[1]).toBe(
      'pack,2026-12-04T06:00:00.000Z,2026-12-04T07:00:00.000Z,120,118,29876,20000,40000',
    );
    const oee = oeeCsv(model).split('\r\n');
    expect(oee[1]).toBe('(line),0.8,0.9,0.95,0.684,1000,950,50,21600,27000,2400,300,0,0,1100');
    expect(oee.map((r) => r.split(',')[0])).toEqual(['station', '(line)', 'press', 'pack', '']);
  });

  it('the PDF is one page whose text holds the figures', async () => {
    const pdf = await renderPdf(model);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'report-pdf-'));
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const s of ['Line 1 (line1)', '68.4%', '950 / 1100', 'Press: Material jam', 'Ana (operator)', 'Top 5 losses'])
      expect(text).toContain(s);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/);
  });
});
