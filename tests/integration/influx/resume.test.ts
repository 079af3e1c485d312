/**
 * After an InfluxDB outage the writer resumes within about a second of influxd answering again,
 * not when its grown backoff (up to 30 s) runs out: the /ping probe (src/outputs/influx/probe.ts)
 * wakes it. Real influxd, production backoff (1 s doubling to 30 s), cycles produced all along.
 *
 * The assertions do not race the wall clock: the wait that preceded the first write after the
 * outage must have been cut short by the probe (its log line), the write must have come before the
 * retry the writer's own backoff had scheduled (influxd is started only once that is over 10 s
 * away), and InfluxDB must hold every cycle produced. The measured latency (influxd's first /ping
 * answer to the writer's first accepted write) is printed; the target is 2 s. It sits near
 * the worst case (about 1–1.2 s): influxd starts right after the failure that began the long wait,
 * and that wait's first ping comes one probe interval later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createInfluxWriter } from '../../../src/outputs/influx/index.js';
import { startInfluxd, type InfluxdHandle } from '../../helpers/influxd.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { captureLogger } from '../spool/log-capture.js';
import { cycle } from '../spool/make-events.js';
import { influxTestConfig, openTestSpool, rows, waitUntil } from './support.js';

/** The test's own view of influxd coming back: the wall ms of the first /ping that answers 204. */
async function firstPingAnswer(url: string, until: () => boolean): Promise<number | undefined> {
  while (!until()) {
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
      if (res.status === 204) return Date.now();
    } catch {
      // still down
    }
    await sleep(5);
  }
  return undefined;
}

describe('InfluxDB writer after an outage', () => {
  let influxd: InfluxdHandle;
  const dirs: string[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.close();
    for (const d of dirs) removeTempDir(d);
  });

  it(
    'writes again within about a second of influxd answering, long before its backoff would retry, and loses nothing',
    { timeout: 150_000 },
    async () => {
      const dir = createTempDir('influx-resume-spool');
      dirs.push(dir);
      const spool = openTestSpool(dir);
      const config = influxTestConfig({ url: influxd.url, database: 'resume' });
      // Production timing: retry 1 s doubling to 30 s, /ping once a second while backing off.
      const log = captureLogger();
      const writer = createInfluxWriter({ config, spool, clock: systemClock, logger: log.logger });
      let produced = 0;
      const producer = setInterval(() => {
        produced += 1;
        spool.appendEvent(cycle(['press', 'weld', 'pack'][produced % 3] ?? 'press', produced, Date.now()));
      }, 20);
      try {
        await writer.start();
        await waitUntil(() => writer.health().sent > 100, 'cycles written before the outage');

        await influxd.stop();
        const downAt = Date.now();
        // Keep producing until the writer's backoff has grown well past the probe interval.
        await waitUntil(() => (writer.health().nextRetryInMs ?? 0) > 10_000, 'a backoff over 10 s', 90_000);
        const outageMs = Date.now() - downAt;
        const attempts = writer.health().retrying;
        expect(writer.health().connected).toBe(false);

        const sentBefore = writer.health().sent;
        const linesBefore = log.lines.length;
        let back = false;
        const answered = firstPingAnswer(influxd.url, () => back);
        await influxd.start();
        back = true;
        const upAt = await answered;
        expect(upAt).toBeDefined();
        // When the writer's own backoff would have retried (it was scheduled before influxd came back).
        const scheduledRetryAt = Date.now() + (writer.health().nextRetryInMs ?? 0);

        await waitUntil(() => writer.health().sent > sentBefore, 'the first write after the outage', 60_000);
        const resumedAt = writer.health().lastWriteAt ?? Infinity;
        const latencyMs = resumedAt - (upAt ?? 0);
        console.info(
          `[influx resume] outage ${(outageMs / 1000).toFixed(1)} s, ${attempts} failed attempts; first write ${latencyMs} ms after influxd answered /ping; ` +
            `the backoff would have retried ${((scheduledRetryAt - (upAt ?? 0)) / 1000).toFixed(1)} s after it`,
        );
        // The probe brought it back: it cut the backoff short, and the write came before that backoff's retry.
        const since = log.lines.slice(linesBefore);
        const woken = since.findIndex((l) => l.msg === 'InfluxDB answers /ping again; retrying now');
        const reachable = since.findIndex((l) => l.msg.startsWith('InfluxDB reachable again'));
        expect(woken).toBeGreaterThanOrEqual(0);
        expect(since[woken]?.cutShortByMs).toBeGreaterThan(0);
        expect(reachable).toBeGreaterThan(woken);
        expect(resumedAt).toBeLessThan(scheduledRetryAt);
        expect(latencyMs).toBeGreaterThanOrEqual(0);
      } finally {
        clearInterval(producer);
      }
      spool.flush();
      await waitUntil(() => writer.health().ackedId >= spool.lastCommittedId(), 'the backlog to be written', 60_000);
      await writer.stop();
      spool.close();
      const counted = await rows(influxd, 'SELECT count("seq") FROM "lineside"."cycle"', 'resume');
      expect(Number(counted[0]?.count)).toBe(produced);
      expect(writer.health().poisoned).toBe(0);
    },
  );
});
