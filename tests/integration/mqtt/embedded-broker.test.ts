/**
 * `mqtt.url: embedded`: the agent starts aedes on 127.0.0.1 and publishes to it with MQTT 3.1.1;
 * other local clients (mosquitto_sub, Node-RED, Grafana) subscribe. Also: credentials enforced
 * when configured, a clear error when the port is taken, the port freed on stop.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { LinesideError } from '../../../src/lib/errors.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { startEmbeddedBroker } from '../../../src/outputs/broker/index.js';
import { FanOut } from '../../../src/agent/fanout.js';
import type { CoreEvent } from '../../../src/core/events.js';
import type { Sample } from '../../../src/core/sample.js';
import { mqttOutput } from '../../../src/outputs/mqtt/factory.js';
import type { MqttPublisher } from '../../../src/outputs/mqtt/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { requireBinary } from '../../helpers/binaries.js';
import { canConnect, freePort } from '../../helpers/ports.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle, state } from '../spool/make-events.js';
import { startSubscriber, waitUntil } from './subscriber.js';
import { testConfig } from './test-config.js';
import { openTestSpool } from '../../helpers/test-spool.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function embeddedAgent(
  mqttExtra: Record<string, unknown> = {},
): Promise<{ spool: Spool; publisher: MqttPublisher; port: number; stopAll(): Promise<void> }> {
  const port = await freePort();
  const dir = createTempDir('mqtt-embedded');
  cleanups.push(() => removeTempDir(dir));
  const spool = openTestSpool(dir, ['mqtt']);
  cleanups.push(() => spool.close());
  const config = testConfig({ mqtt: { url: 'embedded', embedded: { port }, protocolVersion: 5, ...mqttExtra } });
  // As the agent builds it: the broker is a component of its own, started before the publisher
  // and stopped after it.
  const { output, components } = mqttOutput.create({
    config,
    spool,
    clock: systemClock,
    logger: silentLogger,
    events: new FanOut<CoreEvent>(silentLogger),
    samples: new FanOut<Sample>(silentLogger),
  });
  const [broker, publisherComponent] = components;
  if (broker === undefined || publisherComponent === undefined)
    throw new Error('expected the broker and the publisher');
  const publisher = output as MqttPublisher;
  await broker.start();
  cleanups.push(() => broker.stop());
  cleanups.push(() => publisher.stop());
  return {
    spool,
    publisher,
    port,
    stopAll: async () => {
      await publisherComponent.stop();
      await broker.stop();
    },
  };
}

describe('embedded broker', () => {
  it('serves the agent and local subscribers on 127.0.0.1 with MQTT 3.1.1, and frees the port on stop', async () => {
    const { spool, publisher, port, stopAll } = await embeddedAgent();
    const t = Date.UTC(2026, 2, 2, 6);
    spool.appendEvent(state('press', 1, t, 'running', 'down'));
    spool.appendEvent(cycle('press', 2, t + 10_000));
    await publisher.start();
    await waitUntil(
      () =>
        publisher.health().connected &&
        spool.ackedId('mqtt') === spool.lastCommittedId() &&
        spool.lastCommittedId() > 0,
      'delivery',
    );
    expect(publisher.health()).toMatchObject({ protocolVersion: 4, embeddedBroker: { host: '127.0.0.1', port } });

    // mosquitto_sub, as a plant engineer would check it: reads the retained state.
    const mosquittoSub = requireBinary('mosquitto_sub', 'mosquitto-clients');
    const { stdout } = await run(mosquittoSub, [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-t',
      'acme/plant1/line1/press/state',
      '-C',
      '1',
      '-W',
      '10',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ eventId: 'press-000000001', state: 'running' });

    const sub = await startSubscriber(`mqtt://127.0.0.1:${port}`, ['acme/plant1/agents/agent1/status']);
    await sub.waitFor((m) => m.length > 0, 'status');
    expect(sub.messages[0]?.text).toBe('online');
    await sub.close();

    await stopAll();
    expect(await canConnect(port)).toBe(false);
  });

  it('requires the configured credentials from every client', async () => {
    const { publisher, port } = await embeddedAgent({ username: 'grafana', password: 'pa55-word' });
    await publisher.start();
    await waitUntil(() => publisher.health().connected, 'the agent connected with the credentials');
    const anonymous = mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5_000 });
    await expect(anonymous).rejects.toThrow(/Bad username or password|Not authorized/);
    const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      username: 'grafana',
      password: 'pa55-word',
    });
    await ok.endAsync(true);
  });

  it('fails to start with SERVER_START naming the address when the port is taken', async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const error = await startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(LinesideError);
    expect((error as LinesideError).code).toBe('SERVER_START');
    expect((error as LinesideError).message).toContain(`127.0.0.1:${port}`);
  });
});
