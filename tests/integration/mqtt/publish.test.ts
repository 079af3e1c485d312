/**
 * The publisher against a real mosquitto: the Unified Namespace topics and payloads of
 * docs/architecture.md#mqtt, retained flags, status online/offline, samples by exception, and the spool
 * cursor moving only as far as the broker acknowledged.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createMqttPublisher, type MqttPublisher } from '../../../src/outputs/mqtt/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle, downtime, oee, sample, state } from '../spool/make-events.js';
import { startSubscriber, waitUntil, type Subscriber } from './subscriber.js';
import { testConfig } from './test-config.js';
import type { AlertEvent } from '../../../src/core/events.js';
import { openTestSpool } from '../../helpers/test-spool.js';

let broker: MosquittoHandle;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(
  mqttOverrides: Record<string, unknown> = {},
  agentId = 'agent1',
): { spool: Spool; publisher: MqttPublisher } {
  const dir = createTempDir('mqtt-publish');
  const config = testConfig({ agentId, mqtt: { url: broker.url, protocolVersion: 5, ...mqttOverrides } });
  const spool = openTestSpool(dir, ['mqtt']);
  const publisher = createMqttPublisher({ config, spool, clock: systemClock, logger: silentLogger });
  cleanups.push(
    () => removeTempDir(dir),
    () => spool.close(),
    () => publisher.stop(),
  );
  return { spool, publisher };
}

async function subscribe(filters: string[]): Promise<Subscriber> {
  const sub = await startSubscriber(broker.url, filters);
  cleanups.push(() => sub.close());
  return sub;
}

/** Topic of the barrier messages; outside the namespace the publisher writes. */
const BARRIER_TOPIC = 'lineside-test/barrier';

/**
 * Waits until everything the broker queued for `sub` so far has arrived: publishes a sentinel
 * (QoS 1, from `sub`'s own connection, which must be subscribed to BARRIER_TOPIC) and waits for
 * it. Mosquitto handles one client's packets in order and delivers one session's QoS 1 messages
 * in the order it queued them, so whatever was queued for `sub` before the sentinel (the retained
 * messages sent on its SUBSCRIBE, the messages of publishes the broker already PUBACKed) arrives
 * before the sentinel does. Replaces "nothing else arrives within N ms".
 */
async function drain(sub: Subscriber): Promise<void> {
  const token = `barrier-${Math.random().toString(16).slice(2)}`;
  await sub.client.publishAsync(BARRIER_TOPIC, token, { qos: 1 });
  await sub.waitFor((m) => m.some((x) => x.topic === BARRIER_TOPIC && x.text === token), 'the barrier message');
}

describe('MQTT publisher topics and payloads', () => {
  it('publishes every event on its UNS topic with the contract fields plus eventId, seq and ISO ts', async () => {
    const sub = await subscribe(['acme/plant1/#']);
    const { spool, publisher } = setup();
    const t = Date.UTC(2026, 2, 2, 6, 0, 0, 123);
    const alert: AlertEvent = {
      type: 'alert',
      id: 'press-000000006',
      line: 'line1',
      station: 'press',
      seq: 6,
      ts: t + 5_000,
      alertId: 'press-cycle-drift-1',
      kind: 'cycle_drift',
      severity: 'warning',
      status: 'active',
      evidence: { slopeMsPerHour: 420 },
      predictedFailureAt: t + 86_400_000,
    };
    spool.appendEvent(state('press', 1, t, 'down', 'running'));
    spool.appendEvent(downtime('press', 2, t, 'started', t));
    spool.appendEvent(cycle('press', 3, t + 1_000));
    spool.appendEvent(oee('press', 4, t + 2_000));
    spool.appendEvent(oee(undefined, 5, t + 3_000));
    spool.appendEvent(alert);
    await publisher.start();

    await sub.waitFor((m) => m.filter((x) => x.json !== undefined).length >= 6, 'six event messages');
    const byTopic = (topic: string) => sub.messages.find((m) => m.topic === topic)?.json;
    expect(byTopic('acme/plant1/line1/press/state')).toEqual({
      id: 'press-000000001',
      eventId: 'press-000000001',
      seq: 1,
      ts: '2026-03-02T06:00:00.123Z',
      state: 'down',
      since: '2026-03-02T05:59:59.623Z',
      reason: 'jam',
      previous: 'running',
    });
    expect(byTopic('acme/plant1/line1/press/downtime')).toMatchObject({
      id: `press-dt-${t}`,
      eventId: 'press-000000002',
      seq: 2,
      phase: 'started',
      start: '2026-03-02T06:00:00.123Z',
      reason: 'jam',
      category: 'breakdown',
    });
    expect(byTopic('acme/plant1/line1/press/cycle')).toEqual({
      id: 'press-000000003',
      eventId: 'press-000000003',
      seq: 3,
      ts: '2026-03-02T06:00:01.123Z',
      cycleTimeMs: 12_000,
      good: true,
    });
    expect(byTopic('acme/plant1/line1/press/oee')).toMatchObject({
      eventId: 'press-000000004',
      seq: 4,
      shift: 'early',
      availability: 0.9,
      performance: 0.85,
      quality: 0.98,
      counts: { total: 300, good: 294, reject: 6 },
    });
    expect(byTopic('acme/plant1/line1/oee')).toMatchObject({ eventId: 'line1-000000005', seq: 5 });
    expect(byTopic('acme/plant1/line1/press/alert')).toEqual({
      id: 'press-cycle-drift-1',
      eventId: 'press-000000006',
      seq: 6,
      ts: new Date(t + 5_000).toISOString(),
      kind: 'cycle_drift',
      severity: 'warning',
      status: 'active',
      evidence: { slopeMsPerHour: 420 },
      predictedFailureAt: new Date(t + 86_400_000).toISOString(),
    });
    expect(sub.messages.find((m) => m.topic === 'acme/plant1/agents/agent1/status')?.text).toBe('online');
  });

  it('retains state, OEE and status so a late subscriber sees the current value, but not cycles', async () => {
    const { spool, publisher } = setup({}, 'agent-retain');
    const t = Date.UTC(2026, 2, 2, 7);
    spool.appendEvent(state('weld', 1, t, 'down', 'running'));
    spool.appendEvent(state('weld', 2, t + 60_000, 'running', 'down'));
    spool.appendEvent(cycle('weld', 3, t + 70_000));
    spool.appendEvent(oee('weld', 4, t + 80_000));
    await publisher.start();
    await waitUntil(
      () => spool.ackedId('mqtt') === spool.lastCommittedId() && spool.lastCommittedId() > 0,
      'all rows acknowledged',
    );

    const late = await subscribe(['acme/plant1/line1/weld/#', 'acme/plant1/agents/agent-retain/status', BARRIER_TOPIC]);
    // The retained messages were queued for `late` on its SUBSCRIBE: all of them are in once the
    // barrier is, so a retained cycle would be among them.
    await drain(late);
    const retained = late.messages.filter((m) => m.topic !== BARRIER_TOPIC);
    const topics = retained.map((m) => m.topic).sort();
    expect(topics).toEqual([
      'acme/plant1/agents/agent-retain/status',
      'acme/plant1/line1/weld/oee',
      'acme/plant1/line1/weld/state',
    ]);
    expect(retained.every((m) => m.retain)).toBe(true);
    expect(retained.find((m) => m.topic.endsWith('/state'))?.json).toMatchObject({ state: 'running', seq: 2 });
  });

  it('publishes samples by exception on agents/<id>/tags/<device>/<tag> when enabled', async () => {
    const sub = await subscribe(['acme/plant1/agents/agent-tags/tags/#', BARRIER_TOPIC]);
    const { spool, publisher } = setup({ samples: { publish: true, qos: 1 } }, 'agent-tags');
    const t = Date.UTC(2026, 2, 2, 8);
    const values = [20.5, 20.5, 20.5, 21, 21, 20.5];
    values.forEach((v, i) => spool.appendSample(sample('plc1.temp', v, t + i * 1_000)));
    spool.appendSample({ tag: 'gpio.door.level', value: true, ts: t, mono: 0 });
    await publisher.start();
    await waitUntil(
      () => spool.ackedId('mqtt') === spool.lastCommittedId() && spool.lastCommittedId() > 0,
      'all rows acknowledged',
    );
    // Every row is PUBACKed, so the broker has queued every message the publisher sent for `sub`
    // (mosquitto queues a QoS 1 message for its subscribers before it PUBACKs it): all of them,
    // a repeated unchanged value included, are in once the barrier is.
    await drain(sub);
    expect(sub.on('acme/plant1/agents/agent-tags/tags/plc1/temp').map((m) => m.json)).toEqual([
      { value: 20.5, ts: new Date(t).toISOString() },
      { value: 21, ts: new Date(t + 3_000).toISOString() },
      { value: 20.5, ts: new Date(t + 5_000).toISOString() },
    ]);
    expect(sub.on('acme/plant1/agents/agent-tags/tags/gpio/door/level').map((m) => m.json?.value)).toEqual([true]);
  });

  it('marks the agent offline on a clean stop', async () => {
    const { publisher } = setup({}, 'agent-stop');
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'connected');
    await publisher.stop();
    const sub = await subscribe(['acme/plant1/agents/agent-stop/status']);
    await sub.waitFor((m) => m.length >= 1, 'retained status');
    expect(sub.messages[0]).toMatchObject({ text: 'offline', retain: true });
  });

  it('reports health: connected, published count, empty backlog', async () => {
    const { spool, publisher } = setup({}, 'agent-health');
    for (let i = 1; i <= 20; i++) spool.appendEvent(cycle('pack', i, Date.UTC(2026, 2, 2, 9) + i * 10_000));
    await publisher.start();
    await waitUntil(() => publisher.health().published >= 20, '20 publishes');
    await waitUntil(() => publisher.health().backlog === 0, 'empty backlog', 5_000);
    expect(publisher.health()).toMatchObject({
      broker: broker.url,
      clientId: 'lineside-agent-health',
      protocolVersion: 5,
      connected: true,
      inFlight: 0,
      rejected: 0,
      oldestUnsentAgeMs: 0,
    });
    expect(publisher.health().lastError).toBeUndefined();
  });
});

describe('MQTT 5 receive maximum', () => {
  it("never has more unacknowledged messages in flight than the broker's receive maximum", async () => {
    const small = await startMosquitto({ extraConf: 'max_inflight_messages 3\n' }); // advertised as receiveMaximum 3
    cleanups.push(() => small.close());
    const dir = createTempDir('mqtt-receive-max');
    cleanups.push(() => removeTempDir(dir));
    const spool = openTestSpool(dir, ['mqtt']);
    cleanups.push(() => spool.close());
    const config = testConfig({ agentId: 'agent-rm', mqtt: { url: small.url, protocolVersion: 5 } });
    const publisher = createMqttPublisher({ config, spool, clock: systemClock, logger: silentLogger });
    cleanups.push(() => publisher.stop());
    const t = Date.UTC(2026, 2, 2, 10);
    for (let i = 1; i <= 600; i++) spool.appendEvent(cycle('press', i, t + i * 1_000));
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, publisher.health().inFlight);
    }, 1);
    cleanups.push(() => clearInterval(sampler));
    await publisher.start();
    await waitUntil(
      () => spool.ackedId('mqtt') === spool.lastCommittedId() && spool.lastCommittedId() > 0,
      'all 600 acknowledged',
    );
    expect(publisher.health().published).toBe(600);
    expect(maxInFlight).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });
});
