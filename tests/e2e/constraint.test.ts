/**
 * "Which station is the problem?" on the real demo agent in Chromium: weld breaks down, its tile is
 * framed as the one holding the line, the stations starving and blocked behind it say so on their
 * tiles, and the Pareto's first bar is weld's breakdown with their waiting added (docs/oee.md#waits).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setUpDemo } from '../../src/cli/demo-setup.js';
import { freePort } from '../helpers/ports.js';
import { withPage } from './browser.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lineside-e2e-constraint-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A Monday 08:00 in the demo's zone: mid early shift, no break for two hours. */
const MONDAY_0800_BERLIN = Date.parse('2026-03-02T07:00:00Z');

describe('the line page names the station that holds the line up', () => {
  it('frames the broken-down station, says who waits for it, and leads the Pareto with it', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    // 20x: the buffers behind weld run empty within seconds of real time.
    const demo = await setUpDemo(
      { speed: 20, seed: 3, httpPort, mqttPort, startWallMs: MONDAY_0800_BERLIN },
      { ...process.env, LINESIDE_DEMO_DATA: dataDir, LINESIDE_LOG_LEVEL: undefined },
    );
    await demo.agent.start();
    try {
      await withPage(`http://127.0.0.1:${httpPort}/`, async ({ page, errors }) => {
        await page.waitForSelector('#conn.conn-live');
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            demo.simulator.breakdown('weld', 201, 60 * 60_000);
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await page.waitForSelector('.tile[data-station="weld"][data-state="down"]', { timeout: 15_000 });
        await page.waitForSelector('.tile.constraint[data-station="weld"]', { timeout: 15_000 });
        expect(await page.textContent('.tile[data-station="weld"] .tile-constraint')).toBe('HOLDS THE LINE');
        expect(await page.locator('.tile.constraint').count()).toBe(1);
        // pack runs its buffer empty and starves: its tile names weld and the breakdown's reason.
        await page.waitForSelector('.tile[data-station="pack"][data-state="starved"]', { timeout: 60_000 });
        await expect
          .poll(() => page.textContent('.tile[data-station="pack"] .tile-reason'), { timeout: 10_000 })
          .toMatch(/^← .+ down: Electrode worn$/);
        // The Pareto: weld's breakdown first, with pack's waiting in it.
        await expect
          .poll(async () => ((await page.getAttribute('#pareto', 'aria-label')) ?? '').split('; ')[0], {
            timeout: 20_000,
          })
          .toMatch(/· Electrode worn .*\(incl\. .*starved/);
        // The API says the same.
        const oee = (await (await fetch(`http://127.0.0.1:${httpPort}/api/oee`)).json()) as {
          stations: Array<{ station: string; figures: { waits?: Array<Record<string, unknown>> } }>;
        };
        const packWaits = oee.stations.find((s) => s.station === 'pack')?.figures.waits ?? [];
        expect(packWaits).toContainEqual(
          expect.objectContaining({ kind: 'starved', cause: 'weld', state: 'down', reason: 'electrode' }),
        );
        // A picture of the TV for people to look at.
        await page.setViewportSize({ width: 1920, height: 1080 });
        await page.waitForTimeout(500);
        mkdirSync('test-output', { recursive: true });
        await page.screenshot({ path: join('test-output', 'line-constraint-1920x1080.png') });
        expect(errors).toEqual([]);
      });
    } finally {
      await demo.agent.stop();
      await demo.stopSimulator();
    }
  }, 180_000);
});
