/**
 * The writer against a real influxd: what lands where (schema, timestamps, overwrites), database
 * set-up, and poison points isolated without losing the rest of their batch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/core/events.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createInfluxWriter, type InfluxWriter } from '../../../src/outputs/influx/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { startInfluxd, type InfluxdHandle } from '../../helpers/influxd.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle, downtime, eventId, oee, state } from '../spool/make-events.js';
import { countBySeries, influxTestConfig, openTestSpool, rows, waitUntil } from './support.js';

const DAY = 86_400_000;
/** 03:00 UTC today: recent enough for any retention policy, and the test's points share one shard. */
const T0 = Math.floor(Date.now() / DAY) * DAY + 3 * 3_600_000;

describe('InfluxDB writer', () => {
  let influxd: InfluxdHandle;
  const dirs: string[] = [];
  let writer: InfluxWriter | undefined;
  let spool: Spool | undefined;
  let dbCounter = 0;

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterEach(async () => {
    await writer?.stop();
    spool?.close();
    writer = undefined;
    spool = undefined;
  });
  afterAll(async () => {
    await influxd?.close();
    for (const d of dirs) removeTempDir(d);
  });

  function setup(influx: Record<string, unknown> = {}): { writer: InfluxWriter; spool: Spool; db: string } {
    const db = `db${++dbCounter}`;
    const dir = createTempDir('influx-spool');
    dirs.push(dir);
    spool = openTestSpool(dir);
    const config = influxTestConfig({ url: influxd.url, database: db, influx });
    writer = createInfluxWriter({
      config,
      spool,
      clock: systemClock,
      logger: silentLogger,
      tuning: { retryMinMs: 100, retryMaxMs: 500 },
    });
    return { writer, spool, db };
  }

  async function drained(w: InfluxWriter, s: Spool): Promise<void> {
    s.flush();
    await waitUntil(
      () => w.health().ackedId >= s.lastCommittedId() && w.health().ready,
      'the writer to catch up with the spool',
    );
  }

  it('creates the database and a default retention policy, and writes every event type with its own timestamp', async () => {
    const { writer: w, spool: s, db } = setup({ retentionPolicy: { name: 'hist', duration: '30d' } });
    await w.start();
    const events: CoreEvent[] = [
      cycle('press', 1, T0 + 12_000, 12_400),
      state('press', 2, T0 + 20_000, 'down', 'running'),
      downtime('press', 3, T0 + 20_000, 'started', T0 + 19_000),
      downtime('press', 4, T0 + 80_000, 'ended', T0 + 19_000),
      state('press', 5, T0 + 80_000, 'running', 'down'),
      oee('press', 6, T0 + 90_000),
      oee(undefined, 1, T0 + 90_000),
      {
        type: 'alert',
        id: eventId('press', 7),
        line: 'line1',
        station: 'press',
        seq: 7,
        ts: T0 + 95_000,
        alertId: 'press-vib-1',
        kind: 'condition',
        severity: 'warning',
        status: 'active',
        evidence: { tag: 'plc1.press_vibration', value: 5.1 },
        predictedFailureAt: T0 + 86_400_000,
      },
      {
        type: 'oee',
        id: eventId('press', 8),
        line: 'line1',
        station: 'press',
        seq: 8,
        ts: T0 + 96_000,
        final: false,
        window: { kind: 'rolling', start: T0 + 96_000 - 3_600_000, end: T0 + 96_000 },
        figures: oee('press', 8, T0).figures,
      },
    ];
    for (const e of events) s.appendEvent(e);
    s.appendSample({ tag: 'plc1.press_vibration', value: 2.5, ts: T0 + 1_000, mono: 1 });
    s.appendSample({ tag: 'plc1.press_running', value: true, ts: T0 + 1_000, mono: 1 });
    s.appendSample({ tag: 'plc1.identity', value: 'LS-SIM-1', ts: T0 + 1_000, mono: 1 });
    s.appendSample({ tag: 'plc1.unbound', value: 7, ts: T0 + 1_000, mono: 1 });
    await drained(w, s);

    const policies = await rows(influxd, `SHOW RETENTION POLICIES ON "${db}"`, db);
    expect(policies.find((p) => p.name === 'hist')).toMatchObject({ duration: '720h0m0s', default: true });

    const cycles = await rows(influxd, 'SELECT * FROM "hist"."cycle"', db);
    expect(cycles).toEqual([
      expect.objectContaining({
        time: T0 + 12_000,
        site: 'plant1',
        line: 'line1',
        station: 'press',
        cycle_time_ms: 12_400,
        ideal_cycle_time_ms: 10_000,
        good: true,
        seq: 1,
      }),
    ]);
    // State points sit at the interval start (since), not at the detection time.
    const states = await rows(influxd, 'SELECT * FROM "hist"."state"', db);
    expect(states.map((r) => [r.time, r.state, r.code, r.reason])).toEqual([
      [T0 + 19_500, 'down', 3, 'jam'],
      [T0 + 79_500, 'running', 1, ''],
    ]);
    // The downtime is one point at its start: "started" was overwritten by "ended".
    const downs = await rows(influxd, 'SELECT * FROM "hist"."downtime"', db);
    expect(downs).toEqual([
      expect.objectContaining({
        time: T0 + 19_000,
        reason: 'jam',
        category: 'breakdown',
        duration_ms: 61_000,
        end_ms: T0 + 80_000,
        open: false,
        downtime_id: `press-dt-${T0 + 19_000}`,
      }),
    ]);
    // Shift OEE: one point per station and one for the line at the shift start.
    const oees = await rows(influxd, 'SELECT * FROM "hist"."oee" GROUP BY *', db);
    expect(oees.map((r) => [r.time, r.station ?? '', r.oee, r.total_count, r.shift])).toEqual([
      [T0 + 90_000 - 3_600_000, '', expect.closeTo(0.7497, 4), 300, 'early'],
      [T0 + 90_000 - 3_600_000, 'press', expect.closeTo(0.7497, 4), 300, 'early'],
    ]);
    expect(await rows(influxd, 'SELECT oee FROM "hist"."oee_rolling"', db)).toEqual([
      expect.objectContaining({ time: T0 + 96_000 }),
    ]);
    const alerts = await rows(influxd, 'SELECT * FROM "hist"."alert"', db);
    expect(alerts).toEqual([
      expect.objectContaining({
        time: T0 + 95_000,
        alert_id: 'press-vib-1',
        severity: 'warning',
        severity_code: 2,
        status: 'active',
        predicted_failure_ms: T0 + 86_400_000,
      }),
    ]);
    expect(JSON.parse(String(alerts[0]?.evidence))).toEqual({ tag: 'plc1.press_vibration', value: 5.1 });

    expect(await rows(influxd, 'SELECT * FROM "hist"."condition"', db)).toEqual([
      expect.objectContaining({ time: T0 + 1_000, tag: 'plc1.press_vibration', station: 'press', value: 2.5 }),
    ]);
    const samples = await rows(influxd, 'SELECT * FROM "hist"."sample" GROUP BY "tag"', db);
    expect(samples.map((r) => [r.tag, r.value ?? null, r.flag ?? null, r.text ?? null, r.station ?? ''])).toEqual([
      ['plc1.identity', null, null, 'LS-SIM-1', ''],
      ['plc1.press_running', 1, true, null, 'press'],
      ['plc1.unbound', 7, null, null, ''],
    ]);
    expect(w.health()).toMatchObject({ connected: true, poisoned: 0, sent: 13, backlog: 0 });
  });

  it('keeps two cycles completed in the same millisecond as two points, and a replay adds none', async () => {
    const { writer: w, spool: s, db } = setup();
    await w.start();
    for (let seq = 1; seq <= 4; seq++) s.appendEvent(cycle('weld', seq, T0 + 60_000)); // one poll saw 4 cycles
    await drained(w, s);
    // Replay the same events (an agent that crashed before its cursor was saved sends them again).
    for (let seq = 1; seq <= 4; seq++) s.appendEvent(cycle('weld', seq, T0 + 60_000));
    await drained(w, s);
    expect(await countBySeries(influxd, 'cycle', 'seq', db)).toEqual(
      new Map([['cycle,line=line1,site=plant1,station=weld', 4]]),
    );
    const times = (await rows(influxd, 'SELECT seq FROM "lineside"."cycle"', db)).map((r) => r.time);
    expect(times).toEqual([T0 + 60_000, T0 + 60_000, T0 + 60_000, T0 + 60_000]); // sub-ms apart, same ms
  });

  it('moves a downtime to its reassigned reason without leaving the old reason behind', async () => {
    const { writer: w, spool: s, db } = setup();
    await w.start();
    const start = T0 + 100_000;
    s.appendEvent({ ...downtime('pack', 1, start, 'started', start), reason: 'unassigned', category: 'breakdown' });
    s.appendEvent({ ...downtime('pack', 2, start + 300_000, 'ended', start), reason: 'unassigned' });
    await drained(w, s);
    s.appendEvent({
      ...downtime('pack', 3, start + 900_000, 'updated', start),
      end: start + 300_000,
      durationMs: 300_000,
      reason: 'jam',
    });
    await drained(w, s);
    const downs = await rows(influxd, 'SELECT reason, duration_ms, open FROM "lineside"."downtime"', db);
    expect(downs).toEqual([{ time: start, reason: 'jam', duration_ms: 300_000, open: false }]);
  });

  it('creates the database again when it was dropped while the agent runs, and writes what was pending', async () => {
    const { writer: w, spool: s, db } = setup();
    await w.start();
    s.appendEvent(cycle('press', 1, T0));
    await drained(w, s);
    await influxd.query(`DROP DATABASE "${db}"`);
    s.appendEvent(cycle('press', 2, T0 + 12_000));
    await drained(w, s);
    expect(await countBySeries(influxd, 'cycle', 'seq', db)).toEqual(
      new Map([['cycle,line=line1,site=plant1,station=press', 1]]),
    );
    expect(w.health()).toMatchObject({ connected: true, poisoned: 0 });
  });

  it('with setup off creates nothing: writes fail with "database not found" until an admin creates it', async () => {
    // QuestDB and WRITE-only users: no InfluxQL at all, even with createDatabase left on.
    const { writer: w, spool: s, db } = setup({ setup: 'off' });
    await w.start();
    s.appendEvent(cycle('press', 1, T0));
    s.flush();
    await waitUntil(() => w.health().errors >= 2, 'failed writes');
    expect(w.health().lastError).toMatch(
      new RegExp(`database not found.*create database "${db}"; with influx.setup: off Lineside does not`),
    );
    expect(w.health()).toMatchObject({ ready: true, ackedId: 0, warnings: [] });
    expect((await influxd.query('SHOW DATABASES')).results[0]?.series?.[0]?.values ?? []).not.toContainEqual([db]);
    await influxd.query(`CREATE DATABASE "${db}"`);
    await influxd.query(`CREATE RETENTION POLICY "lineside" ON "${db}" DURATION 30d REPLICATION 1`);
    await drained(w, s);
    expect(await countBySeries(influxd, 'cycle', 'seq', db)).toEqual(
      new Map([['cycle,line=line1,site=plant1,station=press', 1]]),
    );
  });

  it('writes only events when writeSamples is off', async () => {
    const { writer: w, spool: s, db } = setup({ writeSamples: false });
    await w.start();
    s.appendSample({ tag: 'plc1.press_count', value: 1, ts: T0, mono: 1 });
    s.appendEvent(cycle('press', 1, T0 + 1_000));
    s.appendSample({ tag: 'plc1.press_count', value: 2, ts: T0 + 2_000, mono: 2 });
    await drained(w, s);
    expect((await influxd.query('SHOW MEASUREMENTS', db)).results[0]?.series?.[0]?.values).toEqual([['cycle']]);
  });

  it('isolates a field-type conflict inside a batch: the rest lands, the bad point is counted', async () => {
    const { writer: w, spool: s, db } = setup({ batchSize: 1000, flushInterval: '1s' });
    // Someone else's tool wrote "value" as a string into "sample" first: our floats now conflict...
    await w.start();
    await waitUntil(() => w.health().ready, 'the database set-up');
    const legacy = await fetch(`${influxd.url}/write?db=${db}&rp=lineside&precision=ms`, {
      method: 'POST',
      body: `sample,site=plant1,tag=plc1.legacy value="text" ${T0 - 1_000}`,
    });
    expect(legacy.status).toBe(204);
    // ...but only for the points of that shard's "sample" measurement, one of which sits mid-batch.
    for (let i = 0; i < 100; i++) {
      s.appendEvent(cycle('press', i + 1, T0 + i * 10_000));
      if (i === 50) s.appendSample({ tag: 'plc1.press_count', value: 42, ts: T0 + i * 10_000, mono: i });
    }
    await drained(w, s);
    const h = w.health();
    expect(h.poisoned).toBe(1);
    expect(h.lastPoison?.point).toContain('sample,site=plant1');
    expect(h.lastPoison?.error).toMatch(/field type conflict/);
    expect(h.sent).toBe(100);
    expect(await countBySeries(influxd, 'cycle', 'seq', db)).toEqual(
      new Map([['cycle,line=line1,site=plant1,station=press', 100]]),
    );
    // The writer went on: later points are written normally.
    s.appendEvent(cycle('press', 101, T0 + 2_000_000));
    await drained(w, s);
    expect(await countBySeries(influxd, 'cycle', 'seq', db)).toEqual(
      new Map([['cycle,line=line1,site=plant1,station=press', 101]]),
    );
  });
});
