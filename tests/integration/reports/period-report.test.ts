/**
 * Day and week reports on the real core, history, report service and routes, in virtual time:
 * the daily schedule makes Monday's report by itself on Tuesday morning once the night shift has
 * ended, a week is made on demand, and a seeded week is made by the weekly schedule, which waits
 * for the week's last shift. Every figure equals what /api/history/period answers for the period
 * (and each shift's what /api/oee answers for it).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OeeEvent, OeeFigures } from '../../../src/core/events.js';
import { hms, pct } from '../../../src/reports/format.js';
import { SCHEDULE_GRACE_MS } from '../../../src/reports/service.js';
import { seedShifts } from '../../e2e/history-seed.js';
import { OPERATOR_TOKEN } from '../server/support/harness.js';
import { csvFigures, startReportRig } from './support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AUTH = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
const HOUR = 3_600_000;
const MONDAY = '2025-11-24T00:00:00+01:00';

interface PeriodAnswer {
  shifts: { shift: string; start: number; end: number; final: boolean }[];
  figures: OeeFigures;
}

describe('day and week reports', () => {
  it("the daily schedule makes yesterday's report once the night shift has ended; a week on demand", async () => {
    const rig = await startReportRig(cleanups, { reports: { daily: { enabled: true, at: '06:30' } } });
    const { app, line, root } = rig;
    // Monday 13:00 Berlin to Tuesday 06:45: the rest of the early shift, the late and the night
    // shift. The press stops for ten minutes in the late shift.
    line.run(3 * 3600);
    line.faults.press = 17;
    line.run(600);
    line.faults.press = 0;
    for (let h = 0; h < 14; h++) {
      line.run(3600);
      // Let the schedule's checks run between the simulated hours, as they would in real time.
      await new Promise((resolve) => setImmediate(resolve));
    }
    line.run(45 * 60);

    const id = 'line1.20251123T230000Z+day';
    await vi.waitFor(
      async () => {
        const list = (await app.inject('/api/reports?line=line1')).json() as { reports: { id: string }[] };
        expect(list.reports.map((r) => r.id)).toContain(id);
      },
      { timeout: 20_000 },
    );
    const period = (
      await app.inject(
        `/api/history/period?line=line1&from=${encodeURIComponent(MONDAY)}&to=2025-11-25T00:00:00%2B01:00`,
      )
    ).json() as PeriodAnswer;
    expect(period.shifts.map((s) => [s.shift, s.final])).toEqual([
      ['early', true],
      ['late', true],
      ['night', true],
    ]);
    const folder = path.join(root, 'line1', '20251123T230000Z+day');
    expect(readdirSync(folder)).toContain('shifts.csv');
    const oee = readFileSync(path.join(folder, 'oee.csv'), 'utf8').split('\r\n');
    expect(oee[1]).toBe(`(line),${csvFigures(period.figures)}`);
    // Each shift's row is the very record /api/oee answers for that shift.
    const shifts = readFileSync(path.join(folder, 'shifts.csv'), 'utf8').trim().split('\r\n').slice(1);
    for (const s of period.shifts) {
      const api = (await app.inject(`/api/oee?line=line1&start=${s.start}`)).json() as { figures: OeeFigures };
      expect(shifts).toContain(
        `${s.shift},${new Date(s.start).toISOString()},${new Date(s.end).toISOString()},true,(line),${csvFigures(api.figures)}`,
      );
    }
    const f = period.figures;
    const printed = [pct(f.oee), pct(f.availability), pct(f.performance), pct(f.quality), hms(f.downtimeMs)];
    const html = readFileSync(path.join(folder, 'report.html'), 'utf8');
    for (const s of printed) expect(html).toContain(s);
    const text = execFileSync('pdftotext', ['-layout', path.join(folder, 'report.pdf'), '-'], { encoding: 'utf8' });
    for (const s of printed) expect(text).toContain(s);
    expect(text).toContain('day 2025-11-24 (Mon): the shifts that started on it (Europe/Berlin)');
    expect(text).not.toContain('figures so far');

    // The week of Monday 24 November, on demand, while Tuesday's early shift runs.
    const made = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: AUTH,
      payload: JSON.stringify({ line: 'line1', period: 'week', date: '2025-11-26' }),
    });
    expect(made.statusCode).toBe(201);
    const week = made.json() as { id: string; period: string; final: boolean; files: string[] };
    expect(week).toMatchObject({ id: 'line1.20251123T230000Z+week', period: 'week', final: false });
    expect(week.files).toContain('/api/reports/line1.20251123T230000Z+week/shifts.csv');
    const weekApi = (
      await app.inject(
        `/api/history/period?line=line1&from=${encodeURIComponent(MONDAY)}&to=2025-12-01T00:00:00%2B01:00`,
      )
    ).json() as PeriodAnswer;
    const weekOee = (await app.inject(`/api/reports/${week.id}/oee.csv`)).body.split('\r\n');
    expect(weekOee[1]).toBe(`(line),${csvFigures(weekApi.figures)}`);
    const weekPdf = (await app.inject(`/api/reports/${week.id}/report.pdf`)).rawPayload;
    expect(weekPdf.subarray(0, 5).toString()).toBe('%PDF-');

    const listed = (await app.inject('/api/reports?line=line1')).json() as {
      reports: { id: string; period: string; shift?: string; final?: boolean }[];
    };
    expect(listed.reports.find((r) => r.id === id)).toMatchObject({ period: 'day', final: true });
    expect(listed.reports.find((r) => r.id === week.id)).toMatchObject({ period: 'week', final: false });
    expect(listed.reports.find((r) => r.period === 'shift')).toMatchObject({ shift: expect.any(String) });
    expect((await app.inject('/api/reports?line=nope')).statusCode).toBe(404);
  });

  it('says what is wrong with a day or week that cannot be made', async () => {
    const { app } = await startReportRig(cleanups);
    const post = (body: object) =>
      app.inject({ method: 'POST', url: '/api/reports', headers: AUTH, payload: JSON.stringify(body) });
    const mixed = await post({ line: 'line1', period: 'day', shift: 'early' });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.body).toContain('a day or week is picked with date');
    expect((await post({ line: 'line1', period: 'week', date: '2025-13-01' })).statusCode).toBe(400);
    expect((await post({ line: 'line1', date: '2025-11-24' })).statusCode).toBe(400);
    const empty = await post({ line: 'line1', period: 'day', date: '2025-11-10' });
    expect(empty.statusCode).toBe(404);
    expect(empty.json()).toMatchObject({
      error: {
        code: 'NOT_FOUND',
        message: expect.stringContaining('no shift of line "line1" that started in the day of 2025-11-10'),
      },
    });
  });
});

describe('the weekly schedule', () => {
  /** Monday 24 November 06:06 Berlin: the week's last shift (Sunday night) ended at 06:00. */
  const AT = Date.UTC(2025, 10, 24, 5, 6, 0);
  const NIGHT = Date.UTC(2025, 10, 23, 21, 0, 0);

  async function seededWeek() {
    const rig = await startReportRig(cleanups, {
      startAt: AT,
      reports: { weekly: { enabled: true, day: 'mon', at: '06:05' } },
    });
    // Sunday 16 November 22:00 (the week before's) to Sunday 23 November 14:00: the week has 20
    // shifts in the history; its Sunday night shift is still being written.
    seedShifts(rig, NIGHT, 7);
    const like = rig.history.oeeShifts('line1', NIGHT - 8 * HOUR, NIGHT)[0];
    if (like === undefined) throw new Error('seed missing');
    const night = (final: boolean): void => {
      const window = { kind: 'shift' as const, shift: 'night', start: NIGHT, end: NIGHT + 8 * HOUR };
      const base = { type: 'oee', line: 'line1', seq: final ? 2 : 1, ts: rig.clock.wallMs(), window, final } as const;
      for (const s of rig.history.oeeStations('line1', like.windowStart))
        rig.history.record({
          ...base,
          id: `n-${s.station}-${final}`,
          station: s.station as string,
          figures: s.figures,
        });
      rig.history.record({ ...base, id: `n-line-${final}`, figures: like.figures } satisfies OeeEvent);
      rig.history.flush();
    };
    night(false);
    return { ...rig, night };
  }

  it("waits for the week's last shift to end, then makes the week's report once", async () => {
    const { reports, app, night } = await seededWeek();
    await reports.checkSchedule();
    expect(reports.health().generated).toBe(0);
    night(true);
    await reports.checkSchedule();
    expect(reports.health()).toMatchObject({ generated: 1, failures: 0 });
    await reports.checkSchedule();
    expect(reports.health().generated).toBe(1);

    const list = (await app.inject('/api/reports')).json() as { reports: { id: string; final: boolean }[] };
    expect(list.reports).toEqual([expect.objectContaining({ id: 'line1.20251116T230000Z+week', final: true })]);
    const api = (
      await app.inject('/api/history/period?line=line1&from=2025-11-17T00:00:00%2B01:00&to=2025-11-24T00:00:00%2B01:00')
    ).json() as PeriodAnswer;
    expect(api.shifts).toHaveLength(21);
    const oee = (await app.inject('/api/reports/line1.20251116T230000Z+week/oee.csv')).body.split('\r\n');
    expect(oee[1]).toBe(`(line),${csvFigures(api.figures)}`);
    const shifts = (await app.inject('/api/reports/line1.20251116T230000Z+week/shifts.csv')).body.trim().split('\r\n');
    // The line and three stations per shift.
    expect(shifts).toHaveLength(1 + 21 * 4);
  });

  it('makes the report anyway when the last shift has not ended 15 minutes after it should have', async () => {
    const { reports, clock, app } = await seededWeek();
    await reports.checkSchedule();
    expect(reports.health().generated).toBe(0);
    clock.advance(SCHEDULE_GRACE_MS);
    await reports.checkSchedule();
    expect(reports.health().generated).toBe(1);
    const html = (await app.inject('/api/reports/line1.20251116T230000Z+week/report.html')).body;
    expect(html).toContain('a shift has not ended: figures so far');
    expect(html).toContain('night (running)');
  });

  it('a week older than the detailed history is still made from the shift records the Pi keeps', async () => {
    // Three weeks later: storage.historyRetention (7 days) has dropped the per-minute detail of the
    // week of 17 November; storage.shiftHistoryRetention (90 days) keeps its shift records.
    const { app, history } = await startReportRig(cleanups, { startAt: AT + 21 * 24 * HOUR });
    seedShifts({ history }, Date.UTC(2025, 10, 24, 5, 0, 0), 7);
    history.prune();
    const made = await app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: AUTH,
      payload: JSON.stringify({ line: 'line1', period: 'week', date: '2025-11-20' }),
    });
    expect(made.statusCode).toBe(201);
    const id = (made.json() as { id: string }).id;
    const shifts = (await app.inject(`/api/reports/${id}/shifts.csv`)).body.trim().split('\r\n');
    expect(shifts).toHaveLength(1 + 21 * 4);
    // No hour of it is shown as an hour without parts: the hours are left out.
    expect((await app.inject(`/api/reports/${id}/cycles.csv`)).body.trim().split('\r\n')).toHaveLength(1);
    const trend = (
      await app.inject('/api/history/shifts?line=line1&from=2025-11-17T00:00:00%2B01:00&to=2025-11-24T00:00:00%2B01:00')
    ).json() as { shifts: unknown[] };
    expect(trend.shifts).toHaveLength(21);
  });
});
