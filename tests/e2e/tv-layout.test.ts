/**
 * The page on a TV at the line end, in Chromium: at 1920×1080 and at 1366×768 (the two common TV
 * panels) every panel of a shift with data shows all of its content — nothing cut off, no list
 * that only a scroll would reveal, the downtime Pareto tall enough for all of its bars. A clipped
 * panel fails the test by name (clipping.ts), and each size leaves a screenshot in test-output/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { figures } from '../integration/server/support/fake-line.js';
import { createHarness, type Harness } from '../integration/server/support/harness.js';
import { populateShift } from '../integration/server/support/scenario.js';
import { requireChromium, withPage } from './browser.js';
import { findClipping } from './clipping.js';

const OUTPUT_DIR = path.resolve('test-output');
const MIN = 60_000;

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** A shift with data; `manyReasons`: a bad shift of nine reasons, which the Pareto shows as eight bars. */
async function serveShift(manyReasons: boolean): Promise<string> {
  const h = await createHarness();
  harnesses.push(h);
  populateShift(h);
  if (manyReasons) {
    const byReason = {
      'no-operator': 9 * MIN,
      changeover: 7 * MIN,
      'tool-wear': 5 * MIN,
      'die-jam': 3 * MIN,
      material: 2 * MIN,
    };
    h.fake.oeeSnapshot('press', figures({ downtimeByReason: byReason, downtimeMs: 26 * MIN }));
  }
  // The demo's devices (two PLCs and the GPIO source with its sensor): device comms is as tall
  // as there, and it shares its column with the Pareto.
  const plc = h.health.devices[0];
  if (plc === undefined) throw new Error('the harness has a PLC');
  h.health.devices = [
    plc,
    { ...plc, device: 'plc2', endpoint: 'tcp://127.0.0.1:5021 unit 1' },
    { ...plc, device: 'gpio', endpoint: 'gpio sim (simulator virtual GPIO)' },
    { ...plc, device: 'gpio.pack_sensor', endpoint: 'BCM 17 -> virtual pin 17' },
  ];
  // An open breakdown: a red tile with its reason line, and a downtime row counting.
  h.fake.breakdown('weld', { faultCode: 23 });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
}

describe('the page on a TV, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  for (const [viewport, manyReasons] of [
    [{ width: 1920, height: 1080 }, false],
    [{ width: 1366, height: 768 }, false],
    [{ width: 1920, height: 1080 }, true],
    [{ width: 1366, height: 768 }, true],
  ] as const) {
    const size = `${viewport.width}x${viewport.height}`;
    it(`shows every panel whole at ${size}${manyReasons ? ', with eight Pareto bars' : ''}`, async () => {
      const url = await serveShift(manyReasons);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await withPage(
        url,
        async ({ page, errors }) => {
          await page.waitForSelector('.tile[data-station="weld"][data-state="down"]');
          await page.waitForSelector('li[data-downtime-id]');
          // One line: its name in the header, no line tabs.
          expect(await page.textContent('#line-name')).toBe('Stamping line 1');
          expect(await page.isHidden('#line-tabs')).toBe(true);
          // Charts are drawn at the next frame after the layout settles (ResizeObserver).
          await page.waitForTimeout(500);
          await page.screenshot({ path: path.join(OUTPUT_DIR, `tv-${size}${manyReasons ? '-reasons' : ''}.png`) });
          // The Pareto says how tall its bars need it (five reasons here), so a squeezed one fails.
          expect(Number(await page.getAttribute('#pareto', 'data-need-px'))).toBeGreaterThan(0);
          expect(await findClipping(page)).toEqual([]);
          // A TV shows the whole page: nothing below the fold, nothing beside it.
          const { scrollW, scrollH } = (await page.evaluate(
            '({ scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight })',
          )) as { scrollW: number; scrollH: number };
          expect({ scrollW, scrollH }).toEqual({ scrollW: viewport.width, scrollH: viewport.height });
          expect(errors).toEqual([]);
        },
        { viewport },
      );
    }, 60_000);
  }
});
