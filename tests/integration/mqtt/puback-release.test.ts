/**
 * A spool row is released only on PUBACK, for it and every row before it, and no more than the
 * in-flight window is ever unacknowledged. The broker is a real aedes whose authorizePublish hook
 * holds messages, so the test decides when each PUBACK goes out.
 */
import net from 'node:net';
import { Aedes, type PublishPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createMqttPublisher } from '../../../src/outputs/mqtt/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle } from '../spool/make-events.js';
import { waitUntil } from './subscriber.js';
import { testConfig } from './test-config.js';
import { openTestSpool } from '../../helpers/test-spool.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Held {
  seq: number;
  release: () => void;
}

async function holdingBroker(): Promise<{ url: string; held: Held[] }> {
  const held: Held[] = [];
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, packet: PublishPacket, callback) => {
      if (!packet.topic.endsWith('/cycle')) {
        callback(null);
        return;
      }
      const seq = Number((JSON.parse(packet.payload.toString()) as { seq: number }).seq);
      held.push({ seq, release: () => callback(null) });
    },
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address() as net.AddressInfo;
  return { url: `mqtt://127.0.0.1:${address.port}`, held };
}

describe('release on PUBACK', () => {
  it('moves the spool cursor only past rows the broker acknowledged, in order, with at most the window in flight', async () => {
    const { url, held } = await holdingBroker();
    const dir = createTempDir('mqtt-puback');
    cleanups.push(() => removeTempDir(dir));
    const spool = openTestSpool(dir, ['mqtt']);
    cleanups.push(() => spool.close());
    const config = testConfig({ mqtt: { url, protocolVersion: 4 } });
    const publisher = createMqttPublisher({
      config,
      spool,
      clock: systemClock,
      logger: silentLogger,
      tuning: { inflightWindow: 5 },
    });
    cleanups.push(() => publisher.stop());

    const t = Date.UTC(2026, 2, 2, 6);
    const ids = Array.from({ length: 12 }, (_, i) => spool.appendEvent(cycle('press', i + 1, t + i * 10_000)));
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, publisher.health().inFlight);
    }, 1);
    cleanups.push(() => clearInterval(sampler));
    await publisher.start();
    // The window fills (the "online" status shares it) and the pump stops there. A publish and
    // its in-flight count happen together, synchronously, inside one pump: once the count reached
    // the window, the pump that filled it has returned, and a pump sending past it would show here.
    await waitUntil(() => publisher.health().inFlight >= 5 && held.length >= 3, 'a full window');
    expect(publisher.health().inFlight).toBe(5);
    expect(publisher.health().published).toBe(0);
    expect(spool.ackedId('mqtt')).toBe(0);

    // Acknowledge everything held except seq 1: the freed slots are refilled, never overfilled,
    // and nothing may be released. Barrier: every PUBACK was counted (the cursor moves, if at all,
    // in the same callback that counts it) and the pump those PUBACKs triggered has sent again.
    const heldNow = held.length;
    for (const h of held.slice(1)) h.release();
    await waitUntil(
      () => publisher.health().published === heldNow - 1 && publisher.health().inFlight >= 5,
      'PUBACKs of all but seq 1, and the window refilled',
    );
    expect(publisher.health().inFlight).toBe(5);
    expect(spool.ackedId('mqtt')).toBe(0);

    // Acknowledge seq 1: the cursor jumps past every acknowledged row at once.
    held[0]?.release();
    await waitUntil(() => spool.ackedId('mqtt') >= (ids[heldNow - 1] ?? Infinity), `release through seq ${heldNow}`);

    // Then acknowledge the rest as it arrives.
    for (let i = heldNow; i < 12; i++) {
      await waitUntil(() => held.length > i, `seq ${i + 1} sent`);
      held[i]?.release();
    }
    await waitUntil(() => spool.ackedId('mqtt') === ids[11], 'everything released');
    expect(held.map((h) => h.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(publisher.health().published).toBe(12);
    expect(maxInFlight).toBe(5);
  });
});
