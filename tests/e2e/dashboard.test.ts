/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core), against the server
 * listening on 127.0.0.1 and fed by the port fake of the core: the tiles, a breakdown turning a
 * tile red, an operator assigning a reason and acknowledging an alert from the page, the page
 * reconnecting by itself after an agent restart, and screenshots for people to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, OPERATOR_TOKEN, type Harness } from '../integration/server/support/harness.js';
import { populateShift } from '../integration/server/support/scenario.js';
import { requireChromium, withPage } from './browser.js';

const OUTPUT_DIR = path.resolve('test-output');

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function serve(port = 0): Promise<{ h: Harness; url: string; port: number }> {
  const h = await createHarness();
  harnesses.push(h);
  await h.app.listen({ host: '127.0.0.1', port });
  const address = h.app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return { h, url: `http://127.0.0.1:${bound}/`, port: bound };
}

describe('dashboard in Chromium', () => {
  // Never skipped: without Chromium each test here fails, naming the package to install.
  beforeEach(() => {
    requireChromium();
  });

  it('lists every station, turns a tile red on a breakdown, and takes a reason and an acknowledgement from the operator', async () => {
    const { h, url } = await serve();
    populateShift(h);
    mkdirSync(OUTPUT_DIR, { recursive: true });

    await withPage(url, async ({ page, errors }) => {
      // Every station of the config has a tile.
      await page.waitForSelector('.tile[data-station="pack"]');
      const tiles = await page
        .locator('.tile')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-station')));
      expect(tiles).toEqual(h.config.lines[0]?.stations.map((s) => s.id));
      await page.waitForSelector('#conn.conn-live');

      // A breakdown in the core: the tile turns "down", live, without a reload.
      const before = Date.now();
      const downtimeId = h.fake.breakdown('weld', { faultCode: 23 });
      await page.waitForSelector('.tile[data-station="weld"][data-state="down"]', { timeout: 10_000 });
      const flipMs = Date.now() - before;
      console.log(`[e2e] breakdown -> red tile in ${flipMs} ms (broadcast window 250 ms)`);
      await page.waitForSelector(`li[data-downtime-id="${downtimeId}"]`);
      expect(await page.textContent('.tile[data-station="weld"] .tile-state')).toMatch(/down/i);
      expect(await page.textContent('#unassigned-count')).toContain('need a reason');
      await page.waitForTimeout(300); // let the charts settle for the picture
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard.png') });

      // The operator logs in with the (deprecated) shared token and a name, and assigns a reason.
      await page.click('#operator-btn');
      await page.fill('#login-token', OPERATOR_TOKEN);
      await page.fill('#login-name', 'Anna');
      await page.click('#login-form button[type="submit"]');
      await page.waitForSelector('#operator-btn.on');
      const row = `li[data-downtime-id="${downtimeId}"]`;
      await page.selectOption(`${row} select.reason-select`, 'die-jam');
      await page.click(`${row} .assign-btn`);
      await page.waitForSelector('#toast:has-text("Reason saved")');
      expect(h.fake.commands).toContainEqual({
        kind: 'assignReason',
        id: downtimeId,
        reason: 'die-jam',
        by: { user: 'Anna', role: 'supervisor', via: 'operator-token' },
      });
      expect(h.history.downtimeById(downtimeId)).toMatchObject({ reason: 'die-jam', reasonBy: 'Anna' });
      await expect.poll(() => page.textContent(row)).toContain('Die jam');
      await expect.poll(() => page.textContent('.tile[data-station="weld"] .tile-reason')).toBe('Die jam');

      // ... and acknowledges the critical alert.
      const alertRow = 'li[data-alert-id="press-vibration-1"]';
      await page.click(`${alertRow} .ack-btn`);
      await page.waitForSelector(`${alertRow} .st-acknowledged`);
      expect(h.fake.commands).toContainEqual({
        kind: 'acknowledgeAlert',
        id: 'press-vibration-1',
        by: { user: 'Anna', role: 'supervisor', via: 'operator-token' },
      });

      expect(errors).toEqual([]);
    });
  }, 90_000);

  it('is usable on a phone: one column, tiles and actions reachable', async () => {
    const { h, url } = await serve();
    populateShift(h);
    h.fake.breakdown('press');
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await withPage(
      url,
      async ({ page, errors }) => {
        await page.waitForSelector('.tile[data-station="press"][data-state="down"]');
        await page.waitForTimeout(300);
        const widths = await page.$$eval('.tile', (nodes) => nodes.map((n) => n.getBoundingClientRect().width));
        // One tile per row, nothing wider than the screen.
        for (const w of widths) expect(w).toBeGreaterThan(300);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-phone.png') });
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-phone-full.png'), fullPage: true });
        expect(errors).toEqual([]);
      },
      { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
    );
  }, 60_000);

  it('reconnects by itself when the agent restarts, and shows stale data as stale meanwhile', async () => {
    const first = await serve();
    await withPage(first.url, async ({ page }) => {
      await page.waitForSelector('#conn.conn-live');
      await first.h.close();
      harnesses.splice(harnesses.indexOf(first.h), 1);
      await page.waitForSelector('#conn.conn-offline');
      expect(await page.getAttribute('#main', 'class')).toContain('stale');
      // The agent comes back on the same port, with a station down meanwhile.
      const second = await serve(first.port);
      second.h.fake.setState('pack', 'down');
      await page.waitForSelector('#conn.conn-live', { timeout: 20_000 });
      await page.waitForSelector('.tile[data-station="pack"][data-state="down"]');
      expect(await page.getAttribute('#main', 'class')).not.toContain('stale');
    });
  }, 60_000);
});
