/**
 * Several lines in one agent, in Chromium: a tab per line in the header with its status, the
 * keyboard picks a line, the page then shows that line's header, overview, tiles, charts and
 * lists, and the address keeps the choice (a TV pointed at `?line=line2`); an address naming a
 * line the agent does not have says so and shows the first line.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { configYaml, createHarness, type Harness } from '../integration/server/support/harness.js';
import { populateShift } from '../integration/server/support/scenario.js';
import { requireChromium, withPage } from './browser.js';
import { findClipping } from './clipping.js';

const OUTPUT_DIR = path.resolve('test-output');

/** Stamping line 1 (press, weld, pack) and Assembly line 2 (paint, test) on one PLC. */
function twoLines() {
  const yaml = configYaml({}, 5).replace(
    '      - id: paint\n',
    '  - id: line2\n    name: Assembly line 2\n    stations:\n      - id: paint\n',
  );
  const loaded = loadConfigText(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.config;
}

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function serveTwoLines(): Promise<{ h: Harness; url: string; paintDowntime: string }> {
  const h = await createHarness({ config: twoLines() });
  harnesses.push(h);
  populateShift(h);
  const paintDowntime = h.fake.breakdown('paint', { faultCode: 17 });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  return {
    h,
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`,
    paintDowntime,
  };
}

const tileIds = (page: import('playwright-core').Page) =>
  page.locator('#tiles .tile').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-station')));

describe('several lines in one agent, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('picks a line from its tab by keyboard, shows only that line, and keeps it in the address', async () => {
    const { url, paintDowntime } = await serveTwoLines();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      // The first line by default; both lines have a tab naming their status.
      await page.waitForSelector('.line-tab[data-line="line1"][aria-current="true"]');
      expect(await tileIds(page)).toEqual(['press', 'weld', 'pack']);
      expect(await page.textContent('.line-tab[data-line="line2"]')).toContain('1 down');
      expect(await page.isHidden('#line-notice')).toBe(true);
      // Line 2's downtime is not in line 1's list.
      expect(await page.locator(`li[data-downtime-id="${paintDowntime}"]`).count()).toBe(0);
      expect(await page.textContent('#cycle-station')).toBe('Packing');

      // Keyboard only: focus the current tab, arrow to the next one, Enter.
      await page.focus('.line-tab[data-line="line1"]');
      await page.keyboard.press('ArrowRight');
      expect(await page.evaluate("document.activeElement?.getAttribute('data-line')")).toBe('line2');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.line-tab[data-line="line2"][aria-current="true"]');
      expect(new URL(page.url()).searchParams.get('line')).toBe('line2');
      expect(await tileIds(page)).toEqual(['paint', 'test']);
      expect(await page.textContent('#ov-status')).toContain('1 down');
      expect(await page.textContent('#flow')).toContain('paint');
      expect(await page.title()).toBe('Assembly line 2 · Lineside');
      await page.waitForSelector(`li[data-downtime-id="${paintDowntime}"]`);
      // The cycle chart follows to the new line's output station.
      await expect.poll(() => page.textContent('#cycle-station')).toBe('test');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'lines-line2.png') });
      expect(await findClipping(page)).toEqual([]);

      // A reload keeps the line: the address is the choice.
      await page.reload();
      await page.waitForSelector('.line-tab[data-line="line2"][aria-current="true"]');
      expect(await tileIds(page)).toEqual(['paint', 'test']);
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it('opens the line the address names (query or hash), and says so when there is no such line', async () => {
    const { url } = await serveTwoLines();
    await withPage(`${url}#line=line2`, async ({ page, errors }) => {
      await page.waitForSelector('.line-tab[data-line="line2"][aria-current="true"]');
      expect(await tileIds(page)).toEqual(['paint', 'test']);

      await page.goto(`${url}?line=line9`);
      await page.waitForSelector('#line-notice:not([hidden])');
      expect(await page.textContent('#line-notice')).toBe('This agent has no line “line9”: showing Stamping line 1.');
      await page.waitForSelector('.line-tab[data-line="line1"][aria-current="true"]');
      expect(await tileIds(page)).toEqual(['press', 'weld', 'pack']);
      // Picking a line clears the message.
      await page.click('.line-tab[data-line="line2"]');
      await page.waitForSelector('#line-notice', { state: 'hidden' });
      expect(new URL(page.url()).searchParams.get('line')).toBe('line2');
      expect(errors).toEqual([]);
    });
  }, 60_000);
});
