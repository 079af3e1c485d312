/**
 * Webhooks in the whole agent: an alert raised in the agent reaches a real HTTP receiver through
 * the spool (the receiver's own destination), is listed as an output, and one raised while the
 * receiver is down and the agent restarts arrives after the restart, once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../../src/agent/agent.js';
import { loadConfigText } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { webhookDestinations } from '../../../src/outputs/webhook/index.js';
import { until } from '../../helpers/wait.js';
import { alertEvent } from './alert-event.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configText(dir: string, url: string): string {
  return `
site: { enterprise: acme, site: plant1 }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: partCount, address: 0, type: uint32 }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.partCount }
mqtt: { enabled: false }
server: { enabled: false }
alerts:
  webhooks:
    - { url: ${JSON.stringify(url)}, minSeverity: warning }
storage: { dir: ${JSON.stringify(dir)}, commitInterval: 20ms }
`;
}

function startAgent(dir: string, url: string): Agent {
  const loaded = loadConfigText(configText(dir, url), { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  // No sources: the test raises the alert itself, as the predictors would.
  const agent = createAgent({ config: loaded.config, logger: silentLogger, sources: [] });
  cleanups.push(() => agent.stop());
  return agent;
}

const alert = (alertId: string) => alertEvent({ alertId, ts: Date.now() });

describe('webhooks in the agent', () => {
  it('delivers an alert through the spool, and one raised while the receiver is down after a restart', async () => {
    let up = true;
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).alert.id as string);
        res.writeHead(up ? 204 : 503).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((r) => server.close(r)));
    cleanups.push(() => server.closeAllConnections());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-webhook-agent-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [destination] = webhookDestinations([{ url, minSeverity: 'warning' }]);

    const agent = startAgent(dir, url);
    await agent.start();
    agent.events.emit(alert('first'));
    const webhooks = () => agent.outputs.find((o) => o.name === 'webhooks')?.status();
    await until(() => webhooks()?.sent === 1, 'the first alert delivered');
    expect(received).toEqual(['first']);
    expect(agent.outputs.map((o) => o.status())).toContainEqual(
      expect.objectContaining({ name: 'webhooks', up: true, sent: 1, errors: 0 }),
    );
    await until(() => agent.spool.ackedId(destination ?? '') === agent.spool.lastCommittedId(), 'released');

    up = false;
    agent.events.emit(alert('second'));
    await until(() => received.includes('second'), 'an attempt while the receiver is down');
    await agent.stop();

    up = true;
    const again = startAgent(dir, url);
    await again.start();
    await until(() => again.outputs.some((o) => o.status().name === 'webhooks' && o.status().sent === 1), 'resent');
    expect(received.filter((id) => id === 'first')).toHaveLength(1);
    expect(received.at(-1)).toBe('second');
  });
});
