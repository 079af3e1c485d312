/**
 * Debian's Chromium driven by playwright-core — never a browser download. `withPage` starts a
 * headless browser, opens a URL, runs the body and closes everything, whatever happens; the
 * lead's full agent + simulator e2e reuses it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.LINESIDE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Headless tabs are "hidden": keep timers and animation frames running as on a TV.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface OpenedPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  readonly viewport?: { width: number; height: number };
  readonly deviceScaleFactor?: number;
  readonly isMobile?: boolean;
  /** Reuse a running browser (several pages in one test); default: launch one. */
  readonly browser?: Browser;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function openPage(url: string, options: PageOptions = {}): Promise<OpenedPage> {
  const ownBrowser = options.browser === undefined;
  const browser = options.browser ?? (await launchBrowser());
  let context: BrowserContext | undefined;
  try {
    context = await browser.newContext({
      viewport: options.viewport ?? { width: 1920, height: 1080 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      isMobile: options.isMobile ?? false,
      hasTouch: options.isMobile ?? false,
      // The page shows plant time from the config, whatever the browser's zone: prove it.
      timezoneId: 'America/New_York',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const ctx = context;
    return {
      browser, context: ctx, page, errors,
      async close() {
        await ctx.close().catch(() => undefined);
        if (ownBrowser) await browser.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await context?.close().catch(() => undefined);
    if (ownBrowser) await browser.close().catch(() => undefined);
    throw err;
  }
}

export async function withPage<T>(url: string, body: (opened: OpenedPage) => Promise<T>, options: PageOptions = {}): Promise<T> {
  const opened = await openPage(url, options);
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
}
