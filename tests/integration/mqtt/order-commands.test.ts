/**
 * Order commands over MQTT (docs/mqtt.md#commands), through a real mosquitto into a real core: a
 * user's API token with the right role starts and stops an order and gets the answer on the
 * result topic (or an MQTT 5 response topic); a wrong token, a role without the right, a
 * malformed message and a retained command are refused or ignored; the token is never logged.
 */
import mqtt from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { mqttCommandsComponent } from '../../../src/agent/mqtt-commands.js';
import { createCore, type Core } from '../../../src/core/index.js';
import type { OrderEvent } from '../../../src/core/events.js';
import type { Component } from '../../../src/lib/component.js';
import { systemClock } from '../../../src/lib/clock.js';
import { commandsPortOf } from '../../../src/server/adapt-core.js';
import { tokenPrincipal } from '../../../src/server/auth.js';
import { UserDirectory } from '../../../src/users/directory.js';
import { tokenDigest, writeUsers } from '../../../src/users/users-file.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { captureLogger, type CapturedLogger } from '../spool/log-capture.js';
import { startSubscriber, type Subscriber } from './subscriber.js';
import { configYaml } from './test-config.js';

const ANNA = 'anna-token-7f3c9a1e5b2d4c6f8a0b';
const MAX = 'max-token-1a2b3c4d5e6f7a8b9c0d';
const AT = '2026-12-01T06:00:00.000Z';
const CMD = 'acme/plant1/line1/order/cmd';
const RESULT = 'acme/plant1/line1/order/cmd/result';

let broker: MosquittoHandle;
let dir: string;
let core: Core;
let channel: Component;
let log: CapturedLogger;
let results: Subscriber;
const orders: OrderEvent[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  dir = createTempDir('lineside-order-cmd-');
  const usersFile = join(dir, 'users.json');
  writeUsers(usersFile, {
    version: 1,
    users: [
      { name: 'anna', role: 'operator', tokenSha256: tokenDigest(ANNA), created: AT, updated: AT },
      { name: 'max', role: 'maintenance', tokenSha256: tokenDigest(MAX), created: AT, updated: AT },
    ],
  });
  const yaml = `${configYaml({ mqtt: { url: broker.url, commands: true } })}server:\n  usersFile: ${usersFile}\n`;
  const loaded = loadConfigText(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const config = loaded.config;
  core = createCore(config, { clock: systemClock });
  core.on((e) => (e.type === 'order' ? orders.push(e) : undefined));
  log = captureLogger();
  const directory = new UserDirectory(usersFile, log.logger);
  channel = mqttCommandsComponent({
    config,
    clock: systemClock,
    logger: log.logger,
    commands: commandsPortOf(core),
    principalOf: (token) => tokenPrincipal(token, undefined, directory),
    rateLimit: { perSecond: 1_000, burst: 1_000 },
  });
  await channel.start();
  results = await startSubscriber(broker.url, [RESULT]);
  // The channel subscribes once connected: wait for it.
  await waitForLog('listening for order commands');
});

afterAll(async () => {
  await results?.close();
  await channel?.stop();
  await broker?.close();
  removeTempDir(dir);
});

async function waitForLog(text: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (log.matching(text).length === 0) {
    if (Date.now() > until) throw new Error(`no log line "${text}"`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Publishes a command and waits for the answer with its request id. */
async function command(body: Record<string, unknown> | string, requestId: string): Promise<Record<string, unknown>> {
  const payload = typeof body === 'string' ? body : JSON.stringify({ ...body, requestId });
  const before = results.messages.length;
  await results.client.publishAsync(CMD, payload, { qos: 1 });
  // A message that is not JSON has no request id to echo: its answer is the next one.
  const answer = () =>
    results.messages
      .slice(before)
      .find((x) => x.topic === RESULT && (typeof body === 'string' || x.json?.['requestId'] === requestId));
  await results.waitFor(() => answer() !== undefined, `the answer to ${requestId}`);
  return answer()?.json ?? {};
}

describe('order commands over MQTT', () => {
  it('a user allowed to run orders starts and stops one with their API token', async () => {
    const started = await command(
      { action: 'start', token: ANNA, id: '4711', quantity: 500, due: '2026-12-05T14:00:00Z', note: 'from MES' },
      'r1',
    );
    expect(started).toMatchObject({
      requestId: 'r1',
      ok: true,
      action: 'start',
      order: { id: '4711', quantity: 500, good: 0, status: 'running' },
      by: { user: 'anna', role: 'operator', via: 'api-token', note: 'from MES' },
    });
    expect(core.snapshot()[0]?.order?.id).toBe('4711');
    const stopped = await command({ action: 'stop', token: ANNA }, 'r2');
    expect(stopped).toMatchObject({
      requestId: 'r2',
      ok: true,
      action: 'stop',
      order: { id: '4711', status: 'stopped' },
    });
    expect(orders.map((e) => [e.phase, e.orderId, e.by?.user])).toEqual([
      ['started', '4711', 'anna'],
      ['stopped', '4711', 'anna'],
    ]);
    expect(log.text()).not.toContain(ANNA);
  });

  it('refuses a wrong token, a role without the right, a malformed command and the core’s own refusals', async () => {
    expect(await command({ action: 'start', token: 'nope', id: 'x', quantity: 5 }, 'r3')).toMatchObject({
      requestId: 'r3',
      ok: false,
      code: 'UNAUTHORIZED',
    });
    const forbidden = await command({ action: 'start', token: MAX, id: 'x', quantity: 5 }, 'r4');
    expect(forbidden).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(String(forbidden['message'])).toContain('max (maintenance) may not start or stop orders');
    const bad = await command({ action: 'start', token: ANNA, id: 'x', quantity: -1 }, 'r5');
    expect(bad).toMatchObject({ requestId: 'r5', ok: false, code: 'BAD_REQUEST' });
    expect(String(bad['message'])).toContain('quantity');
    expect(await command({ action: 'launch', token: ANNA }, 'r6')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await command('{not json', 'r7')).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
      message: 'the command is not JSON',
    });
    expect(await command({ action: 'stop', token: ANNA }, 'r8')).toMatchObject({ ok: false, code: 'NO_ORDER' });
    expect(await command({ action: 'start', token: ANNA, id: 'y', quantity: 5, product: 'zz' }, 'r9')).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PRODUCT',
    });
    expect(log.text()).not.toContain(ANNA);
    expect(log.text()).not.toContain(MAX);
  });

  it('a retained command runs once, not again on every reconnect', async () => {
    // The broker forwards it live like any message (retain flag off): it runs once.
    await results.client.publishAsync(
      CMD,
      JSON.stringify({ action: 'start', token: ANNA, id: 'retained', quantity: 5, requestId: 'r10' }),
      { qos: 1, retain: true },
    );
    await results.waitFor((m) => m.some((x) => x.json?.['requestId'] === 'r10'), 'the answer to r10');
    expect(await command({ action: 'stop', token: ANNA }, 'r11')).toMatchObject({ ok: true });
    // A new connection gets it again as a retained message: ignored.
    await channel.stop();
    await channel.start();
    await waitForLog('ignored a retained order command');
    expect(orders.filter((e) => e.orderId === 'retained' && e.phase !== 'stopped').length).toBe(1);
    expect(core.snapshot()[0]?.order).toBeUndefined();
    await results.client.publishAsync(CMD, '', { qos: 1, retain: true }); // clear it
  });

  it('answers on an MQTT 5 response topic with the correlation data', async () => {
    const v5 = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `v5-${process.pid}` });
    try {
      const answers: Array<{ json: Record<string, unknown>; correlation: string | undefined }> = [];
      v5.on('message', (_topic, payload, packet) =>
        answers.push({
          json: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
          correlation: packet.properties?.correlationData?.toString('utf8'),
        }),
      );
      await v5.subscribeAsync('mes/replies/1', { qos: 1 });
      await v5.publishAsync(CMD, JSON.stringify({ action: 'start', token: ANNA, id: 'v5-order', quantity: 3 }), {
        qos: 1,
        properties: { responseTopic: 'mes/replies/1', correlationData: Buffer.from('corr-42') },
      });
      const until = Date.now() + 10_000;
      while (answers.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(answers[0]).toMatchObject({ json: { ok: true, order: { id: 'v5-order' } }, correlation: 'corr-42' });
    } finally {
      await v5.endAsync();
    }
  });
});
