/**
 * Debian's Chromium driven by playwright-core — never a browser download. `withPage` starts a
 * headless browser, opens a URL, runs the body and closes everything, whatever happens; the
 * lead's full agent + simulator e2e reuses it.
 *
 * Chromium is found the way scripts/test-prereqs.sh checks for it: on PATH, then in /usr/sbin,
 * /usr/bin, /sbin, /bin; as `chromium` (Debian) or `chromium-browser` (Ubuntu). LINESIDE_CHROMIUM
 * names the binary explicitly. A missing browser is a failure with the package to install, never
 * a skip: a skipped browser test looks green and hides a broken machine.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { EXTRA_DIRS, findBinary, isCI, isExecutableFile } from '../helpers/binaries.js';

const CHROMIUM_NAMES = ['chromium', 'chromium-browser'] as const;

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

/** Absolute path of Chromium (LINESIDE_CHROMIUM if set, else the search above), or null. */
export function findChromium(): string | null {
  const explicit = process.env.LINESIDE_CHROMIUM;
  if (explicit !== undefined && explicit !== '') return isExecutableFile(explicit) ? explicit : null;
  for (const name of CHROMIUM_NAMES) {
    const found = findBinary(name);
    if (found !== null) return found;
  }
  return null;
}

/** Path of Chromium, or throws naming the Debian package to install. Locally and on CI alike. */
export function requireChromium(): string {
  const found = findChromium();
  if (found !== null) return found;
  const explicit = process.env.LINESIDE_CHROMIUM;
  const looked =
    explicit !== undefined && explicit !== ''
      ? `LINESIDE_CHROMIUM=${explicit} is not an executable file`
      : `no ${CHROMIUM_NAMES.join(' or ')} on PATH or in ${EXTRA_DIRS.join(', ')}`;
  const hint = isCI() ? 'install it in the CI image before the tests' : 'run: sudo bash scripts/test-prereqs.sh';
  throw new Error(`Chromium not found (${looked}); the browser tests need Debian package chromium (${hint})`);
}

/** For tools that can do without a browser (bench/dashboard-soak.ts); tests use requireChromium(). */
export function chromiumAvailable(): boolean {
  return findChromium() !== null;
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
  return chromium.launch({ executablePath: requireChromium(), headless: true, args: CHROMIUM_ARGS });
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
      browser,
      context: ctx,
      page,
      errors,
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

export async function withPage<T>(
  url: string,
  body: (opened: OpenedPage) => Promise<T>,
  options: PageOptions = {},
): Promise<T> {
  const opened = await openPage(url, options);
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
}
