import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sumFigures } from '../../../src/outputs/history/period.js';
import { oeeCsv, shiftsCsv } from '../../../src/reports/csv.js';
import { reportMessage } from '../../../src/reports/email/message.js';
import { pct } from '../../../src/reports/format.js';
import { renderHtml } from '../../../src/reports/html.js';
import { buildReport } from '../../../src/reports/model.js';
import { renderPdf } from '../../../src/reports/pdf.js';
import { reportSections } from '../../../src/reports/sections.js';
import { figures, HOUR, input, record, T0 } from './fixtures.js';

/** A week of three shifts a day: 21 line records with OEE 40.0% .. 60.0%, and the press's. */
function week() {
  const starts = Array.from({ length: 21 }, (_, i) => T0 + i * 8 * HOUR);
  const line = starts.map((s, i) =>
    record(undefined, figures({ oee: 0.4 + i / 100, counts: { total: 100 + i, good: 90 + i, reject: 10 } }), s),
  );
  const press = starts.map((s, i) => record('press', figures({ oee: 0.3 + i / 100 }), s));
  return buildReport(
    input({
      period: { kind: 'week', start: T0, end: T0 + 7 * 24 * HOUR },
      span: { start: T0, end: T0 + 7 * 24 * HOUR },
      lineOee: line,
      stationOee: press,
      trend: line,
    }),
  );
}

describe("a week's report", () => {
  const m = week();

  it('sums the week from its shifts and keeps each shift', () => {
    expect(m.figures).toEqual(sumFigures(m.shifts.map((s) => s.figures)));
    expect(m.figures.counts.good).toBe(21 * 90 + (20 * 21) / 2);
    expect(m.shifts).toHaveLength(21);
    expect(m.shifts[3]?.stations.map((s) => [s.station, s.figures.oee])).toEqual([['press', 0.3 + 3 / 100]]);
  });

  it('has a row per shift after the output; a shift report has no such table', () => {
    const sections = reportSections(m);
    expect(sections.map((s) => s.id)).toEqual(['output', 'shifts', 'stations', 'downtime', 'open', 'alerts', 'orders']);
    expect(sections[1]?.rows.map((r) => r[2])).toEqual(m.shifts.map((s) => pct(s.figures.oee)));
    expect(reportSections(buildReport(input())).map((s) => s.id)).not.toContain('shifts');
  });

  it('shifts.csv has the line and each station per shift; oee.csv the week', () => {
    const rows = shiftsCsv(m).trim().split('\r\n');
    expect(rows[0]).toBe(
      'shift,start,end,final,station,availability,performance,quality,oee,total,good,reject,run_s,planned_s,downtime_s,small_stop_s,starved_s,blocked_s,target',
    );
    expect(rows).toHaveLength(1 + 21 * 2);
    expect(rows[1]).toMatch(
      /^early,2026-12-04T06:00:00\.000Z,2026-12-04T14:00:00\.000Z,true,\(line\),0\.8,0\.9,0\.95,0\.4,100,90,/,
    );
    expect(rows[2]).toMatch(/,press,0\.8,0\.9,0\.95,0\.3,/);
    expect(oeeCsv(m).split('\r\n')[1]).toContain(`,${m.figures.oee},`);
  });

  it('prints every shift on the one PDF page and on the HTML page, with the week in the title', async () => {
    const html = renderHtml(m);
    expect(html).toContain('<h2>Shifts</h2>');
    expect(html).toContain('week 2026-12-04 (Fri) to 2026-12-11 (Fri)');
    const dir = mkdtempSync(path.join(tmpdir(), 'report-week-'));
    try {
      const file = path.join(dir, 'w.pdf');
      writeFileSync(file, await renderPdf(m));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const s of m.shifts) expect(text).toContain(pct(s.figures.oee));
      expect(text).toContain(pct(m.figures.oee));
      expect(text).toContain('figures as /api/history/period sums this week');
      expect(text).not.toMatch(/and \d+ more \(see the CSV files\)\s*\n\s*OEE per station/);
      expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is emailed with the week's title, its shift count and its summed OEE", () => {
    const { subject, text } = reportMessage(m, '[Lineside]');
    expect(subject).toBe(`[Lineside] line1 week 2026-12-04: OEE ${pct(m.figures.oee).replace('%', ' %')}`);
    expect(text).toMatch(/^Period: +week 2026-12-04 \(Fri\) to 2026-12-11 \(Fri\): the shifts that started in it/m);
    expect(text).toMatch(/^Shifts: +21$/m);
    expect(text).toMatch(new RegExp(`^OEE: +${pct(m.figures.oee).replace('.', '\\.')}$`, 'm'));
  });
});
