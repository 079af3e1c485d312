/**
 * The plant subscriber against a real mosquitto: it receives retained ledgers and statuses of
 * the shown site only, survives a dead broker without an unhandled rejection, and reconnects
 * (with the retained messages again) when the broker comes back.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlantConfigSchema } from '../../../src/config/plant-schema.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { PlantSubscriber } from '../../../src/plant/subscriber.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { until } from '../../helpers/wait.js';

let broker: MosquittoHandle;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.close();
});

async function publishRetained(messages: Record<string, string>): Promise<void> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (const [topic, payload] of Object.entries(messages))
    await client.publishAsync(topic, payload, { qos: 1, retain: true });
  await client.endAsync();
}

describe('plant subscriber', () => {
  it('receives the shown sites, survives the broker going away and comes back', async () => {
    await publishRetained({
      'acme/p1/line1/ledger': '{"seq":1}',
      'acme/p1/agents/line1-pi/status': 'online',
      'acme/p2/line9/ledger': '{"seq":1}',
      'acme/p1/line1/press/cycle': '{}',
    });
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    const received: string[] = [];
    const config = PlantConfigSchema.parse({
      enterprise: 'acme',
      sites: ['p1'],
      mqtt: { url: broker.url, reconnectMin: '50ms', reconnectMax: '200ms' },
    });
    const sub = new PlantSubscriber({
      config,
      clock: systemClock,
      logger: silentLogger,
      onMessage: (topic) => received.push(topic),
    });
    try {
      sub.start();
      await until(() => received.length >= 2, 'the retained messages');
      await new Promise((r) => setTimeout(r, 200));
      expect(received.sort()).toEqual(['acme/p1/agents/line1-pi/status', 'acme/p1/line1/ledger']);
      expect(sub.health()).toMatchObject({ connected: true, subscribed: true, messages: 2 });
      expect(sub.health().lastMessageAt).toBeGreaterThan(0);

      await broker.stop();
      await until(() => !sub.health().connected, 'the subscriber to see the broker gone');
      await new Promise((r) => setTimeout(r, 500));
      expect(sub.health().connectAttempts).toBeGreaterThan(1);
      expect(sub.health().lastErrorCode).toBe('MQTT_CONNECT');

      // mosquitto runs without persistence here: the retained messages are published again.
      await broker.start();
      await until(() => sub.health().connected, 'the reconnect', 15_000);
      await publishRetained({ 'acme/p1/line2/ledger': '{"seq":2}' });
      await until(() => received.includes('acme/p1/line2/ledger'), 'a message after the reconnect');
      expect(rejections).toEqual([]);
    } finally {
      await sub.stop();
      process.off('unhandledRejection', onRejection);
    }
  });
});
