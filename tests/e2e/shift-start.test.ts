/**
 * The overview at a shift's start, in Chromium: the gauges do not flash red on the first part
 * (they show the value in a neutral colour and say they are settling until the figures cover
 * 10 minutes of production), and the output says what its target is — the whole shift's, at the
 * ideal rate when the shift sets none — and how many parts were due by now.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { figures } from '../integration/server/support/fake-line.js';
import { createHarness, type Harness } from '../integration/server/support/harness.js';
import { requireChromium, withPage } from './browser.js';
import { findClipping } from './clipping.js';

const MIN = 60_000;

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** The colour (r, g, b) in the middle of the OEE gauge's stroke, just past its start. */
const OEE_ARC_RGB = `(() => {
  const c = document.getElementById('g-oee');
  const size = Math.min(c.width, c.height);
  const r = size / 2 - (size * 0.12) / 2 - 1;
  const a = Math.PI * 0.75 + 0.05;
  const x = Math.round(c.width / 2 + r * Math.cos(a));
  const y = Math.round(c.height / 2 + r * Math.sin(a));
  return [...c.getContext('2d').getImageData(x, y, 1, 1).data].slice(0, 3);
})()`;

describe('the overview at shift start, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('shows the first minutes in a neutral colour, then the verdict; labels the target for what it is', async () => {
    const h = await createHarness();
    harnesses.push(h);
    const now = h.clock.wallMs();
    // The late shift began two minutes ago and has no configured target: the core derives it
    // from the ideal cycle time. One good part so far, 9 behind the pro-rata target.
    h.fake.shift = { name: 'late', start: now - 2 * MIN, end: now + 478 * MIN };
    const firstPart = { total: 1, good: 1, reject: 0 };
    h.fake.setCounts('pack', 1, 1, 12_000);
    h.fake.setTarget('pack', 2400, 9);
    const early = { availability: 1, performance: 0.21, quality: 1, oee: 0.21, counts: firstPart, target: 2400 };
    h.fake.oeeSnapshot('pack', figures({ ...early, behindBy: 9, plannedTimeMs: 2 * MIN, runTimeMs: 2 * MIN }));
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;

    await withPage(url, async ({ page, errors }) => {
      await page.waitForSelector('#conn.conn-live');
      // 21 % after one part: shown, but not red.
      await page.waitForSelector('#g-oee[data-tone="settling"]');
      expect(await page.textContent('#ov-settling')).toBe('settling (first 10 min)');
      expect(await page.isVisible('#ov-settling')).toBe(true);
      expect(await page.evaluate(OEE_ARC_RGB)).toEqual([148, 163, 184]);
      expect(await page.getAttribute('#g-a', 'data-tone')).toBe('settling');
      // What the target is and what was due.
      expect(await page.textContent('#ov-target')).toBe('of 2\u202f400 shift target at ideal rate');
      expect(await page.textContent('.ov-plan')).toBe('10 due by now (behind by 9)');
      const pack = '.tile[data-station="pack"]';
      expect(await page.textContent(`${pack} .metric:nth-child(2) .k`)).toBe('Good / target at ideal rate');
      expect(await page.textContent(`${pack} .metric:nth-child(3) .k`)).toBe('10 due by now');
      expect(await page.textContent(`${pack} .metric:nth-child(3) .v`)).toBe('behind by 9');
      expect(await findClipping(page)).toEqual([]);

      // Twelve minutes of production later, still at 21 %: now it is red. The shift got a
      // configured target meanwhile (as a new shift with `target` would have).
      h.fake.shift = { name: 'late', start: now - 2 * MIN, end: now + 478 * MIN, target: 2250 };
      h.fake.oeeSnapshot('pack', figures({ ...early, behindBy: 55, plannedTimeMs: 12 * MIN, runTimeMs: 12 * MIN }));
      await page.waitForSelector('#g-oee[data-tone="bad"]');
      expect(await page.isHidden('#ov-settling')).toBe(true);
      expect(await page.evaluate(OEE_ARC_RGB)).toEqual([239, 68, 68]);
      await expect.poll(() => page.textContent('#ov-target')).toBe('of 2\u202f250 shift target');
      expect(await page.textContent('.ov-plan')).toBe('56 due by now (behind by 55)');
      expect(errors).toEqual([]);
    });
  }, 60_000);
});
