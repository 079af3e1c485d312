/**
 * A simulated early shift (steady scenario, Monday 00:00 to 14:10, the real core) written through
 * the spool into a real influxd and queried back: every measurement holds exactly the points the
 * core's events and the samples call for, cycle counts equal the simulator's ground truth, and
 * every query of the Grafana dashboard runs against it and returns data.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, CoreEvent } from '../../../src/core/events.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createInfluxWriter, type InfluxWriter } from '../../../src/outputs/influx/index.js';
import { openSpool, type Spool } from '../../../src/outputs/spool/index.js';
import { startInfluxd, type InfluxdHandle } from '../../helpers/influxd.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { runSimShift, type SimShift } from './sim-shift.js';
import { waitUntil } from './support.js';

const HOUR = 3_600_000;
const DB = 'plant';
const RP = 'lineside';

/** Every InfluxQL query in the dashboard: panel targets and query variables. */
function dashboardQueries(): Array<{ where: string; query: string }> {
  const dash = JSON.parse(readFileSync('deploy/grafana/lineside-influxdb.json', 'utf8')) as {
    panels: Array<{
      title: string;
      type: string;
      targets?: Array<{ refId: string; query?: string; rawQuery?: boolean }>;
    }>;
    templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  };
  const out: Array<{ where: string; query: string }> = [];
  for (const panel of dash.panels) {
    for (const target of panel.targets ?? []) {
      if (target.rawQuery !== true || typeof target.query !== 'string')
        throw new Error(`panel "${panel.title}" ${target.refId}: not a raw InfluxQL query`);
      out.push({ where: `panel "${panel.title}" ${target.refId}`, query: target.query });
    }
  }
  for (const v of dash.templating.list)
    if (v.type === 'query' && typeof v.query === 'string') out.push({ where: `variable $${v.name}`, query: v.query });
  return out;
}

/** What Grafana substitutes, with concrete values: all stations, the shift's time range. */
function substitute(query: string, fromMs: number, toMs: number): string {
  return query
    .replaceAll('$timeFilter', `time >= ${fromMs}ms AND time <= ${toMs}ms`)
    .replaceAll('$__interval', '1m')
    .replaceAll('$rp', RP)
    .replaceAll('$site', 'sim')
    .replaceAll('$line', 'line1')
    .replaceAll('$station', '(press|weld|pack)');
}

describe('a simulated shift in InfluxDB', () => {
  let influxd: InfluxdHandle;
  let spool: Spool;
  let writer: InfluxWriter;
  let shift: SimShift;
  const dir = createTempDir('influx-shift');

  beforeAll(async () => {
    influxd = await startInfluxd();
    // The scenario's week is in January 2025: keep the spool and the policy from expiring it.
    spool = openSpool({
      dir,
      maxBytes: 512 * 1024 * 1024,
      maxAgeMs: 100 * 365 * 86_400_000,
      commitIntervalMs: 100,
      destinations: ['influx'],
      clock: systemClock,
      logger: silentLogger,
    });
    shift = runSimShift(spool, {
      influx: { url: influxd.url, database: DB, retentionPolicy: { name: RP, duration: 'INF' } },
      durationMs: 14 * HOUR + 10 * 60_000,
    });
    // The steady line raises no predictive alerts; one alert (as the predictors emit them) makes
    // the alert panel's query meet data.
    const alert: AlertEvent = {
      type: 'alert',
      id: 'press-999999999',
      line: 'line1',
      station: 'press',
      seq: 999_999_999,
      ts: shift.startWallMs + 10 * HOUR,
      alertId: 'press-condition-vibration-1',
      kind: 'condition',
      severity: 'warning',
      status: 'active',
      evidence: { tag: 'plc1.press_vibration', slopePerHour: 0.4 },
      predictedFailureAt: shift.startWallMs + 30 * HOUR,
    };
    shift.events.push(alert);
    spool.appendEvent(alert);
    spool.flush();
    writer = createInfluxWriter({ config: shift.config, spool, clock: systemClock, logger: silentLogger });
    await writer.start();
    await waitUntil(() => writer.health().ackedId >= spool.lastCommittedId(), 'the shift to be written', 120_000);
  }, 180_000);

  afterAll(async () => {
    await writer?.stop();
    spool?.close();
    await influxd?.close();
    removeTempDir(dir);
  });

  async function total(measurement: string, field: string): Promise<number> {
    const res = await influxd.query(`SELECT count("${field}") FROM "${RP}"."${measurement}"`, DB);
    return Number(res.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  }

  const distinct = <T>(items: T[], key: (t: T) => string): number => new Set(items.map(key)).size;
  const of = <K extends CoreEvent['type']>(type: K): Extract<CoreEvent, { type: K }>[] =>
    shift.events.filter((e): e is Extract<CoreEvent, { type: K }> => e.type === type);

  it('holds exactly the points the core emitted, per measurement', async () => {
    const oee = of('oee');
    const conditionTags = new Set(
      shift.config.lines.flatMap((l) => l.stations.flatMap((s) => s.conditions.map((c) => c.tag))),
    );
    const expected = {
      cycle: of('cycle').length,
      // One point per state interval: a small stop that turns into downtime keeps its start.
      state: distinct(of('state'), (e) => `${e.station}|${Math.floor(e.since)}`),
      downtime: distinct(of('downtime'), (e) => e.downtimeId),
      // One point per station (and line) and shift window, replaced by each snapshot.
      oee: distinct(
        oee.filter((e) => e.window.kind === 'shift'),
        (e) => `${e.station ?? ''}|${e.window.start}`,
      ),
      oee_rolling: oee.filter((e) => e.window.kind === 'rolling').length,
      alert: of('alert').length,
      condition: shift.samples.filter((s) => conditionTags.has(s.tag)).length,
      sample: distinct(
        shift.samples.filter((s) => !conditionTags.has(s.tag)),
        (s) => `${s.tag}|${Math.floor(s.ts)}`,
      ),
    };
    // A real shift, not a trickle.
    expect(expected.cycle).toBeGreaterThan(2_000);
    expect(expected.downtime).toBeGreaterThan(0);
    expect(expected.state).toBeGreaterThan(20);
    expect(of('state').length).toBeGreaterThanOrEqual(expected.state);
    const actual = {
      cycle: await total('cycle', 'seq'),
      state: await total('state', 'code'),
      downtime: await total('downtime', 'seq'),
      oee: await total('oee', 'seq'),
      oee_rolling: await total('oee_rolling', 'seq'),
      alert: await total('alert', 'seq'),
      condition: await total('condition', 'value'),
      sample: (await total('sample', 'value')) + (await total('sample', 'text')),
    };
    expect(actual).toEqual(expected);
    expect(writer.health()).toMatchObject({ poisoned: 0, skipped: 0, connected: true });
  });

  it('counts the cycles the simulator made, per station', async () => {
    const res = await influxd.query(`SELECT count("seq") FROM "${RP}"."cycle" GROUP BY "station"`, DB);
    const counts = new Map(
      (res.results[0]?.series ?? []).map((s) => [s.tags?.station ?? '', Number(s.values[0]?.[1])]),
    );
    expect([...counts.entries()].sort()).toEqual([...shift.truth.cycles.entries()].sort());
    // And the early shift's final OEE point carries the good count of the line's output station.
    const finals = await influxd.query(
      `SELECT "good_count", "final" FROM "${RP}"."oee" WHERE "shift" = 'early' AND "station" = ''`,
      DB,
    );
    const truthShift = shift.truth.shifts.find((s) => s.shift === 'early' && !s.partial);
    expect(truthShift).toBeDefined();
    expect(finals.results[0]?.series?.[0]?.values).toEqual([[truthShift?.startMs, truthShift?.line.counts.good, true]]);
  });

  it('answers every query of the Grafana dashboard with data', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    for (const { where, query } of queries) {
      const q = substitute(query, shift.startWallMs, shift.endWallMs);
      expect(q, `${where}: a variable was left unsubstituted`).not.toMatch(/\$\w/);
      const res = await influxd.query(q, DB); // throws on a statement error, naming the query
      const values = (res.results[0]?.series ?? []).flatMap((s) =>
        s.values.filter((row) => row.slice(1).some((v) => v !== null) || s.columns.length === 1),
      );
      if (values.length === 0) empty.push(`${where}: ${q}`);
    }
    expect(empty).toEqual([]);
  });
});
