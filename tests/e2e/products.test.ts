/**
 * The product on the dashboard, in Debian's Chromium against the real core: the header chip and
 * each tile show what runs; an operator who logged in picks another product in the header and
 * the tiles, the chip and the core follow.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, productPlant, type ProductPlant } from '../integration/server/support/product-plant.js';
import { requireChromium, withPage } from './browser.js';

const plants: ProductPlant[] = [];
afterEach(async () => {
  for (const p of plants.splice(0)) await p.close();
});

describe('the product on the dashboard, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('shows the product on the header and the tiles; an operator sets another one from the header', async () => {
    const p = await productPlant();
    plants.push(p);
    p.run(60, 12);
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    const address = p.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    await withPage(`http://127.0.0.1:${port}/`, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      // Nobody set a product yet; a viewer sees the chip but cannot change it.
      await expect.poll(() => page.textContent('#line-product')).toBe('No product set');
      expect(await page.isDisabled('#line-product')).toBe(true);
      expect(await page.isHidden('.tile[data-station="press"] .tile-product')).toBe(true);

      await page.click('#operator-btn');
      await page.fill('#login-user', 'anna');
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-form button[type="submit"]');
      await page.waitForSelector('#operator-btn.on');
      await expect.poll(() => page.isEnabled('#line-product')).toBe(true);

      await page.click('#line-product');
      await page.selectOption('#product-select', 'bracket-b');
      await page.click('#product-form button[type="submit"]');
      await page.waitForSelector('#toast:has-text("now runs Bracket B")');
      await expect.poll(() => page.textContent('#line-product')).toBe('Bracket B');
      await expect.poll(() => page.textContent('.tile[data-station="weld"] .tile-product')).toBe('Bracket B');
      expect(p.products.map((e) => [e.station, e.product, e.by?.user])).toEqual([
        ['press', 'bracket-b', 'anna'],
        ['weld', 'bracket-b', 'anna'],
      ]);
      // The tile's ideal follows the product (18 s).
      await expect.poll(() => page.textContent('.tile[data-station="press"] .metric .v')).toContain('18');

      // Back to Bracket A, and no part for a minute: a changeover, amber, with its target.
      p.run(36, 18);
      await page.click('#line-product');
      await page.selectOption('#product-select', 'bracket-a');
      await page.click('#product-form button[type="submit"]');
      await page.waitForSelector('#toast:has-text("now runs Bracket A")');
      p.run(60, 1_000_000);
      const tile = '.tile[data-station="press"]';
      await expect.poll(() => page.textContent(`${tile} .tile-state`)).toBe('Changeover');
      expect(await page.textContent(`${tile} .tile-reason`)).toBe('to Bracket A · target 15m 00s');
      expect(await page.getAttribute(`${tile} .tile-band`, 'class')).toContain('state-changeover');
      // The timeline draws changeovers in that colour too; the legend names it.
      expect(await page.textContent('#legend')).toContain('Changeover');
      expect(errors).toEqual([]);
    });
  }, 60_000);
});
