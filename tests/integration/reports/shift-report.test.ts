/**
 * End-of-shift reports on the real core, the real history (SQLite in a temp dir) and the real
 * Fastify routes, in virtual time: a simulated hour ends the early shift, the core's final line
 * OEE makes the report by itself, and the report's figures equal what /api/oee answers for that
 * shift — in the HTML, the CSV, and the PDF as pdftotext reads it; pdftoppm renders the page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OeeFigures } from '../../../src/core/events.js';
import { hms, pct } from '../../../src/reports/format.js';
import { OPERATOR_TOKEN, VIEW_TOKEN } from '../server/support/harness.js';
import { csvFigures, startReportRig } from './support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface OeeAnswer {
  window: { shift: string; start: number; end: number };
  final: boolean;
  figures: OeeFigures;
  stations: { station: string; figures: OeeFigures }[];
}

async function setup(viewToken?: string) {
  return startReportRig(cleanups, viewToken !== undefined ? { viewToken } : {});
}

const AUTH = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };

describe('end-of-shift reports', () => {
  it('are written when the shift ends, and their figures equal /api/oee for that shift', async () => {
    const { app, reports, root, line } = await setup();
    line.run(20 * 60);
    // The press stops for 5 minutes (fault 17: hydraulic); the operator says it was the die.
    line.faults.press = 17;
    line.run(5);
    const snapshot = (await app.inject('/api/snapshot')).json() as {
      stations: { id: string; openDowntime?: { id: string } }[];
    };
    const downtimeId = snapshot.stations.find((s) => s.id === 'press')?.openDowntime?.id as string;
    expect(downtimeId).toBeTruthy();
    const assigned = await app.inject({
      method: 'POST',
      url: `/api/downtime/${downtimeId}/reason`,
      headers: AUTH,
      payload: JSON.stringify({ reason: 'die-jam', by: 'Anna' }),
    });
    expect(assigned.statusCode).toBe(200);
    line.run(295);
    line.faults.press = 0;
    // Past 14:00 Berlin: the early shift ends, the late one begins.
    line.run(35 * 60 + 30);

    await vi.waitFor(() => expect(reports.health().generated).toBe(1), { timeout: 20_000 });
    expect(reports.health()).toMatchObject({ failures: 0, failing: false });

    const api = (await app.inject('/api/oee?line=line1&shift=early')).json() as OeeAnswer;
    expect(api.final).toBe(true);
    const f = api.figures;
    expect(f.counts.total).toBeGreaterThan(0);
    const id = `line1.${new Date(api.window.start)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
      .replace(/[-:]/g, '')}-early`;
    const folder = path.join(root, 'line1', id.slice('line1.'.length));
    expect(readdirSync(folder).sort()).toEqual([
      'cycles.csv',
      'downtime.csv',
      'meta.json',
      'oee.csv',
      'report.html',
      'report.pdf',
    ]);

    // CSV: the line's and each station's figures exactly as the API's, times to the second.
    const oeeRows = readFileSync(path.join(folder, 'oee.csv'), 'utf8').trim().split('\r\n');
    const row = (station: string, g: OeeFigures): string => `${station},${csvFigures(g)}`;
    // The report lists stations in flow order, the API by id: compare as sets.
    expect(oeeRows[1]).toBe(row('(line)', f));
    expect(oeeRows.slice(2).sort()).toEqual(api.stations.map((s) => row(s.station, s.figures)).sort());
    expect(oeeRows).toHaveLength(2 + api.stations.length);
    const downtimeCsv = readFileSync(path.join(folder, 'downtime.csv'), 'utf8');
    expect(downtimeCsv).toContain(`${downtimeId},press,`);
    expect(downtimeCsv).toMatch(/,die-jam,Die jam,breakdown,Anna,/);
    const cycles = readFileSync(path.join(folder, 'cycles.csv'), 'utf8').trim().split('\r\n').slice(1);
    const packParts = cycles.filter((r) => r.startsWith('pack,')).reduce((n, r) => n + Number(r.split(',')[3]), 0);
    // Buckets are [from, to) as on the dashboard: a part made at the instant the shift ends is the
    // shift's (docs/oee.md#figures) but in the next hour's bucket (docs/reports.md).
    expect(packParts).toBeGreaterThanOrEqual(f.counts.total - 1);
    expect(packParts).toBeLessThanOrEqual(f.counts.total);

    // The figures as the page prints them, each found in the HTML and in the PDF's text.
    const printed = [
      pct(f.oee),
      pct(f.availability),
      pct(f.performance),
      pct(f.quality),
      `${f.counts.good} / ${f.target}`,
      hms(f.runTimeMs),
      hms(f.plannedTimeMs),
      hms(f.downtimeMs),
      ...api.stations.map((s) => pct(s.figures.oee)),
      'Die jam',
      'Anna',
    ];
    const html = readFileSync(path.join(folder, 'report.html'), 'utf8');
    for (const s of printed) expect(html).toContain(s);
    const pdf = path.join(folder, 'report.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const s of printed) expect(text).toContain(s);
    expect(text).toContain('Press 400t: Die jam');
    expect(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/);

    // pdftoppm renders one page, and it is not blank.
    const png = path.join(folder, '..', 'page');
    execFileSync('pdftoppm', ['-png', '-r', '50', pdf, png]);
    const pages = readdirSync(path.dirname(png)).filter((n) => n.startsWith('page') && n.endsWith('.png'));
    expect(pages).toHaveLength(1);
    expect(statSync(path.join(path.dirname(png), pages[0] as string)).size).toBeGreaterThan(5_000);
    const gray = execFileSync('pdftoppm', ['-gray', '-r', '20', pdf]);
    const pixels = gray.subarray(gray.length - Math.round((595 * 20) / 72) * Math.round((842 * 20) / 72));
    const dark = pixels.filter((p) => p < 128).length;
    expect(dark).toBeGreaterThan(200);

    // Listed and downloadable over REST.
    const list = (await app.inject('/api/reports')).json() as {
      reports: {
        id: string;
        line: string;
        shift: string;
        start: string;
        end: string;
        files: { name: string; bytes: number }[];
      }[];
    };
    expect(list.reports).toHaveLength(1);
    expect(list.reports[0]).toMatchObject({
      id,
      line: 'line1',
      shift: 'early',
      start: new Date(api.window.start).toISOString(),
      end: new Date(api.window.end).toISOString(),
    });
    expect(list.reports[0]?.files.find((x) => x.name === 'report.pdf')?.bytes).toBe(statSync(pdf).size);
    const download = await app.inject(`/api/reports/${id}/report.pdf`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(readFileSync(pdf))).toBe(true);
    expect((await app.inject(`/api/reports/${id}/oee.csv`)).headers['content-type']).toBe('text/csv; charset=utf-8');
  });

  it('refuse paths outside the reports folder with a coded error', async () => {
    const { app, dir } = await setup();
    expect(existsSync(dir)).toBe(true);
    for (const url of [
      '/api/reports/..%2F..%2Fhistory.db/report.pdf',
      '/api/reports/line1.20251124T050000Z-early/..%2F..%2F..%2Fhistory.db',
      '/api/reports/line1.20251124T050000Z-early/meta.json',
      '/api/reports/..%2Fline1.20251124T050000Z-early/report.pdf',
    ]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'INVALID_REPORT_PATH' } });
    }
    expect((await app.inject('/api/reports/line1.20251124T050000Z-early/report.pdf')).json()).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
  });

  it('are made on demand by a supervisor, and refused without the permission', async () => {
    const { app, line } = await setup();
    line.run(10 * 60);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ line: 'line1', shift: 'early' }),
    });
    expect(refused.statusCode).toBe(401);
    // The running shift: its latest (not final) figures, as /api/oee?shift=early answers now.
    const made = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: AUTH,
      payload: JSON.stringify({ line: 'line1', shift: 'early' }),
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ line: 'line1', shift: 'early', final: false });
    const noShift = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: AUTH,
      payload: JSON.stringify({ line: 'line1', start: '2020-01-01T05:00:00Z' }),
    });
    expect(noShift.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const badLine = await app.inject({ method: 'POST', url: '/api/reports', headers: AUTH, payload: '{"line":"x"}' });
    expect(badLine.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('are read with the view token (viewer role); made only with the permission', async () => {
    const { app, line } = await setup(VIEW_TOKEN);
    line.run(60);
    const view = { authorization: `Bearer ${VIEW_TOKEN}` };
    expect((await app.inject('/api/reports')).json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await app.inject({ url: '/api/reports', headers: view })).json()).toEqual({ reports: [] });
    const made = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: AUTH,
      payload: JSON.stringify({ line: 'line1' }),
    });
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json() as { id: string };
    const html = await app.inject({ url: `/api/reports/${id}/report.html`, headers: view });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('<!DOCTYPE html>');
    expect(html.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    // The view token is no operator login: making a report needs makeReports.
    const refused = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { ...view, 'content-type': 'application/json' },
      payload: JSON.stringify({ line: 'line1' }),
    });
    expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });
});
