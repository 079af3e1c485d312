/**
 * The plant page (`lineside plant`) in Debian's Chromium at 1920×1080, served by the plant HTTP
 * app on 127.0.0.1 and fed through the plant model as the subscriber feeds it: tiles ranked by
 * hours lost, an offline agent's tile greyed with "since", a tile linking to its agent, a live
 * re-ranking when a ledger changes, and a screenshot for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PlantConfigSchema } from '../../src/config/plant-schema.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { buildPlantApp } from '../../src/plant/http.js';
import { PlantModel } from '../../src/plant/model.js';
import { LedgerStore } from '../../src/plant/store.js';
import { defaultWebDir, loadStaticFiles } from '../../src/server/static.js';
import { HOUR, ledgerMessage } from '../helpers/plant-ledgers.js';
import { requireChromium, withPage } from './browser.js';

const OUTPUT_DIR = path.resolve('test-output');
const tmp = mkdtempSync(path.join(tmpdir(), 'lineside-plant-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const now = Date.now();
const ledger = (line: string, seq: number, runH: number, downByReason: Record<string, number> = {}) =>
  JSON.stringify(
    ledgerMessage({
      line,
      seq,
      start: new Date(now - 4 * HOUR).toISOString(),
      end: new Date(now + 4 * HOUR).toISOString(),
      ts: new Date(now).toISOString(),
      stations: [
        {
          station: 'press',
          plannedMs: 4 * HOUR,
          runMs: runH * HOUR,
          idealMs: runH * 0.9 * HOUR,
          total: 400,
          good: 390,
          downByReason,
        },
        {
          station: 'pack',
          plannedMs: 4 * HOUR,
          runMs: runH * HOUR,
          idealMs: runH * 0.95 * HOUR,
          total: 380,
          good: 376,
          target: 700,
          behindBy: 25,
        },
      ],
    }),
  );

describe('plant page in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('shows the lines ranked by hours lost, offline greyed, linked to their agents, live', async () => {
    const config = PlantConfigSchema.parse({
      plant: { name: 'Stuttgart stamping', timezone: 'Europe/Berlin' },
      enterprise: 'acme',
      sites: ['p1'],
      mqtt: { url: 'mqtt://127.0.0.1:1' },
    });
    const model = new PlantModel({
      root: 'acme',
      sites: ['p1'],
      name: 'Stuttgart stamping',
      timezone: 'Europe/Berlin',
      links: [{ site: 'p1', line: 'line2', url: 'http://line2-pi:8080/' }],
    });
    const store = LedgerStore.open(tmp, silentLogger, now);
    const plant = await buildPlantApp({
      config,
      logger: silentLogger,
      clock: systemClock,
      model,
      store,
      subscriber: {
        health: () => ({
          connected: true,
          broker: '',
          clientId: '',
          subscribed: true,
          connects: 1,
          connectAttempts: 1,
          connectionLosses: 0,
          messages: 0,
        }),
      },
      files: loadStaticFiles(defaultWebDir()),
      broadcastIntervalMs: 100,
    });
    const feed = (topic: string, payload: string) => model.ingest(`acme/p1/${topic}`, payload, Date.now());
    feed('line1/ledger', ledger('line1', 1, 3.5));
    feed('line2/ledger', ledger('line2', 1, 2, { jam: 1.5 * HOUR }));
    feed('line3/ledger', ledger('line3', 1, 3));
    for (const line of ['line1', 'line2', 'line3']) feed(`agents/${line}-pi/status`, 'online');
    feed('agents/line3-pi/status', 'offline');
    try {
      await plant.app.listen({ host: '127.0.0.1', port: 0 });
      const address = plant.app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      await withPage(`http://127.0.0.1:${port}/`, async ({ page, errors }) => {
        await page.waitForSelector('#conn.p-conn-live');
        const order = () =>
          page.locator('.p-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-line')));
        expect(await order()).toEqual(['p1/line2', 'p1/line3', 'p1/line1']);
        expect(await page.textContent('#plant-name')).toBe('Stuttgart stamping');
        expect(await page.textContent('#plant-online')).toBe('2 / 3');
        const first = page.locator('.p-tile').first();
        expect(await first.getAttribute('href')).toBe('http://line2-pi:8080/');
        expect(await first.textContent()).toMatch(/jam at press/);
        expect(await first.textContent()).toMatch(/376 of 700 · behind by 25/);
        const offline = page.locator('.p-tile[data-line="p1/line3"]');
        expect(await offline.getAttribute('class')).toContain('p-offline');
        // In plant time (Europe/Berlin), though the browser runs in America/New_York.
        const berlin = new Intl.DateTimeFormat('en-GB', {
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZone: 'Europe/Berlin',
        });
        const since = model.view().lines.find((l) => l.line === 'line3')?.statusSince ?? 0;
        expect(await offline.textContent()).toContain(`offline since ${berlin.format(new Date(since))}`);
        // The plant OEE shown is the API's summed figure.
        const api = model.view();
        expect(await page.textContent('#plant-oee')).toBe(`${(api.plant.oee.oee * 100).toFixed(1)} %`);

        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'plant-view.png') });

        // line1 breaks down badly: it moves to the top without a reload.
        feed('line1/ledger', ledger('line1', 2, 0.5, { motor: 3.5 * HOUR }));
        await page.locator('.p-tile').first().and(page.locator('[data-line="p1/line1"]')).waitFor();
        expect(await order()).toEqual(['p1/line1', 'p1/line2', 'p1/line3']);
        expect(errors).toEqual([]);
      });
    } finally {
      await plant.app.close();
      store.close();
    }
  });
});
