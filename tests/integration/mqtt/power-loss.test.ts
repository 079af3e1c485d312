/**
 * kill -9 of the agent process: during an outage (nothing spooled may be lost, and seq must
 * continue without reusing an id), and while connected (the broker publishes the last will
 * "offline"; after a restart the status is "online" again and every station's retained state is
 * current, even though the broker restarted without persistence in between).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { PublisherAgent, type CommittedEvent } from '../../helpers/publisher-process.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { checkDelivery } from './delivery-check.js';
import { startSubscriber, type Subscriber } from './subscriber.js';
import { STATIONS } from './test-config.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = createTempDir(prefix);
  cleanups.push(() => removeTempDir(dir));
  return dir;
}

async function broker(extraConf = ''): Promise<MosquittoHandle> {
  const b = await startMosquitto({ extraConf });
  cleanups.push(() => b.close());
  return b;
}

async function subscriber(url: string, filters: string[], persistentId?: string): Promise<Subscriber> {
  const s = await startSubscriber(
    url,
    filters,
    persistentId === undefined ? {} : { clientId: persistentId, persistent: true },
  );
  cleanups.push(() => s.close());
  return s;
}

function agentFor(dir: string, url: string, agentId: string): PublisherAgent {
  const agent = new PublisherAgent({
    dir,
    brokerUrl: url,
    agentId,
    eventIntervalMs: 30,
    reconnectMinMs: 200,
    reconnectMaxMs: 1_000,
  });
  cleanups.push(() => agent.close());
  return agent;
}

const maxSeq = (events: readonly CommittedEvent[], station: string, run: number): number =>
  Math.max(0, ...events.filter((e) => e.station === station && e.run === run).map((e) => e.seq));
const minSeq = (events: readonly CommittedEvent[], station: string, run: number): number =>
  Math.min(...events.filter((e) => e.station === station && e.run === run).map((e) => e.seq));

describe('agent killed with kill -9', () => {
  it('loses nothing that was spooled when killed during an outage, and continues each station seq', async () => {
    const data = tempDir('mosquitto-data');
    const mosquitto = await broker(`persistence true\npersistence_location ${data}/\nmax_queued_messages 0\n`);
    const sub = await subscriber(mosquitto.url, ['acme/plant1/line1/+/+'], 'powerloss-consumer');
    const agent = agentFor(tempDir('powerloss-spool'), mosquitto.url, 'agent-pl');
    await agent.start();
    await sub.waitFor((m) => m.length >= 30, 'live events');

    await mosquitto.stop();
    const before = agent.committed.length;
    await agent.waitFor(() => agent.committed.length - before > 60, 'events spooled during the outage');
    await agent.kill9(); // the power cut: no flush, no clean disconnect
    const run1 = agent.committed.filter((e) => e.run === 1);

    await agent.start(); // still no broker: the second run spools on top
    await agent.waitFor(
      () =>
        agent.committed.some((e) => e.run === 2 && e.seq > 0) && agent.committed.filter((e) => e.run === 2).length > 30,
      'run 2 spooling',
    );
    await mosquitto.start();
    await agent.waitFor(
      () => (agent.mqttHealth?.connected ?? false) && agent.mqttHealth?.backlog === 0,
      'the backlog to drain',
      60_000,
    );
    await agent.stop();

    const committed = agent.committed;
    await sub.waitFor(
      () => checkDelivery(committed, sub.messages).missing.length === 0,
      'every committed event',
      30_000,
    );
    const report = checkDelivery(committed, sub.messages);
    expect(report.missing).toEqual([]);
    expect(report.conflicting).toEqual([]); // no seq/id was reused for a different event
    expect(report.outOfOrder).toEqual([]);
    expect(report.wrongTs).toEqual([]);
    expect(run1.length).toBeGreaterThan(60);
    for (const station of STATIONS) {
      expect(minSeq(committed, station, 2)).toBeGreaterThan(maxSeq(committed, station, 1));
    }
  }, 120_000);

  it('shows offline through the last will, then online with every station state current after restart', async () => {
    const mosquitto = await broker(); // persistence false: a broker restart forgets retained messages
    const agent = agentFor(tempDir('will-spool'), mosquitto.url, 'agent-will');
    const status = await subscriber(mosquitto.url, ['acme/plant1/agents/agent-will/status']);
    await agent.start();
    await status.waitFor((m) => m.at(-1)?.text === 'online', 'online');
    await agent.waitFor(
      () => STATIONS.every((s) => agent.committed.some((e) => e.station === s && e.type === 'state')),
      'a state for every station',
    );
    await agent.waitFor(() => agent.mqttHealth?.backlog === 0, 'delivery');

    await agent.kill9();
    await status.waitFor((m) => m.at(-1)?.text === 'offline', 'the last will');
    expect(status.messages.at(-1)?.retain).toBe(false); // delivered live; a late subscriber sees it retained:
    const late = await subscriber(mosquitto.url, ['acme/plant1/agents/agent-will/status']);
    await late.waitFor((m) => m.length > 0, 'retained status');
    expect(late.messages[0]).toMatchObject({ text: 'offline', retain: true });

    // The broker restarts without persistence: every retained message is gone.
    await mosquitto.restart();
    await sleep(300);
    // Run 2 appends no new events, so only a republish can restore the retained state.
    await agent.start({ eventIntervalMs: 3_600_000 });
    await agent.waitFor(
      () => (agent.mqttHealth?.connected ?? false) && agent.mqttHealth?.backlog === 0,
      'reconnect and drain',
      30_000,
    );

    const expectCurrent = (messages: Subscriber['messages']): void => {
      for (const station of STATIONS) {
        const lastState = agent.committed.filter((e) => e.station === station && e.type === 'state').at(-1);
        const got = messages.filter((m) => m.topic === `acme/plant1/line1/${station}/state`);
        expect(got.length, station).toBeGreaterThanOrEqual(1);
        expect(got.at(-1)?.json, station).toMatchObject({ eventId: lastState?.eventId, state: lastState?.state });
      }
    };
    const filters = ['acme/plant1/line1/+/state', 'acme/plant1/agents/agent-will/status'];
    const fresh = await subscriber(mosquitto.url, filters);
    await fresh.waitFor((m) => m.length >= STATIONS.length + 1, 'the state of every station and the status');
    expect(fresh.messages.filter((m) => m.topic.endsWith('/status')).at(-1)?.text).toBe('online');
    expectCurrent(fresh.messages);
    // Once the republish is through, a late subscriber gets all of it from the broker's retained store.
    const late2 = await subscriber(mosquitto.url, filters);
    await late2.waitFor((m) => m.length >= STATIONS.length + 1, 'retained state of every station and the status');
    expect(late2.messages.every((m) => m.retain)).toBe(true);
    expect(late2.messages.find((m) => m.topic.endsWith('/status'))?.text).toBe('online');
    expectCurrent(late2.messages);
  }, 120_000);
});
