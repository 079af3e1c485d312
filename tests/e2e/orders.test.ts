/**
 * Production orders on the dashboard, in Debian's Chromium against the real core behind the real
 * server: an operator starts an order from the header, its progress bar, count and ETA (plant
 * time, while the browser sits in New York) move as parts come, and it leaves the header when it
 * completes; a refused start shows the server's message; a stop reaches the page by itself; a
 * viewer and a maintenance login see the order but no button to start or stop one.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { post } from '../integration/server/support/product-plant.js';
import { requireChromium, withPage } from './browser.js';
import { logIn, servedPlants } from './plant-page.js';

const OUTPUT_DIR = path.resolve('test-output');
const BLOCK = '.order[data-line="line1"]';
const BAR = `${BLOCK} [role="progressbar"]`;

const serve = servedPlants();

/** The start form: its inputs found by their labels, as a screen reader finds them. */
const form = (page: Page) => page.locator('#order-form');

/** A wall time as the plant's clock shows it (the shift calendar is in Berlin). */
const berlin = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

describe('production orders on the dashboard, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('an operator starts an order from the header; bar, count and ETA follow the parts; it leaves when complete', async () => {
    const { p, url } = await serve();
    // 09:00 in Berlin on a Monday, early shift until 14:00; a minute of parts every 12 s.
    p.run(60, 12);
    mkdirSync(OUTPUT_DIR, { recursive: true });

    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      expect(await page.isHidden('#orders')).toBe(true);
      expect(await page.isHidden('#order-start')).toBe(true);

      await logIn(page, 'anna');
      await page.waitForSelector('#order-start:visible');
      // Keyboard: the button opens the form with the cursor in the order number.
      await page.focus('#order-start');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#order-dialog[open]');
      expect(await page.evaluate('document.activeElement?.id')).toBe('order-id');
      await form(page).getByLabel('Order number').fill('PO-4711');
      await form(page).getByLabel('Product').selectOption('bracket-b');
      await form(page).getByLabel('Quantity (good parts)').fill('40');
      // Plant time, although the browser's zone is New York's.
      await form(page).getByLabel('Due, plant time (optional)').fill('2025-11-24T14:00');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#toast:has-text("Order PO-4711 runs on Stamping line 1")');
      expect(await page.isVisible('#order-dialog')).toBe(false);

      const order = (await p.snapshot()).lines[0]?.order;
      expect(order).toMatchObject({ id: 'PO-4711', product: 'bracket-b', quantity: 40 });
      expect(order?.due).toBe(Date.parse('2025-11-24T13:00:00Z'));

      await page.waitForSelector(BLOCK);
      expect(await page.textContent(`${BLOCK} .order-id`)).toBe('Order PO-4711');
      expect(await page.textContent(`${BLOCK} .order-product`)).toBe('Bracket B');
      expect(await page.getAttribute(BAR, 'aria-valuenow')).toBe('0');
      expect(await page.getAttribute(BAR, 'aria-valuemax')).toBe('40');
      expect(await page.textContent(`${BLOCK} .order-count`)).toBe('0 / 40');
      expect(await page.textContent(`${BLOCK} .order-remaining`)).toBe('40 left');
      // Too little of the hour ran to know the pace: 40 parts at Bracket B's ideal 18 s from 09:01.
      expect(await page.textContent(`${BLOCK} .order-eta`)).toBe('ETA 09:13');
      expect(await page.isVisible(`${BLOCK} .order-estimate`)).toBe(true);
      expect(await page.textContent(`${BLOCK} .order-shift`)).toBe('finishes this shift');
      expect(await page.getAttribute(`${BLOCK} .order-shift`, 'class')).toContain('good');
      expect(await page.textContent(`${BLOCK} .order-due`)).toBe('on time (due 14:00)');
      // The output station's tile names the order; the other does not.
      expect(await page.textContent('.tile[data-station="weld"] .tile-order')).toBe('Order PO-4711');
      expect(await page.isHidden('.tile[data-station="press"] .tile-order')).toBe(true);

      // Five parts at the ideal pace: the bar moves, the ETA holds.
      p.run(18 * 5, 18);
      await expect.poll(() => page.getAttribute(BAR, 'aria-valuenow')).toBe('5');
      expect(await page.textContent(`${BLOCK} .order-count`)).toBe('5 / 40');
      expect(await page.textContent(`${BLOCK} .order-remaining`)).toBe('35 left');
      expect(await page.getAttribute(`${BLOCK} .order-fill`, 'style')).toBe('width: 12.5%;');
      expect(await page.textContent(`${BLOCK} .order-eta`)).toBe('ETA 09:13');

      // Twelve minutes at half the pace: the rolling hour's OEE sets the pace now, the ETA moves later.
      p.run(36 * 20, 36);
      await expect.poll(() => page.getAttribute(BAR, 'aria-valuenow')).toBe('25');
      const eta = (await p.snapshot()).lines[0]?.order?.forecast?.eta;
      expect(eta).toBeGreaterThan(Date.parse('2025-11-24T08:15:00Z'));
      await expect.poll(() => page.textContent(`${BLOCK} .order-eta`)).toBe(`ETA ${berlin(eta ?? 0)}`);
      expect(await page.isHidden(`${BLOCK} .order-estimate`)).toBe(true);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-order.png') });

      // The last fifteen: the order completes and leaves the header and the tile.
      p.run(18 * 15, 18);
      await expect.poll(() => page.isHidden('#orders')).toBe(true);
      expect(await page.$$(BLOCK)).toHaveLength(0);
      expect(await page.isHidden('.tile[data-station="weld"] .tile-order')).toBe(true);
      const history = (await p.app.inject('/api/orders?line=line1')).json() as { orders: unknown[] };
      expect(history.orders).toMatchObject([{ id: 'PO-4711', good: 40, status: 'completed' }]);
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("a refused start shows the server's message; a stop and a resume from the header reach the page by themselves", async () => {
    const { p, url } = await serve();
    p.run(60, 12);
    const anna = await p.login('anna');
    const started = await p.app.inject(post('/api/lines/line1/order', { id: 'PO-1', quantity: 100 }, anna));
    expect(started.statusCode, started.body).toBe(200);
    p.run(12 * 3, 12);

    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      await logIn(page, 'anna');
      await expect.poll(() => page.getAttribute(BAR, 'aria-valuenow')).toBe('3');

      // One order per line: the core refuses a second one, and the page says why.
      await page.click('#order-start');
      await form(page).getByLabel('Order number').fill('PO-2');
      await form(page).getByLabel('Quantity (good parts)').fill('5');
      await page.click('#order-submit');
      const refusal = 'order "PO-1" is running on line "line1"; stop it before starting "PO-2"';
      await page.waitForSelector(`#toast:has-text('Order not started: ${refusal}')`);
      // The form stays open with what was typed, the message beside it.
      expect(await page.textContent('#order-error')).toBe(refusal);
      expect(await page.inputValue('#order-id')).toBe('PO-2');
      await page.click('#order-cancel');

      // Stopped with no part or OEE event after it: the order event alone moves the page.
      await page.click(`${BLOCK} .order-stop`);
      await page.waitForSelector('#toast:has-text("Order PO-1 stopped on Stamping line 1")');
      await expect.poll(() => page.isHidden('#orders')).toBe(true);

      // A new order needs a quantity: the server's word again.
      await page.click('#order-start');
      await form(page).getByLabel('Order number').fill('PO-3');
      await page.click('#order-submit');
      await page.waitForSelector('#toast:has-text(\'order "PO-3" is new: it needs a quantity\')');

      // Resuming needs none: PO-1 comes back with its three parts.
      await form(page).getByLabel('Order number').fill('PO-1');
      await page.click('#order-submit');
      await page.waitForSelector('#toast:has-text("Order PO-1 runs on Stamping line 1")');
      await expect.poll(() => page.textContent(`${BLOCK} .order-count`)).toBe('3 / 100');
      // Chromium logs each refused request; nothing else went wrong.
      expect(errors).toEqual([
        'Failed to load resource: the server responded with a status of 409 (Conflict)',
        'Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ]);
    });
  }, 90_000);

  it('a viewer and a maintenance login see the running order but no button to start or stop one (on a phone)', async () => {
    const { p, url } = await serve();
    p.run(60, 12);
    const anna = await p.login('anna');
    const started = await p.app.inject(
      post(
        '/api/lines/line1/order',
        { id: 'PO-9', product: 'bracket-a', quantity: 50, due: '2025-11-24T09:05:00+01:00' },
        anna,
      ),
    );
    expect(started.statusCode, started.body).toBe(200);
    mkdirSync(OUTPUT_DIR, { recursive: true });

    await withPage(
      url,
      async ({ page, errors }) => {
        await page.waitForSelector('#conn.conn-live');
        await page.waitForSelector(BLOCK);
        expect(await page.textContent(`${BLOCK} .order-id`)).toBe('Order PO-9');
        // 50 parts at 12 s from 09:01 end after 09:05: late, in words and in red.
        expect(await page.textContent(`${BLOCK} .order-due`)).toBe('late (due 09:05)');
        expect(await page.getAttribute(`${BLOCK} .order-due`, 'class')).toContain('bad');
        expect(await page.isHidden('#order-start')).toBe(true);
        expect(await page.isHidden(`${BLOCK} .order-stop`)).toBe(true);

        // The order row wraps on a phone instead of widening the page.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        expect(await page.isVisible(BAR)).toBe(true);

        await logIn(page, 'max');
        // The session arrived (the button names the login) and still grants no order buttons.
        await expect.poll(() => page.textContent('#operator-btn')).toContain('max (maintenance)');
        expect(await page.isHidden('#order-start')).toBe(true);
        expect(await page.isHidden(`${BLOCK} .order-stop`)).toBe(true);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-order-phone.png') });
        expect(errors).toEqual([]);
      },
      { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
    );
  }, 60_000);
});
