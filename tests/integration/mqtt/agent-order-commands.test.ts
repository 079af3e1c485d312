/**
 * The agent wires order commands to its embedded broker (`mqtt.url: embedded`, `mqtt.commands:
 * true`): an MES client publishes a start with a user's API token, the core starts the order, the
 * answer comes on the result topic and the order's retained message on the line's order topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../../src/agent/agent.js';
import { loadConfigText } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { tokenDigest, writeUsers } from '../../../src/users/users-file.js';
import { freePort } from '../../helpers/ports.js';
import { until } from '../../helpers/wait.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'mes-token-5b1e9d0c3a7f4e2b8c6d';
const AT = '2026-12-01T06:00:00.000Z';

describe('order commands on a running agent', () => {
  it('an MES starts an order through the embedded broker and reads the answer and the order topic', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-agent-cmd-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const usersFile = path.join(dir, 'users.json');
    writeUsers(usersFile, {
      version: 1,
      users: [{ name: 'mes', role: 'operator', tokenSha256: tokenDigest(TOKEN), created: AT, updated: AT }],
    });
    const port = await freePort();
    const loaded = loadConfigText(
      `
site: { enterprise: acme, site: plant1 }
agent: { id: line1-pi }
devices:
  - { id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [{ name: partCount, address: 0, type: uint32 }] }
products: [{ id: bracket-a, idealCycleTime: 10s }]
lines:
  - id: line1
    stations: [{ id: press, idealCycleTime: 10s, signals: { cycleCounter: plc1.partCount } }]
mqtt:
  embedded: { port: ${port} }
  commands: true
server: { enabled: false, usersFile: ${JSON.stringify(usersFile)} }
storage: { dir: ${JSON.stringify(dir)}, commitInterval: 20ms }
`,
      { env: {} },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const idle: SourceFactory = {
      name: 'idle',
      enabled: () => true,
      create: () => ({ name: 'idle', start: async () => undefined, stop: async () => undefined, health: () => [] }),
    };
    const agent = createAgent({ config: loaded.config, logger: silentLogger, sources: [idle] });
    cleanups.push(() => agent.stop());
    await agent.start();

    const mes = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => mes.endAsync(true));
    const got = new Map<string, Record<string, unknown>>();
    // The first answer only: a resend after it would be answered ORDER_RUNNING.
    mes.on('message', (topic, payload) => {
      if (topic.endsWith('/result') && got.has(topic)) return;
      got.set(topic, JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    });
    await mes.subscribeAsync(['acme/plant1/line1/order/cmd/result', 'acme/plant1/line1/order'], { qos: 1 });
    // The command connection subscribes after the agent started: resend until it answers.
    const command = JSON.stringify({
      action: 'start',
      token: TOKEN,
      requestId: 'r1',
      id: 'SAP-1',
      product: 'bracket-a',
      quantity: 10,
    });
    const deadline = Date.now() + 10_000;
    while (!got.has('acme/plant1/line1/order/cmd/result')) {
      if (Date.now() > deadline) throw new Error('no answer to the start command');
      await mes.publishAsync('acme/plant1/line1/order/cmd', command, { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got.get('acme/plant1/line1/order/cmd/result')).toMatchObject({
      requestId: 'r1',
      ok: true,
      order: { id: 'SAP-1', product: 'bracket-a', quantity: 10, status: 'running' },
      by: { user: 'mes', role: 'operator', via: 'api-token' },
    });
    expect(agent.core.snapshot()[0]?.order?.id).toBe('SAP-1');
    await until(() => got.has('acme/plant1/line1/order'), 'the retained order message');
    expect(got.get('acme/plant1/line1/order')).toMatchObject({ id: 'SAP-1', phase: 'started', by: { user: 'mes' } });
  });
});
