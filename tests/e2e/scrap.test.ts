/**
 * Scrap on the dashboard, in Debian's Chromium against the real core behind the real server: an
 * operator records scrap on the selected station from its "Rejects by reason" panel with the
 * keyboard, and the station's good count, quality and rejects by reason move by the live delta;
 * a refused entry (more than were made) shows the server's message in the form and a toast; a
 * maintenance login sees the rejects but no Record scrap button.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { post, type ProductPlant } from '../integration/server/support/product-plant.js';
import { requireChromium, withPage } from './browser.js';
import { logIn, servedPlants } from './plant-page.js';

const OUTPUT_DIR = path.resolve('test-output');
const PANEL = '#rejects-panel';
const row = (reason: string) => `#rejects li[data-reason="${reason}"]`;

const serve = servedPlants();

/** The scrap form: its fields found by their labels, as a screen reader finds them. */
const form = (page: Page) => page.locator('#scrap-form');

/** The weld station's shift counts, as the core has them. */
async function weldCounts(p: ProductPlant) {
  const weld = (await p.snapshot()).stations.find((s) => s.id === 'weld');
  return weld?.oee?.figures.counts;
}

describe('scrap on the dashboard, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('an operator records scrap from the page; good count, quality and rejects by reason follow the live delta', async () => {
    const { p, url } = await serve();
    // 09:00 in Berlin on a Monday, early shift: 20 good parts on each station.
    p.run(240, 12);
    expect(await weldCounts(p)).toEqual({ total: 20, good: 20, reject: 0 });
    mkdirSync(OUTPUT_DIR, { recursive: true });

    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      // The output station is selected; no rejects and no login: no panel at all.
      await expect.poll(() => page.textContent('#cycle-station')).toBe('Spot weld cell');
      expect(await page.isHidden(PANEL)).toBe(true);
      expect(await page.textContent('#ov-count')).toBe('20');

      await logIn(page, 'anna');
      await page.waitForSelector('#scrap-open:visible');
      expect(await page.getAttribute('#scrap-open', 'aria-label')).toBe('Record scrap on Spot weld cell');
      expect(await page.textContent('#rejects-quality')).toBe('20 good of 20 · quality 100%');
      expect(await page.isVisible('#rejects-none')).toBe(true);
      expect(await page.$$('#rejects li')).toHaveLength(0);
      const oeeBefore = await page.textContent('.tile[data-station="weld"] .metric:nth-child(4) .v');

      // Keyboard only: the button opens the form with the cursor on the reason.
      await page.focus('#scrap-open');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#scrap-dialog[open]');
      expect(await page.textContent('#scrap-station')).toBe('Spot weld cell');
      expect(await page.evaluate('document.activeElement?.id')).toBe('scrap-reason');
      // The config's scrap reasons, by label, after a prompt to choose.
      expect(await page.$$eval('#scrap-reason option', (os) => os.map((o) => o.textContent))).toEqual([
        'Choose a reason',
        'Out of tolerance',
        'Burr on the edge',
      ]);
      await form(page).getByLabel('Reason').selectOption({ label: 'Out of tolerance' });
      await form(page).getByLabel('Count (parts)').fill('3');
      await form(page).getByLabel('Note (optional)').fill('gauge check');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#toast:has-text("Scrap recorded on Spot weld cell: 3 × Out of tolerance")');
      expect(await page.isVisible('#scrap-dialog')).toBe(false);
      expect(await weldCounts(p)).toEqual({ total: 20, good: 17, reject: 3 });

      // No part is made meanwhile: the scrap event alone brings the delta that moves the page.
      await page.waitForSelector(row('dimension'));
      expect(await page.textContent(`${row('dimension')} .reject-label`)).toBe('Out of tolerance');
      expect(await page.textContent(`${row('dimension')} .reject-count`)).toBe('3 · 100 %');
      expect(await page.getAttribute(row('dimension'), 'aria-label')).toBe('Out of tolerance: 3 rejects, 100 %');
      expect(await page.textContent('#rejects-split')).toBe('3 rejects: 0 start-up · 3 production');
      expect(await page.textContent('#rejects-quality')).toBe('17 good of 20 · quality 85%');
      expect(await page.isHidden('#rejects-none')).toBe(true);
      expect(await page.textContent('#ov-count')).toBe('17');
      await expect
        .poll(() => page.textContent('.tile[data-station="weld"] .metric:nth-child(4) .v'))
        .not.toBe(oeeBefore);

      // A second reason: two bars, most rejects first, the longest full width.
      await page.click('#scrap-open');
      await form(page).getByLabel('Reason').selectOption('burr');
      await form(page).getByLabel('Count (parts)').fill('1');
      await page.click('#scrap-submit');
      await page.waitForSelector(row('burr'));
      expect(await page.$$eval('#rejects li', (lis) => lis.map((li) => li.getAttribute('aria-label')))).toEqual([
        'Out of tolerance: 3 rejects, 75 %',
        'Burr on the edge: 1 reject, 25 %',
      ]);
      expect(await page.getAttribute(`${row('dimension')} .reject-fill`, 'style')).toBe('width: 100%;');
      expect(await page.getAttribute(`${row('burr')} .reject-fill`, 'style')).toBe('width: 33.3%;');
      expect(await page.textContent('#rejects-quality')).toBe('16 good of 20 · quality 80%');

      // Another station selected: its own (no) rejects.
      await page.click('.tile[data-station="press"]');
      await expect.poll(() => page.textContent('#cycle-station')).toBe('Press 400t');
      expect(await page.$$('#rejects li')).toHaveLength(0);
      expect(await page.textContent('#rejects-quality')).toBe('20 good of 20 · quality 100%');
      await page.click('.tile[data-station="weld"]');
      await page.waitForSelector(row('burr'));
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-scrap.png') });
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("a refused entry shows the server's message in the form and a toast; the page's own check comes first", async () => {
    const { p, url } = await serve();
    p.run(60, 12);
    const anna = await p.login('anna');
    // What the server says to 99 parts of a shift that made 5 (refused: nothing changes).
    const refused = await p.app.inject(post('/api/stations/weld/scrap', { reason: 'dimension', count: 99 }, anna));
    expect(refused.statusCode, refused.body).toBe(409);
    const message = (refused.json() as { error: { code: string; message: string } }).error.message;
    expect(message).not.toBe('');

    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      await logIn(page, 'anna');
      await page.click('#scrap-open');
      await page.waitForSelector('#scrap-dialog[open]');

      // Nothing typed: the page says what is missing and asks no one.
      await page.click('#scrap-submit');
      expect(await page.textContent('#scrap-error')).toBe('Choose a reason');
      await form(page).getByLabel('Reason').selectOption('dimension');
      await form(page).getByLabel('Count (parts)').fill('0');
      await page.click('#scrap-submit');
      expect(await page.textContent('#scrap-error')).toBe('The count is a whole number of parts, at least 1');

      await form(page).getByLabel('Count (parts)').fill('99');
      await page.click('#scrap-submit');
      await page.waitForSelector(`#toast:has-text(${JSON.stringify(`Scrap not recorded: ${message}`)})`);
      // The form stays open with what was typed, the server's message in it.
      expect(await page.textContent('#scrap-error')).toBe(message);
      expect(await page.isVisible('#scrap-dialog')).toBe(true);
      expect(await page.inputValue('#scrap-count')).toBe('99');
      expect(await weldCounts(p)).toEqual({ total: 5, good: 5, reject: 0 });
      expect(await page.$$('#rejects li')).toHaveLength(0);
      // Chromium logs the refused request; nothing else went wrong.
      expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
    });
  }, 60_000);

  it('a viewer and a maintenance login see the rejects by reason but no Record scrap button (on a phone)', async () => {
    const { p, url } = await serve();
    p.run(120, 12);
    const anna = await p.login('anna');
    const recorded = await p.app.inject(post('/api/stations/weld/scrap', { reason: 'burr', count: 2 }, anna));
    expect(recorded.statusCode, recorded.body).toBe(200);
    mkdirSync(OUTPUT_DIR, { recursive: true });

    await withPage(
      url,
      async ({ page, errors }) => {
        await page.waitForSelector('#conn.conn-live');
        // A viewer (no login) sees the list: rejects are there.
        await page.waitForSelector(row('burr'));
        expect(await page.textContent(`${row('burr')} .reject-count`)).toBe('2 · 100 %');
        expect(await page.textContent('#rejects-split')).toBe('2 rejects: 0 start-up · 2 production');
        expect(await page.isHidden('#scrap-open')).toBe(true);
        // The list goes under the cycle chart on a phone instead of widening the page.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

        await logIn(page, 'max');
        await expect.poll(() => page.textContent('#operator-btn')).toContain('max (maintenance)');
        expect(await page.isHidden('#scrap-open')).toBe(true);
        expect(await page.isVisible(row('burr'))).toBe(true);
        await page.locator('#rejects-panel').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-scrap-phone.png') });
        expect(errors).toEqual([]);
      },
      { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
    );
  }, 60_000);
});
