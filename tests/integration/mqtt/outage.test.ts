/**
 * Broker outage: a live run, mosquitto stopped for 30 s, then restarted. A consumer with a
 * persistent session (as plant systems use) must receive every cycle, state and downtime event,
 * each exactly once after dedupe by eventId, in per-station seq order, with original timestamps.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { PublisherAgent } from '../../helpers/publisher-process.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { checkDelivery } from './delivery-check.js';
import { startSubscriber, type Subscriber } from './subscriber.js';

const OUTAGE_MS = 30_000;

describe('broker outage', () => {
  const dirs: string[] = [];
  let broker: MosquittoHandle | undefined;
  let agent: PublisherAgent | undefined;
  let sub: Subscriber | undefined;
  afterAll(async () => {
    await agent?.close();
    await sub?.close();
    await broker?.close();
    for (const d of dirs) removeTempDir(d);
  });

  it('delivers every event spooled during a 30 s outage, once after dedupe, in order, with original timestamps', async () => {
    const brokerData = createTempDir('mosquitto-data');
    const spoolDir = createTempDir('outage-spool');
    dirs.push(brokerData, spoolDir);
    // The plant broker keeps sessions across its restart, so the consumer's queue survives.
    broker = await startMosquitto({
      extraConf: `persistence true\npersistence_location ${brokerData}/\nmax_queued_messages 0\n`,
    });
    sub = await startSubscriber(broker.url, ['acme/plant1/line1/+/+'], {
      clientId: 'outage-consumer',
      persistent: true,
    });
    agent = new PublisherAgent({
      dir: spoolDir,
      brokerUrl: broker.url,
      eventIntervalMs: 30,
      reconnectMinMs: 250,
      reconnectMaxMs: 2_000,
    });
    await agent.start();
    const live = agent;
    await sub.waitFor((m) => m.length >= 50, 'live events before the outage');

    await broker.stop();
    const outageStart = Date.now();
    const committedBefore = live.committed.length;
    await sleep(OUTAGE_MS);
    const outageEnd = Date.now();
    expect(live.mqttHealth?.connected).toBe(false);
    expect(live.committed.length - committedBefore).toBeGreaterThan(500); // spooling went on
    await broker.start();

    await live.waitFor(
      () => (live.mqttHealth?.connects ?? 0) >= 2 && live.mqttHealth?.backlog === 0,
      'the backlog to drain',
      60_000,
    );
    await live.stop(); // delivers the last commits, publishes offline
    const committed = live.committed;
    await sub.waitFor(
      () => checkDelivery(committed, sub?.messages ?? []).missing.length === 0,
      'every committed event',
      30_000,
    );

    const report = checkDelivery(committed, sub.messages);
    expect(report.missing).toEqual([]);
    expect(report.conflicting).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    expect(report.wrongTs).toEqual([]);
    const duringOutage = committed.filter((e) => e.ts > outageStart && e.ts < outageEnd);
    expect(duringOutage.length).toBeGreaterThan(500);
    expect(new Set(duringOutage.map((e) => e.type))).toEqual(new Set(['cycle', 'state', 'downtime']));
    expect(live.mqttHealth?.connectionLosses).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
