/**
 * The history page in Chromium: a week of seeded shifts in the real history store, served by the
 * real app. The trend shows every shift; the default period is the last completed shift, and its
 * figures on the page are the API's (/api/oee?start= and /api/history/period); a picked day shows
 * its summed figures; the header's History link leads there; nothing clips on a 1920×1080 TV.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { OeeFigures } from '../../src/core/events.js';
import type { HistoryPeriodView } from '../../src/server/history-view.js';
import { configYaml, createHarness, ManualClock, type Harness } from '../integration/server/support/harness.js';
import { populateShift } from '../integration/server/support/scenario.js';
import { requireChromium, withPage } from './browser.js';
import { findClipping } from './clipping.js';
import { seedShifts } from './history-seed.js';

const OUTPUT_DIR = path.resolve('test-output');
// Friday 2025-11-28 11:00 Berlin: the early shift runs; the last completed one is Thursday's night.
const NOW = Date.UTC(2025, 10, 28, 10, 0, 0);
const LAST_END = Date.UTC(2025, 10, 28, 5, 0, 0);

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function serve(): Promise<{ h: Harness; base: string; starts: number[] }> {
  const h = await createHarness({ clock: new ManualClock(NOW), reports: true });
  harnesses.push(h);
  populateShift(h);
  const starts = seedShifts(h, LAST_END, 6);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { h, base: `http://127.0.0.1:${port}`, starts };
}

const pct = (r: number): string => `${Math.round(Math.min(1, Math.max(0, r)) * 100)}%`;

describe('the history page, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('shows the trend of the seeded shifts and the last completed shift with the API figures, unclipped at 1920×1080', async () => {
    const { h, base, starts } = await serve();
    expect(starts).toHaveLength(18);
    const lastStart = starts[starts.length - 1] as number;
    const oee = (await h.app.inject(`/api/oee?start=${lastStart}`)).json() as { figures: OeeFigures };
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await withPage(
      `${base}/`,
      async ({ page, errors }) => {
        // The live page's header leads to the history of the line on screen.
        await page.waitForSelector('.tile[data-station="press"]');
        await page.click('#history-link');
        await page.waitForURL(/\/history/);
        await page.waitForSelector('#h-main[aria-busy="false"]');
        await page.waitForSelector('#h-kpi-oee dd');
        // The trend has a point per seeded shift, in words too.
        const trend = (await page.getAttribute('#h-trend-chart', 'aria-label')) ?? '';
        expect(trend.split('; ')).toHaveLength(18);
        // The default period: the last completed shift (Thursday's night), the API's figures.
        expect(await page.inputValue('#h-kind')).toBe('shift');
        expect(await page.inputValue('#h-period')).toBe(`shift:${lastStart}`);
        expect(await page.textContent('#h-kpi-oee dd')).toBe(pct(oee.figures.oee));
        expect(await page.textContent('#h-kpi-a dd')).toBe(pct(oee.figures.availability));
        expect(await page.textContent('#h-kpi-p dd')).toBe(pct(oee.figures.performance));
        expect(await page.textContent('#h-kpi-q dd')).toBe(pct(oee.figures.quality));
        expect((await page.textContent('#h-kpi-good dd'))?.replace(/\u202f/g, '')).toBe(
          String(oee.figures.counts.good),
        );
        // The Pareto by cause: the press's die jam includes the weld's wait for it, and its bars
        // are the API's causes, in the same order.
        const pareto = (await page.getAttribute('#h-pareto-chart', 'aria-label')) ?? '';
        expect(pareto).toContain('incl. Spot weld cell starved');
        const period = (
          await h.app.inject(`/api/history/period?from=${lastStart}&to=${lastStart + 1}`)
        ).json() as HistoryPeriodView;
        const bars = pareto.split('; ');
        expect(bars).toHaveLength(period.causes.length);
        period.causes.forEach((c, k) => expect(bars[k]?.startsWith(`${c.label} `), bars[k]).toBe(true));
        // Stations with MTBF/MTTR, output vs target, the alerts and how they ended.
        expect(await page.locator('#h-stations-table tbody tr').count()).toBe(3);
        expect(await page.textContent('#h-output-table tbody')).toContain('night');
        const alerts = (await page.textContent('#h-alerts-table tbody')) ?? '';
        expect(alerts).toContain('acknowledged by mia');
        expect(alerts).toContain('still active');

        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'history-1920x1080.png') });
        expect(await findClipping(page)).toEqual([]);
        const { scrollW, scrollH } = (await page.evaluate(
          '({ scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight })',
        )) as { scrollW: number; scrollH: number };
        expect({ scrollW, scrollH }).toEqual({ scrollW: 1920, scrollH: 1080 });
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1920, height: 1080 } },
    );
  }, 60_000);

  it('shows a picked day and a picked week as the API sums them, unclipped at 1920×1080', async () => {
    const { h, base, starts } = await serve();
    await withPage(
      `${base}/history?line=line1`,
      async ({ page, errors }) => {
        await page.waitForSelector('#h-kpi-oee dd');
        await page.selectOption('#h-kind', 'day');
        // Newest day first: Thursday 27 Nov (its early, late and night shifts).
        const thursday = starts.filter((s) => s >= Date.UTC(2025, 10, 27, 5) && s < Date.UTC(2025, 10, 28, 5));
        expect(thursday).toHaveLength(3);
        const from = thursday[0] as number;
        const to = (thursday[2] as number) + 1;
        const period = (await h.app.inject(`/api/history/period?from=${from}&to=${to}`)).json() as HistoryPeriodView;
        expect(period.shifts).toHaveLength(3);
        // A locator, not waitForFunction: the page's CSP forbids evaluating strings.
        await page.locator('#h-period-label', { hasText: /^Thu 27 Nov$/ }).waitFor();
        expect(await page.textContent('#h-kpi-oee dd')).toBe(pct(period.figures.oee));
        expect(await page.textContent('#h-kpi-a dd')).toBe(pct(period.figures.availability));
        expect(await page.locator('#h-output-table tbody tr').count()).toBe(3);
        expect(await findClipping(page)).toEqual([]);

        // A week: Monday 24 Nov to the last shift, 12 shifts, each a row of output vs target.
        await page.selectOption('#h-kind', 'week');
        const week = starts.filter((s) => s >= Date.UTC(2025, 10, 24, 5));
        expect(week).toHaveLength(12);
        const weekPeriod = (
          await h.app.inject(`/api/history/period?from=${week[0]}&to=${(week[11] as number) + 1}`)
        ).json() as HistoryPeriodView;
        // A locator, not waitForFunction: the page's CSP forbids evaluating strings.
        await page.locator('#h-period-label', { hasText: /^Week of Mon 24 Nov$/ }).waitFor();
        expect(await page.textContent('#h-kpi-oee dd')).toBe(pct(weekPeriod.figures.oee));
        expect(await page.locator('#h-output-table tbody tr').count()).toBe(12);
        // The alerts of the week's last shift are the week's too.
        expect(await page.textContent('#h-alerts-table tbody')).toContain('acknowledged by mia');
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'history-week-1920x1080.png') });
        expect(await findClipping(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1920, height: 1080 } },
    );
  }, 60_000);

  it('fits a 1366×768 laptop or TV for a shift, nothing clipped', async () => {
    const { base } = await serve();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await withPage(
      `${base}/history`,
      async ({ page, errors }) => {
        await page.waitForSelector('#h-kpi-oee dd');
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'history-1366x768.png') });
        expect(await findClipping(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1366, height: 768 } },
    );
  }, 60_000);

  it('follows the line on screen: History from line 2 shows line 2, and the picker switches lines', async () => {
    // Stamping line 1 (press, weld, pack) and Assembly line 2 (paint, test), as in lines.test.ts.
    const yaml = configYaml({}, 5).replace(
      '      - id: paint\n',
      '  - id: line2\n    name: Assembly line 2\n    stations:\n      - id: paint\n',
    );
    const loaded = loadConfigText(yaml, { env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const h = await createHarness({ config: loaded.config, clock: new ManualClock(NOW), reports: true });
    harnesses.push(h);
    populateShift(h);
    seedShifts(h, LAST_END, 2);
    const starts2 = seedShifts(h, LAST_END, 2, 'line2', ['paint', 'test']);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const last2 = starts2[starts2.length - 1] as number;
    const oee2 = (await h.app.inject(`/api/oee?line=line2&start=${last2}`)).json() as { figures: OeeFigures };
    const oee1 = (await h.app.inject(`/api/oee?line=line1&start=${last2}`)).json() as { figures: OeeFigures };
    expect(oee2.figures.oee).not.toBe(oee1.figures.oee);
    await withPage(`${base}/?line=line2`, async ({ page, errors }) => {
      await page.waitForSelector('.tile[data-station="paint"]');
      await page.click('#history-link');
      await page.waitForURL(/\/history\?line=line2/);
      await page.waitForSelector('#h-kpi-oee dd');
      expect(await page.textContent('#h-line-name')).toBe('Assembly line 2');
      expect(await page.isVisible('#h-line')).toBe(true);
      expect(await page.textContent('#h-kpi-oee dd')).toBe(pct(oee2.figures.oee));
      expect(await page.locator('#h-stations-table tbody tr').count()).toBe(2);
      // The picker goes to line 1's history.
      await page.selectOption('#h-line', 'line1');
      await page.waitForURL(/\/history\?line=line1/);
      await page.waitForSelector('#h-kpi-oee dd');
      expect(await page.textContent('#h-line-name')).toBe('Stamping line 1');
      expect(await page.textContent('#h-kpi-oee dd')).toBe(pct(oee1.figures.oee));
      expect(await page.locator('#h-stations-table tbody tr').count()).toBe(3);
      expect(errors).toEqual([]);
    });
  }, 60_000);

  it('says so when the local history has no shift yet', async () => {
    const h = await createHarness({ clock: new ManualClock(NOW), reports: true });
    harnesses.push(h);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    await withPage(`${base}/history`, async ({ page, errors }) => {
      await page.waitForSelector('#h-main[aria-busy="false"]');
      expect(await page.isVisible('#h-notice')).toBe(true);
      expect(await page.textContent('#h-notice')).toBe('No shift recorded in the local history yet.');
      expect(await page.getAttribute('#h-trend-chart', 'aria-label')).toBe(
        'OEE per shift: No shifts recorded in the last 14 days',
      );
      expect(errors).toEqual([]);
    });
  }, 60_000);
});
