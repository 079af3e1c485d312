/**
 * /api/history/shifts and /api/history/period on the real core and the real history store
 * (SQLite in a temp dir), over simulated shifts in virtual time: a shift's period figures equal
 * /api/oee for it; two shifts sum their times and counts, which is not the mean of their OEEs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createCore } from '../../../src/core/core.js';
import type { OeeFigures } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { PeriodFigures } from '../../../src/outputs/history/period.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import type { HistoryStore } from '../../../src/outputs/history/types.js';
import { commandsPortOf, livePortOf } from '../../../src/server/adapt-core.js';
import { buildApp } from '../../../src/server/app.js';
import type { HistoryPeriodView, HistoryShiftView } from '../../../src/server/history-view.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { configYaml, createHarness, FakeHealth, ManualClock, testConfig, VIEW_TOKEN } from './support/harness.js';
import { CountingPlc } from './support/counting-plc.js';

interface OeeAnswer {
  figures: OeeFigures;
  window: { start: number; end: number; shift?: string };
  final: boolean;
  stations: { station: string; figures: OeeFigures }[];
}

// Monday 2025-11-24, Berlin (UTC+1): early 06:00–14:00 is 05:00–13:00 UTC; the late shift is
// made one hour long (14:00–15:00) so the simulation stays quick.
const EARLY_END = Date.UTC(2025, 10, 24, 13, 0, 0);
const LATE_END = Date.UTC(2025, 10, 24, 14, 0, 0);

function shortLateConfig(): Readonly<LinesideConfig> {
  const yaml = configYaml({})
    .replace('{ name: late, start: "14:00", end: "22:00" }', '{ name: late, start: "14:00", end: "15:00" }')
    .replace('{ name: night, start: "22:00", end: "06:00" }', '{ name: night, start: "15:00", end: "06:00" }');
  const result = loadConfigText(yaml, { env: {} });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}

let app: FastifyInstance;
let history: HistoryStore;
let dir: string;
let shifts: HistoryShiftView[];

async function get<T>(url: string): Promise<T> {
  const res = await app.inject(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

beforeAll(async () => {
  // The agent starts at 13:40 Berlin: 20 minutes of the early shift, mostly down.
  const clock = new ManualClock(EARLY_END - 20 * 60_000);
  const config = shortLateConfig();
  dir = mkdtempSync(path.join(tmpdir(), 'lineside-history-routes-'));
  history = openHistoryStore({
    dir,
    retentionMs: config.storage.historyRetention,
    shiftRetentionMs: config.storage.shiftHistoryRetention,
    clock,
    logger: silentLogger,
  });
  const core = createCore(config, { clock });
  core.on((e) => history.record(e));
  app = await buildApp({
    config,
    logger: silentLogger,
    clock,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    health: new FakeHealth(),
  });
  await app.ready();

  const plc = new CountingPlc(core, clock, { counts: { press: 100, weld: 200, pack: 300 }, stepS: 4 });
  plc.run(4 * 60);
  plc.faults.press = 17;
  plc.faults.pack = 17;
  plc.run(14 * 60);
  plc.faults.press = 0;
  plc.faults.pack = 0;
  plc.run(2 * 60 + 10); // past 14:00 Berlin: the early shift's final record
  // The late shift: an hour running but for one 5-minute hydraulic stop of the press.
  plc.run(20 * 60);
  plc.faults.press = 17;
  plc.run(5 * 60);
  plc.faults.press = 0;
  plc.run((LATE_END - clock.wallMs()) / 1000 + 12);
  shifts = (
    await get<{ shifts: HistoryShiftView[] }>(`/api/history/shifts?from=${EARLY_END - 9 * 3_600_000}&to=${LATE_END}`)
  ).shifts;
}, 60_000);

afterAll(async () => {
  await app?.close();
  history?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/history/shifts', () => {
  it('lists each recorded shift with exactly the stored figures /api/oee?start= answers', async () => {
    expect(shifts.map((s) => [s.shift, s.final])).toEqual([
      ['early', true],
      ['late', true],
    ]);
    for (const shift of shifts) {
      const oee = await get<OeeAnswer>(`/api/oee?start=${shift.start}`);
      expect(shift.figures).toEqual(oee.figures);
      expect(shift.end).toBe(oee.window.end);
      expect(shift.stations).toEqual(oee.stations.map((s) => ({ station: s.station, figures: s.figures })));
    }
    // The press's figures carry MTBF/MTTR (it was down), the late shift a target.
    expect(shifts[1]?.stations.find((s) => s.station === 'press')?.figures.mttrMs).toBeGreaterThan(0);
  });

  it('defaults to the last 14 days bounded by the retention, and includes the running shift', async () => {
    const all = await get<{ from: number; to: number; shifts: HistoryShiftView[] }>('/api/history/shifts');
    // Shift records are kept 90 days by default (storage.shiftHistoryRetention), the per-minute
    // detail 7: the trend's range reaches back 14 days.
    expect(all.to - all.from).toBe(14 * 24 * 3_600_000);
    expect(all.shifts.map((s) => [s.shift, s.final])).toEqual([
      ['early', true],
      ['late', true],
      ['night', false],
    ]);
  });
});

describe('GET /api/history/period', () => {
  it('gives one shift the figures /api/oee gives it, to the part and the second', async () => {
    for (const shift of shifts) {
      const oee = await get<OeeAnswer>(`/api/oee?start=${shift.start}`);
      const period = await get<HistoryPeriodView>(`/api/history/period?from=${shift.start}&to=${shift.end}`);
      expect(period.shifts).toEqual([{ shift: shift.shift, start: shift.start, end: shift.end, final: true }]);
      const f = period.figures;
      expect([f.availability, f.performance, f.quality, f.oee]).toEqual([
        oee.figures.availability,
        oee.figures.performance,
        oee.figures.quality,
        oee.figures.oee,
      ]);
      expect(f.counts).toEqual(oee.figures.counts);
      expect([f.runTimeMs, f.plannedTimeMs, f.downtimeMs]).toEqual([
        oee.figures.runTimeMs,
        oee.figures.plannedTimeMs,
        oee.figures.downtimeMs,
      ]);
      for (const st of oee.stations) {
        const mine = period.stations.find((s) => s.station === st.station)?.figures as PeriodFigures;
        expect(mine.oee).toBe(st.figures.oee);
        expect(mine.downtimeByReason).toEqual(st.figures.downtimeByReason);
        expect(mine.mtbfMs).toBe(st.figures.mtbfMs);
        expect(mine.mttrMs).toBe(st.figures.mttrMs);
      }
      expect(period.output).toEqual([
        {
          shift: shift.shift,
          start: shift.start,
          end: shift.end,
          final: true,
          good: oee.figures.counts.good,
          total: oee.figures.counts.total,
          ...(oee.figures.target !== undefined ? { target: oee.figures.target, behindBy: oee.figures.behindBy } : {}),
        },
      ]);
    }
  });

  it('sums two shifts from their times and counts, which differs from the mean of their OEEs', async () => {
    const [early, late] = shifts.map((s) => s.figures) as [OeeFigures, OeeFigures];
    const period = await get<HistoryPeriodView>(
      `/api/history/period?from=${new Date(shifts[0]?.start ?? 0).toISOString()}&to=${LATE_END}`,
    );
    expect(period.shifts).toHaveLength(2);
    const run = early.runTimeMs + late.runTimeMs;
    const availability = run / (early.plannedTimeMs + late.plannedTimeMs);
    const performance = (early.idealMs + late.idealMs) / run;
    const quality = (early.counts.good + late.counts.good) / (early.counts.total + late.counts.total);
    expect(period.figures.availability).toBe(availability);
    expect(period.figures.performance).toBe(performance);
    expect(period.figures.quality).toBe(quality);
    expect(period.figures.oee).toBe(availability * performance * quality);
    expect(period.figures.counts.good).toBe(early.counts.good + late.counts.good);
    // The bad 20 minutes would weigh as much as the good hour in a mean.
    expect(Math.abs(period.figures.oee - (early.oee + late.oee) / 2)).toBeGreaterThan(0.1);
    // The press: hydraulic downtime of both shifts, MTBF/MTTR over both (two down intervals).
    const press = period.stations.find((s) => s.station === 'press')?.figures as PeriodFigures;
    const pressEarly = shifts[0]?.stations.find((s) => s.station === 'press')?.figures as OeeFigures;
    const pressLate = shifts[1]?.stations.find((s) => s.station === 'press')?.figures as OeeFigures;
    expect(press.downtimeByReason.hydraulic).toBe(
      (pressEarly.downtimeByReason.hydraulic ?? 0) + (pressLate.downtimeByReason.hydraulic ?? 0),
    );
    expect(press.downIntervals).toBe(2);
    expect(press.mttrMs).toBe((pressEarly.downtimeMs + pressLate.downtimeMs) / 2);
    expect(press.mtbfMs).toBe((pressEarly.runTimeMs + pressLate.runTimeMs) / 2);
    expect(period.reasons.hydraulic).toBe('Hydraulic pressure low');
    // Downtime by cause: the press's and the pack's hydraulic stops, labelled, every ms once.
    expect(period.causes.find((c) => c.station === 'press' && c.reason === 'hydraulic')).toMatchObject({
      ms: press.downtimeByReason.hydraulic,
      label: 'Press 400t · Hydraulic pressure low',
      outside: false,
    });
    expect(period.causes.reduce((n, c) => n + c.ms, 0)).toBe(
      period.stations.reduce((n, s) => n + s.figures.downtimeMs + s.figures.starvedMs + s.figures.blockedMs, 0),
    );
    expect(period.output.map((o) => o.shift)).toEqual(['early', 'late']);
  });

  it('lists the alerts raised in the period with how they ended', async () => {
    const start = shifts[1]?.start ?? 0;
    const alert = { type: 'alert', line: 'line1', station: 'weld', kind: 'cycle-drift', severity: 'warning' } as const;
    const at = (min: number): number => start + min * 60_000;
    history.record({ ...alert, id: 'a1', seq: 1, ts: at(10), alertId: 'A1', status: 'active', evidence: {} });
    history.record({
      ...alert,
      id: 'a2',
      seq: 2,
      ts: at(20),
      alertId: 'A1',
      status: 'acknowledged',
      evidence: {},
      acknowledgedBy: { user: 'mia', role: 'maintenance', at: new Date(at(20)).toISOString() },
    });
    history.record({ ...alert, id: 'a3', seq: 3, ts: at(30), alertId: 'A1', status: 'resolved', evidence: {} });
    history.record({ ...alert, id: 'a4', seq: 4, ts: at(40), alertId: 'A2', status: 'active', evidence: {} });
    // Raised before the period: not in it.
    history.record({ ...alert, id: 'a5', seq: 5, ts: start - 60_000, alertId: 'A0', status: 'active', evidence: {} });
    const period = await get<HistoryPeriodView>(`/api/history/period?from=${start}&to=${shifts[1]?.end}`);
    expect(period.alerts).toEqual([
      {
        alertId: 'A1',
        station: 'weld',
        kind: 'cycle-drift',
        severity: 'warning',
        raisedAt: at(10),
        status: 'resolved',
        resolvedAt: at(30),
        acknowledgedBy: 'mia',
      },
      { alertId: 'A2', station: 'weld', kind: 'cycle-drift', severity: 'warning', raisedAt: at(40), status: 'active' },
    ]);
    // A period picked as its shifts' starts ([start, start + 1 ms), as the page picks a day) has
    // the alerts raised during those shifts.
    const byStart = await get<HistoryPeriodView>(`/api/history/period?from=${start}&to=${start + 1}`);
    expect(byStart.alerts.map((a) => a.alertId)).toEqual(['A1', 'A2']);
  });

  it('refuses bad parameters with a coded error naming the field', async () => {
    const cases: [string, number, string, string][] = [
      ['/api/history/period?line=nope', 404, 'NOT_FOUND', 'line'],
      ['/api/history/shifts?from=yesterday', 400, 'BAD_REQUEST', 'from'],
      ['/api/history/period?from=2025-11-24T10:00:00Z&to=2025-11-24T09:00:00Z', 400, 'BAD_REQUEST', 'from'],
      ['/api/history/period?from=2025-01-01T00:00:00Z&to=2025-11-24T09:00:00Z', 400, 'BAD_REQUEST', 'to'],
      ['/api/history/shifts?line=a&line=b', 400, 'BAD_REQUEST', 'line'],
    ];
    for (const [url, status, code, field] of cases) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(status);
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error.code, url).toBe(code);
      expect(body.error.message.startsWith(field), body.error.message).toBe(true);
    }
  });
});

describe('access to the history', () => {
  it('needs the view token for the routes and the page, like the other GET routes', async () => {
    const h = await createHarness({ config: testConfig({ viewToken: VIEW_TOKEN }) });
    try {
      for (const url of ['/api/history/shifts', '/api/history/period', '/history']) {
        const refused = await h.app.inject(url);
        expect(refused.statusCode, url).toBe(401);
        expect((refused.json() as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
        const ok = await h.app.inject({ url, headers: { authorization: `Bearer ${VIEW_TOKEN}` } });
        expect(ok.statusCode, url).toBe(200);
      }
      // The page is served at /history only, not as a static file.
      expect((await h.app.inject('/static/history.html')).statusCode).toBe(404);
      expect((await h.app.inject('/static/history.js')).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});
