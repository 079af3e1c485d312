/**
 * The product plant (real core, real server; tests/integration/server/support/product-plant.ts)
 * served on a free loopback port for Chromium, and the page's login as a user types it.
 */
import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { PASSWORD, productPlant, type ProductPlant } from '../integration/server/support/product-plant.js';

/** A served plant per call, closed after each test of the file that calls `servedPlants()`. */
export function servedPlants(): () => Promise<{ p: ProductPlant; url: string }> {
  const plants: ProductPlant[] = [];
  afterEach(async () => {
    for (const p of plants.splice(0)) await p.close();
  });
  return async () => {
    const p = await productPlant();
    plants.push(p);
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    const address = p.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return { p, url: `http://127.0.0.1:${port}/` };
  };
}

/** Logs `user` in through the page's login dialog. */
export async function logIn(page: Page, user: string): Promise<void> {
  await page.click('#operator-btn');
  await page.fill('#login-user', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type="submit"]');
  await page.waitForSelector('#operator-btn.on');
}
