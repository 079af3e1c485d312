/**
 * The plant server's HTTP app in-process (`inject`, `injectWS`): the API shape, coded errors,
 * the page's security headers, the websocket's Origin rule and its snapshot, and that a change of
 * the model reaches a connected page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PlantConfigSchema } from '../../../src/config/plant-schema.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { buildPlantApp, type PlantApp } from '../../../src/plant/http.js';
import { PlantModel } from '../../../src/plant/model.js';
import { LedgerStore } from '../../../src/plant/store.js';
import type { SubscriberHealth } from '../../../src/plant/subscriber.js';
import { defaultWebDir, loadStaticFiles } from '../../../src/server/static.js';
import { HOUR, ledgerMessage } from '../../helpers/plant-ledgers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-plant-http-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = PlantConfigSchema.parse({ enterprise: 'acme', sites: ['p1'], mqtt: { url: 'mqtt://127.0.0.1:1' } });
const health: SubscriberHealth = {
  connected: true,
  broker: 'mqtt://127.0.0.1:1',
  clientId: 'x',
  subscribed: true,
  connects: 1,
  connectAttempts: 1,
  connectionLosses: 0,
  messages: 0,
};

let open: { plant: PlantApp; store: LedgerStore } | undefined;
afterEach(async () => {
  await open?.plant.app.close();
  open?.store.close();
  open = undefined;
});

async function app() {
  const model = new PlantModel({ root: 'acme', sites: ['p1'] });
  const store = LedgerStore.open(mkdtempSync(join(tmp, 's-')), silentLogger, Date.now());
  const plant = await buildPlantApp({
    config,
    logger: silentLogger,
    clock: systemClock,
    model,
    store,
    subscriber: { health: () => health },
    files: loadStaticFiles(defaultWebDir()),
    broadcastIntervalMs: 60_000,
  });
  // injectWS needs the websocket server, which exists once the app is ready.
  await plant.app.ready();
  open = { plant, store };
  return { model, plant, store };
}

const ledger = (line: string, runH: number) =>
  JSON.stringify(
    ledgerMessage({
      line,
      seq: 1,
      start: new Date(Date.now() - 2 * HOUR).toISOString(),
      end: new Date(Date.now() + 6 * HOUR).toISOString(),
      ts: new Date().toISOString(),
      stations: [{ station: 'pack', plannedMs: 2 * HOUR, runMs: runH * HOUR, idealMs: runH * HOUR, total: 9, good: 9 }],
    }),
  );

describe('plant HTTP', () => {
  it('serves the page with its security headers and the API as JSON', async () => {
    const { model, plant } = await app();
    model.ingest('acme/p1/line1/ledger', ledger('line1', 1), Date.now());
    const page = await plant.app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/static/plant.js');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await plant.app.inject('/static/plant.js')).statusCode).toBe(200);
    expect((await plant.app.inject('/static/index.html')).statusCode).toBe(404);
    const api = await plant.app.inject('/api/plant');
    expect(api.json()).toMatchObject({
      plant: { linesTotal: 1 },
      lines: [{ line: 'line1', oee: { availability: 0.5 } }],
    });
  });

  it('answers bad queries and unknown routes with coded errors', async () => {
    const { plant } = await app();
    const bad = await plant.app.inject('/api/plant/shifts?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^from:/) } });
    const reversed = await plant.app.inject('/api/plant/shifts?from=2000&to=1000');
    expect(reversed.json()).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^from must be before to/) },
    });
    const missing = await plant.app.inject('/api/nothing');
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await plant.app.inject('/api/plant/shifts')).json()).toMatchObject({ shifts: [], truncated: false });
  });

  it('the websocket refuses a foreign Origin, sends a snapshot, then the view when it changed', async () => {
    const { model, plant } = await app();
    await expect(
      plant.app.injectWS('/ws', { headers: { origin: 'http://evil.example', host: 'plant:8080' } }),
    ).rejects.toThrow(/403/);
    const messages: Array<{ type: string; data: { lines: unknown[] } }> = [];
    const ws = await plant.app.injectWS(
      '/ws',
      {},
      { onInit: (socket) => socket.on('message', (d) => messages.push(JSON.parse(String(d)))) },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(messages[0]).toMatchObject({ type: 'snapshot', data: { lines: [] } });
    // The first flush sends the view once; later ones only when the model changed.
    plant.flush();
    await new Promise((r) => setTimeout(r, 20));
    const before = messages.length;
    plant.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(messages.length).toBe(before);
    model.ingest('acme/p1/line2/ledger', ledger('line2', 2), Date.now());
    plant.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(messages.at(-1)).toMatchObject({ type: 'delta', data: { lines: [{ line: 'line2' }] } });
    ws.terminate();
  });
});
