/**
 * QoS 0 tag values (`mqtt.samples.qos: 0`, the default) against a real mosquitto: published live
 * from the samples tee, never through the spool; by exception; the newest value of each tag only
 * when the socket is behind or the broker is away; every tag current again after the broker
 * restarts without persistence.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/core/sample.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { mqttOutput } from '../../../src/outputs/mqtt/factory.js';
import { createMqttPublisher, type MqttPublisher } from '../../../src/outputs/mqtt/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { openTestSpool } from '../../helpers/test-spool.js';
import { startSubscriber, waitUntil, type Subscriber } from './subscriber.js';
import { testConfig } from './test-config.js';

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

/** The agent's samples tee, reduced to what the publisher uses. */
class Tee {
  private readonly listeners = new Map<string, (s: Sample) => void>();
  add(name: string, listener: (s: Sample) => void): () => void {
    this.listeners.set(name, listener);
    return () => this.listeners.delete(name);
  }
  emit(s: Sample): void {
    for (const l of this.listeners.values()) l(s);
  }
  get size(): number {
    return this.listeners.size;
  }
}

const T0 = Date.UTC(2026, 2, 2, 8);
const at = (tag: string, value: Sample['value'], i: number): Sample => ({
  tag,
  value,
  ts: T0 + i * 100,
  mono: i * 100,
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function setup(agentId: string): { spool: Spool; publisher: MqttPublisher; tee: Tee; topic: (t: string) => string } {
  const dir = createTempDir('mqtt-live');
  const config = testConfig({
    agentId,
    mqtt: {
      url: broker.url,
      protocolVersion: 5,
      reconnectMin: '100ms',
      reconnectMax: '200ms',
      samples: { publish: true },
    },
  });
  const spool = openTestSpool(dir, ['mqtt']);
  const tee = new Tee();
  const publisher = createMqttPublisher({
    config,
    spool,
    clock: systemClock,
    logger: silentLogger,
    samples: tee,
  });
  cleanups.push(
    () => removeTempDir(dir),
    () => spool.close(),
    () => publisher.stop(),
  );
  const topic = (t: string) => `acme/plant1/agents/${agentId}/tags/${t.replace('.', '/')}`;
  return { spool, publisher, tee, topic };
}

async function subscribe(filters: string[]): Promise<Subscriber> {
  const sub = await startSubscriber(broker.url, filters);
  cleanups.push(() => sub.close());
  return sub;
}

describe('QoS 0 tag values, live', () => {
  it('publishes by exception, retained, with the documented payload, and keeps none in the spool', async () => {
    const { publisher, tee, topic } = setup('live-basic');
    const sub = await subscribe([topic('plc1.temp'), topic('plc1.mode'), topic('plc1.bad')]);
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'connected');
    const values = [20.5, 20.5, 21, 21, 20.5];
    // One value per poll (a turn of the event loop: the values of one turn leave together).
    for (const [i, v] of values.entries()) {
      tee.emit(at('plc1.temp', v, i));
      await nextTurn();
    }
    tee.emit(at('plc1.mode', 'auto', 0));
    tee.emit(at('plc1.bad', Number.NaN, 0));
    await sub.waitFor((m) => m.length >= 5, 'five tag messages');
    expect(sub.on(topic('plc1.temp')).map((m) => m.text)).toEqual([
      `{"value":20.5,"ts":"${new Date(T0).toISOString()}"}`,
      `{"value":21,"ts":"${new Date(T0 + 200).toISOString()}"}`,
      `{"value":20.5,"ts":"${new Date(T0 + 400).toISOString()}"}`,
    ]);
    expect(sub.on(topic('plc1.mode')).map((m) => m.json?.value)).toEqual(['auto']);
    expect(sub.on(topic('plc1.bad')).map((m) => m.json?.value)).toEqual([null]);
    expect(publisher.health().published).toBeGreaterThanOrEqual(5);
    // A late subscriber gets the current value from the broker.
    const late = await subscribe([topic('plc1.temp')]);
    await late.waitFor((m) => m.length >= 1, 'the retained value');
    expect(late.messages[0]).toMatchObject({ retain: true, json: { value: 20.5 } });
  });

  it('leaves tag values out of the spool at QoS 0 and keeps them there at QoS 1', () => {
    const config = (qos: 0 | 1) => testConfig({ mqtt: { url: broker.url, samples: { publish: true, qos } } });
    expect(mqttOutput.readsSamples(config(0))).toBe(false);
    expect(mqttOutput.readsSamples(config(1))).toBe(true);
  });

  it('sends only the newest of the values one poll gave a tag', async () => {
    const { publisher, tee, topic } = setup('live-turn');
    const sub = await subscribe([topic('plc1.count')]);
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'connected');
    for (let i = 0; i < 100; i++) tee.emit(at('plc1.count', i, i));
    await sub.waitFor((m) => m.some((x) => x.json?.value === 99), 'the newest value');
    expect(sub.on(topic('plc1.count')).map((m) => m.json?.value)).toEqual([99]);
  });

  it('while the broker hangs and the socket backs up, keeps only each tag’s newest value, in order', async () => {
    const { publisher, tee, topic } = setup('live-hang');
    const sub = await subscribe([`acme/plant1/agents/live-hang/tags/#`]);
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'connected');
    broker.freeze(true);
    cleanups.push(() => broker.freeze(false));
    // 40 tags x 16 KB per "poll": the kernel's socket buffers fill within a few polls.
    const big = 'x'.repeat(16 * 1024);
    const polls = 200;
    for (let poll = 0; poll < polls; poll++) {
      for (let t = 0; t < 40; t++) tee.emit(at(`plc1.t${t}`, `${poll}:${big}`, poll));
      await nextTurn();
    }
    broker.freeze(false);
    const last = (m: { json?: Record<string, unknown> | undefined }) => String(m.json?.value).split(':')[0];
    await sub.waitFor(
      (m) => m.filter((x) => last(x) === String(polls - 1)).length >= 40,
      'the newest value of every tag',
      30_000,
    );
    for (let t = 0; t < 40; t++) {
      const seen = sub.on(topic(`plc1.t${t}`)).map((m) => Number(last(m)));
      expect(seen.length).toBeLessThan(polls); // values the socket could not take were superseded
      expect([...seen].sort((a, b) => a - b)).toEqual(seen); // never an older value after a newer
      expect(seen.at(-1)).toBe(polls - 1);
    }
  });

  it('after the broker restarts without persistence, every tag is current again at once', async () => {
    const { publisher, tee, topic } = setup('live-restart');
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'connected');
    tee.emit(at('plc1.a', 1, 0));
    tee.emit(at('plc1.b', 10, 0));
    await waitUntil(() => publisher.health().published >= 2, 'two values written');
    await broker.stop();
    await waitUntil(() => !publisher.health().connected, 'disconnected');
    // While the broker is away: only the newest of these matters.
    tee.emit(at('plc1.a', 2, 1));
    tee.emit(at('plc1.a', 3, 2));
    await broker.restart();
    await waitUntil(() => publisher.health().connected, 'reconnected');
    const sub = await subscribe([topic('plc1.a'), topic('plc1.b')]);
    await sub.waitFor((m) => m.length >= 2, 'both retained values');
    expect(sub.on(topic('plc1.a')).map((m) => m.json?.value)).toEqual([3]);
    expect(sub.on(topic('plc1.b')).map((m) => m.json?.value)).toEqual([10]);
  });
});
