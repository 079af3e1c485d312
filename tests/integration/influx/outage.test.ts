/**
 * InfluxDB outages with a real agent process: influxd stopped for 30 s mid-run and started again,
 * and the agent killed with SIGKILL during an outage and restarted on its spool. Afterwards every
 * row the agent committed to its spool is in InfluxDB exactly once: the count per series equals
 * the committed rows' distinct points, and every cycle seq is there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxAgent, type CommittedRow } from '../../helpers/influx-agent-process.js';
import { startInfluxd, type InfluxdHandle } from '../../helpers/influxd.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';

const OUTAGE_MS = 30_000;
const RP = 'lineside';

/** The field every point of a measurement has, for count(). */
const COUNT_FIELD: Record<string, string> = {
  cycle: 'seq',
  state: 'code',
  downtime: 'seq',
  oee_rolling: 'seq',
  sample: 'value',
};
const SERIES_TAG: Record<string, string> = {
  cycle: 'station',
  state: 'station',
  downtime: 'station',
  oee_rolling: 'station',
  sample: 'tag',
};

describe('InfluxDB outage', () => {
  let influxd: InfluxdHandle;
  const agents: InfluxAgent[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await influxd?.close();
    for (const d of dirs) removeTempDir(d);
  });

  function newAgent(database: string): InfluxAgent {
    const dir = createTempDir('influx-outage-spool');
    dirs.push(dir);
    const agent = new InfluxAgent({
      dir,
      url: influxd.url,
      database,
      eventIntervalMs: 20,
      retryMinMs: 200,
      retryMaxMs: 2_000,
    });
    agents.push(agent);
    return agent;
  }

  /** Expected distinct points per "measurement|series" from what the agent committed. */
  function expectedPoints(rows: CommittedRow[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of rows) {
      const k = `${r.measurement}|${r.series}`;
      let keys = out.get(k);
      if (keys === undefined) out.set(k, (keys = new Set()));
      keys.add(r.key);
    }
    return out;
  }

  async function countsInInflux(database: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [measurement, field] of Object.entries(COUNT_FIELD)) {
      const tag = SERIES_TAG[measurement] as string;
      const res = await influxd.query(
        `SELECT count("${field}") FROM "${RP}"."${measurement}" GROUP BY "${tag}"`,
        database,
      );
      for (const s of res.results[0]?.series ?? [])
        out.set(`${measurement}|${s.tags?.[tag] ?? ''}`, Number(s.values[0]?.[1] ?? 0));
    }
    return out;
  }

  async function verify(agent: InfluxAgent, database: string): Promise<void> {
    const expected = expectedPoints(agent.committed);
    const actual = await countsInInflux(database);
    const want = new Map([...expected.entries()].map(([k, keys]) => [k, keys.size]));
    expect(new Map([...actual.entries()].sort())).toEqual(new Map([...want.entries()].sort()));
    // Every committed cycle is there by its seq, none twice.
    const res = await influxd.query(`SELECT "seq" FROM "${RP}"."cycle" GROUP BY "station"`, database);
    for (const s of res.results[0]?.series ?? []) {
      const station = s.tags?.station ?? '';
      const seqs = s.values.map((v) => Number(v[1]));
      expect(new Set(seqs).size).toBe(seqs.length);
      const committedSeqs = agent.committed
        .filter((r) => r.measurement === 'cycle' && r.series === station)
        .map((r) => Number(r.key.slice(4)));
      expect(seqs.sort((a, b) => a - b)).toEqual([...new Set(committedSeqs)].sort((a, b) => a - b));
    }
    expect(agent.health?.poisoned).toBe(0);
  }

  it('loses nothing and duplicates nothing when influxd is down for 30 s mid-run', { timeout: 150_000 }, async () => {
    const agent = newAgent('outage');
    await agent.start();
    await agent.waitFor(() => (agent.health?.sent ?? 0) > 200, 'points written before the outage');

    await influxd.stop();
    const before = agent.committed.length;
    await sleep(OUTAGE_MS);
    expect(agent.health?.connected).toBe(false);
    expect(agent.health?.lastErrorCode).toBe('INFLUX_WRITE');
    expect(agent.health?.backlog).toBeGreaterThan(500); // the spool held what could not be written
    expect(agent.committed.length - before).toBeGreaterThan(1_000);
    await influxd.start();

    await agent.waitFor(() => agent.caughtUp(), 'the backlog to be written', 60_000);
    await agent.stop();
    expect(agent.committed.some((r) => r.measurement === 'downtime')).toBe(true);
    await verify(agent, 'outage');
  });

  it(
    'loses nothing and duplicates nothing when the agent is killed with SIGKILL during an outage',
    { timeout: 150_000 },
    async () => {
      const agent = newAgent('killed');
      await agent.start();
      await agent.waitFor(() => (agent.health?.sent ?? 0) > 200, 'points written before the outage');

      await influxd.stop();
      await sleep(8_000);
      const backlogAtKill = agent.health?.backlog ?? 0;
      expect(backlogAtKill).toBeGreaterThan(100);
      await agent.kill9(); // mid-outage, with a backlog and a batch in its retry loop
      await agent.start(); // resumes from the spool's persisted cursor; InfluxDB still down
      await sleep(4_000);
      expect(agent.health?.connected).toBe(false);
      expect(agent.health?.backlog).toBeGreaterThanOrEqual(backlogAtKill);
      await influxd.start();

      await agent.waitFor(() => agent.caughtUp(), 'the backlog to be written', 60_000);
      await agent.stop();
      expect(new Set(agent.committed.map((r) => r.run))).toEqual(new Set([1, 2]));
      await verify(agent, 'killed');
    },
  );
});
