/**
 * A broker that refuses the credentials: a clear MQTT_AUTH error naming broker and user (never the
 * password), logged once however often we retry, visible in health; the agent keeps spooling, and
 * once the credentials are right everything spooled meanwhile is delivered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createMqttPublisher, type MqttPublisher } from '../../../src/outputs/mqtt/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { mosquittoPasswordFile, startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { captureLogger } from '../spool/log-capture.js';
import { cycle } from '../spool/make-events.js';
import { startSubscriber, waitUntil } from './subscriber.js';
import { testConfig } from './test-config.js';
import { openTestSpool } from '../../helpers/test-spool.js';

const USER = 'line3';
const PASSWORD = 's3cret-line3';
const WRONG = 'not-the-password-42';

let broker: MosquittoHandle;
let passwdDir: string;
beforeAll(async () => {
  passwdDir = createTempDir('mosquitto-passwd');
  const file = await mosquittoPasswordFile(passwdDir, USER, PASSWORD);
  broker = await startMosquitto({ extraConf: `allow_anonymous false\npassword_file ${file}\n` });
});
afterAll(async () => {
  await broker.close();
  removeTempDir(passwdDir);
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each([4, 5] as const)('refused credentials, MQTT protocol version %i', (protocolVersion) => {
  it('reports MQTT_AUTH naming broker and user, logs it once, keeps spooling, delivers after the fix', async () => {
    const dir = createTempDir('mqtt-auth');
    cleanups.push(() => removeTempDir(dir));
    const log = captureLogger();
    const spool: Spool = openTestSpool(dir, ['mqtt'], 20, log.logger);
    cleanups.push(() => spool.close());
    const agentId = `auth-v${protocolVersion}`;
    const wrong = createMqttPublisher({
      config: testConfig({
        agentId,
        mqtt: {
          url: broker.url,
          protocolVersion,
          username: USER,
          password: WRONG,
          reconnectMin: '50ms',
          reconnectMax: '100ms',
        },
      }),
      spool,
      clock: systemClock,
      logger: log.logger,
    });
    cleanups.push(() => wrong.stop());
    await wrong.start();
    const t = Date.UTC(2026, 2, 2, 6);
    for (let seq = 1; seq <= 10; seq++) spool.appendEvent(cycle('press', seq, t + seq * 10_000));

    await waitUntil(() => wrong.health().connectAttempts >= 4, 'four refused attempts');
    const health = wrong.health();
    expect(health.connected).toBe(false);
    expect(health.lastErrorCode).toBe('MQTT_AUTH');
    expect(health.lastError).toContain(broker.url);
    expect(health.lastError).toContain(`"${USER}"`);
    const authLines = log.lines.filter((l) => l.msg.startsWith('MQTT_AUTH'));
    expect(authLines).toHaveLength(1); // once per change, not once per retry
    expect(authLines[0]?.level).toBe(50);
    expect(log.text()).not.toContain(WRONG);

    // Spooling goes on while the broker refuses us.
    for (let seq = 11; seq <= 20; seq++) spool.appendEvent(cycle('press', seq, t + seq * 10_000));
    spool.flush();
    expect(spool.health()).toMatchObject({ events: 20 });
    expect(spool.ackedId('mqtt')).toBe(0);
    await wrong.stop();

    const sub = await startSubscriber(broker.url, ['acme/plant1/line1/press/cycle'], {
      username: USER,
      password: PASSWORD,
    });
    cleanups.push(() => sub.close());
    const right = createMqttPublisher({
      config: testConfig({ agentId, mqtt: { url: broker.url, protocolVersion, username: USER, password: PASSWORD } }),
      spool,
      clock: systemClock,
      logger: log.logger,
    });
    cleanups.push(() => right.stop());
    await right.start();
    await sub.waitFor((m) => m.length >= 20, 'all 20 spooled cycles');
    expect(sub.messages.map((m) => m.json?.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(right.health().lastError).toBeUndefined();
  });
});

describe('unreachable broker', () => {
  it('reports MQTT_CONNECT with the address, once, and retries with backoff', async () => {
    const dir = createTempDir('mqtt-unreachable');
    cleanups.push(() => removeTempDir(dir));
    const log = captureLogger();
    const spool = openTestSpool(dir, ['mqtt'], 20, log.logger);
    cleanups.push(() => spool.close());
    // A port nothing listens on: the broker that was stopped for maintenance.
    const closed = await startMosquitto();
    const url = closed.url;
    await closed.close();
    const publisher: MqttPublisher = createMqttPublisher({
      config: testConfig({ mqtt: { url, reconnectMin: '20ms', reconnectMax: '80ms' } }),
      spool,
      clock: systemClock,
      logger: log.logger,
    });
    cleanups.push(() => publisher.stop());
    await publisher.start();
    await waitUntil(() => publisher.health().connectAttempts >= 5, 'five attempts');
    expect(publisher.health().lastErrorCode).toBe('MQTT_CONNECT');
    expect(publisher.health().lastError).toContain('ECONNREFUSED');
    expect(publisher.health().lastError).toContain(url);
    expect(log.lines.filter((l) => l.msg.startsWith('MQTT_CONNECT'))).toHaveLength(1);
  });
});
