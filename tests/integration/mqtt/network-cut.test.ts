/**
 * A network cut while messages are in flight: the broker stops answering (SIGSTOP, as when a
 * switch dies and the TCP connection goes silent), the publisher keeps sending into the dead
 * connection, then the broker dies for good (SIGKILL) and comes back. Every message that had not
 * been acknowledged must be resent from the spool: none of those may be lost.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createMqttPublisher } from '../../../src/outputs/mqtt/index.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle } from '../spool/make-events.js';
import { startSubscriber, waitUntil } from './subscriber.js';
import { testConfig } from './test-config.js';
import { openTestSpool } from '../../helpers/test-spool.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Pid of the mosquitto started with this exact config file (ours, not any other), from /proc. */
function mosquittoPid(dir: string): number {
  const conf = path.join(dir, 'mosquitto.conf');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(conf)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no mosquitto running with ${conf}`);
}

describe('network cut with messages in flight', () => {
  it('resends every message the broker had not acknowledged when the connection died', async () => {
    const data = createTempDir('mosquitto-data');
    cleanups.push(() => removeTempDir(data));
    // autosave every second: the consumer's persistent session survives the broker's SIGKILL.
    const broker = await startMosquitto({
      extraConf: `persistence true\npersistence_location ${data}/\nautosave_interval 1\nmax_queued_messages 0\n`,
    });
    cleanups.push(() => broker.close());
    const sub = await startSubscriber(broker.url, ['acme/plant1/line1/press/cycle'], {
      clientId: 'cut-consumer',
      persistent: true,
    });
    cleanups.push(() => sub.close());

    const dir = createTempDir('mqtt-cut');
    cleanups.push(() => removeTempDir(dir));
    const spool = openTestSpool(dir, ['mqtt']);
    cleanups.push(() => spool.close());
    const config = testConfig({
      mqtt: { url: broker.url, protocolVersion: 4, reconnectMin: '100ms', reconnectMax: '500ms' },
    });
    const publisher = createMqttPublisher({ config, spool, clock: systemClock, logger: silentLogger });
    cleanups.push(() => publisher.stop());
    await publisher.start();

    let seq = 0;
    const generator = setInterval(() => spool.appendEvent(cycle('press', ++seq, Date.now())), 5);
    cleanups.push(() => clearInterval(generator));
    await sub.waitFor((m) => m.length >= 50, 'live cycles');
    await new Promise((r) => setTimeout(r, 2_500)); // the broker has autosaved the consumer's session

    const pid = mosquittoPid(broker.dir);
    process.kill(pid, 'SIGSTOP');
    try {
      // The batch in flight when the broker fell silent is never acknowledged; the rows after it
      // wait in the spool.
      await waitUntil(() => publisher.health().inFlight >= 1, 'unacknowledged messages in flight');
      await new Promise((r) => setTimeout(r, 300)); // PUBACKs sent before the stop have arrived
      expect(publisher.health().inFlight).toBeGreaterThanOrEqual(1);
      const stuckAt = spool.ackedId('mqtt');
      await new Promise((r) => setTimeout(r, 500));
      expect(spool.ackedId('mqtt')).toBe(stuckAt);
      expect(spool.lastCommittedId()).toBeGreaterThan(stuckAt + 50);
      expect(publisher.health().connected).toBe(true); // it cannot know yet
    } finally {
      await broker.kill9(); // SIGKILL also ends a stopped process
    }
    await broker.start();
    await waitUntil(
      () => publisher.health().connectionLosses >= 1 && publisher.health().connected,
      'reconnect',
      30_000,
    );
    clearInterval(generator);
    spool.flush();
    const last = seq;
    await waitUntil(() => spool.ackedId('mqtt') === spool.lastCommittedId(), 'everything acknowledged', 30_000);

    await sub.waitFor((m) => new Set(m.map((x) => x.json?.seq)).size >= last, `all ${last} cycles`, 30_000);
    const firstSeen: number[] = [];
    const seen = new Set<number>();
    for (const m of sub.messages) {
      const s = Number(m.json?.seq);
      if (!seen.has(s)) {
        seen.add(s);
        firstSeen.push(s);
      }
    }
    expect(firstSeen).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  }, 90_000);
});
