/**
 * The history page's Reports panel in Chromium, against the real app with the agent's report
 * service and a week of seeded shifts: a viewer (the view token) sees the line's reports newest
 * first, the shown shift's highlighted, with download links that serve the files and the email
 * state of each, and no Make report; a supervisor (the operator token's login) makes the shown
 * shift's report and sees it appear highlighted; a refused or failed request shows its message and
 * leaves the page working. Nothing clips on a 1920×1080 TV or a 1366×768 laptop.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDelivery } from '../../src/reports/delivery/store.js';
import { DELIVERY_FILE, type EmailRecord } from '../../src/reports/email/delivery.js';
import { parseReportId, reportDir } from '../../src/reports/files.js';
import {
  createHarness,
  ManualClock,
  OPERATOR_TOKEN,
  testConfig,
  VIEW_TOKEN,
  type Harness,
} from '../integration/server/support/harness.js';
import { populateShift } from '../integration/server/support/scenario.js';
import { requireChromium, withPage } from './browser.js';
import { findClipping } from './clipping.js';
import { seedShifts } from './history-seed.js';

const OUTPUT_DIR = path.resolve('test-output');
// Friday 2025-11-28 11:00 Berlin: the last completed shift is Thursday's night (22:00–06:00).
const NOW = Date.UTC(2025, 10, 28, 10, 0, 0);
const LAST_END = Date.UTC(2025, 10, 28, 5, 0, 0);
const H = 3_600_000;
const OPERATOR = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function serve(): Promise<{ h: Harness; base: string; starts: number[] }> {
  const h = await createHarness({
    config: testConfig({ viewToken: VIEW_TOKEN, operatorToken: OPERATOR_TOKEN }),
    clock: new ManualClock(NOW),
    reports: true,
  });
  harnesses.push(h);
  populateShift(h);
  const starts = seedShifts(h, LAST_END, 6);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { h, base: `http://127.0.0.1:${port}`, starts };
}

/** Makes a shift's report through the API, as a supervisor; returns its id. */
async function makeReport(h: Harness, start: number): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/reports',
    headers: OPERATOR,
    payload: JSON.stringify({ line: 'line1', start }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

/** Writes a report's delivery.json as the email delivery would have left it. */
async function writeEmailState(h: Harness, id: string, state: Partial<EmailRecord>): Promise<void> {
  const key = parseReportId(id);
  if (key === undefined || h.reports === undefined) throw new Error(`no report ${id}`);
  const record = {
    id,
    to: ['manager@plant.example'],
    message: { subject: 'Report', text: '', html: '' },
    queuedAt: NOW,
    status: 'pending',
    attempts: 0,
    ...state,
  } as EmailRecord;
  await writeDelivery(reportDir(h.reports.root, key), DELIVERY_FILE, record);
}

/** The first four bytes of a URL fetched by the page (its cookie, its origin). */
async function fetchHead(page: Page, url: string): Promise<string> {
  return (await page.evaluate(
    `fetch(${JSON.stringify(url)}, { credentials: 'same-origin' })
      .then((r) => r.arrayBuffer())
      .then((b) => String.fromCharCode(...new Uint8Array(b).slice(0, 4)))`,
  )) as string;
}

/** Logs the page in with the operator token (a supervisor), as the live page's login does. */
async function logInAsSupervisor(page: Page): Promise<void> {
  const status = (await page.evaluate(
    `fetch('/api/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ${JSON.stringify(OPERATOR_TOKEN)} }) }).then((r) => r.status)`,
  )) as number;
  expect(status).toBe(200);
}

/** The history page, after the live page's `?token=` bookmark left the view cookie (docs/dashboard.md#access). */
async function openHistory(page: Page, base: string): Promise<void> {
  await page.waitForSelector('.tile[data-station="press"]');
  await page.goto(`${base}/history?line=line1`);
}

const rows = '#h-reports-list li.h-report';

describe('the reports on the history page, in Chromium', () => {
  beforeEach(() => {
    requireChromium();
  });

  it('a viewer sees the reports, the shown shift’s highlighted, with working links and email states, and no Make report', async () => {
    const { h, base, starts } = await serve();
    const night = starts[starts.length - 1] as number;
    const late = starts[starts.length - 2] as number;
    // Six shifts' reports, oldest made first: the list is newest first whatever the making order.
    const older = starts.slice(-6, -2);
    const olderIds: string[] = [];
    for (const start of older) olderIds.push(await makeReport(h, start));
    const nightId = await makeReport(h, night);
    const lateId = await makeReport(h, late);
    await writeEmailState(h, lateId, {
      status: 'failed',
      attempts: 9,
      lastError: 'EMAIL_AUTH smtp://mail.plant:587: 535 authentication failed',
    });
    await writeEmailState(h, nightId, { status: 'sent', attempts: 1, sentAt: LAST_END + 2 * 60_000 });
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await withPage(
      `${base}/?line=line1&token=${VIEW_TOKEN}`,
      async ({ page, errors }) => {
        await openHistory(page, base);
        await page.waitForSelector('#h-kpi-oee dd');
        await page.waitForSelector(rows);
        // Newest first and bounded: the four newest shifts' reports, the night's highlighted as the
        // period shown, and a button for all six.
        const ids = async (): Promise<(string | null)[]> =>
          Promise.all((await page.locator(rows).all()).map((l) => l.getAttribute('data-id')));
        expect(await ids()).toEqual([nightId, lateId, olderIds[3], olderIds[2]]);
        expect(await page.textContent('#h-reports-more')).toBe('Show all 6');
        expect(await page.getAttribute('#h-reports-more', 'aria-expanded')).toBe('false');
        const shown = page.locator(`${rows}.is-shown`);
        expect(await shown.count()).toBe(1);
        expect(await shown.getAttribute('data-id')).toBe(nightId);
        expect(await shown.getAttribute('aria-current')).toBe('true');
        expect(await shown.locator('.h-report-period').textContent()).toBe('Thu 27 Nov night 22:00–06:00');
        expect(await shown.locator('.h-report-period').textContent()).toBe(
          await page.locator('#h-period option:checked').textContent(),
        );
        expect(await shown.textContent()).toContain('emailed 06:02');
        const lateRow = page.locator(`${rows}[data-id="${lateId}"]`);
        expect(await lateRow.locator('.h-report-period').textContent()).toBe('Thu 27 Nov late 14:00–22:00');
        expect(await lateRow.locator('.h-report-delivery').textContent()).toBe(
          'email failed: EMAIL_AUTH smtp://mail.plant:587: 535 authentication failed',
        );

        // The email goes out after all (the password was fixed): the list shows it without a
        // reload when it is read again (every minute, and when the page comes back into sight).
        await writeEmailState(h, lateId, { status: 'sent', attempts: 10, sentAt: LAST_END + 3 * 60 * 60_000 });
        await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
        await lateRow.locator('.h-report-delivery', { hasText: 'emailed 09:00' }).waitFor();

        // Real download links: PDF, HTML and the three CSV files, each serving its file.
        const links = shown.locator('.h-report-files a');
        expect(await links.allTextContents()).toEqual(['PDF', 'HTML', 'downtime', 'cycles', 'OEE']);
        const pdf = shown.getByRole('link', { name: 'PDF of Thu 27 Nov night 22:00–06:00' });
        const href = (await pdf.getAttribute('href')) ?? '';
        expect(href).toBe(`/api/reports/${nightId}/report.pdf`);
        expect(await pdf.getAttribute('download')).toBe(`${nightId}-report.pdf`);
        expect(await fetchHead(page, href)).toBe('%PDF');
        const csv =
          (await shown
            .getByRole('link', { name: 'downtime CSV of Thu 27 Nov night 22:00–06:00' })
            .getAttribute('href')) ?? '';
        expect(await fetchHead(page, csv)).not.toBe('');

        // A viewer may not make reports: no button.
        expect(await page.isHidden('#h-make-report')).toBe(true);
        expect(await page.isHidden('#h-reports-error')).toBe(true);

        // Another period: its report is the highlighted one, listed under the four newest when older.
        await page.selectOption('#h-period', `shift:${late}`);
        await page.locator(`${rows}.is-shown[data-id="${lateId}"]`).waitFor();
        expect(await page.locator(`${rows}.is-shown`).count()).toBe(1);
        await page.selectOption('#h-period', `shift:${older[0]}`);
        await page.locator(`${rows}.is-shown[data-id="${olderIds[0]}"]`).waitFor();
        expect(await ids()).toEqual([nightId, lateId, olderIds[3], olderIds[2], olderIds[0]]);
        // As a TV shows it (nobody touches it): everything fits, nothing clipped.
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'history-reports-1920x1080.png') });
        expect(await findClipping(page)).toEqual([]);
        const size = async (): Promise<{ scrollW: number; scrollH: number }> =>
          (await page.evaluate(
            '({ scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight })',
          )) as { scrollW: number; scrollH: number };
        expect(await size()).toEqual({ scrollW: 1920, scrollH: 1080 });

        // Show all, by keyboard: the list scrolls inside the panel, the page still fits the screen.
        await page.focus('#h-reports-more');
        await page.keyboard.press('Enter');
        await page.locator('#h-reports-more[aria-expanded="true"]', { hasText: 'Show fewer' }).waitFor();
        expect(await ids()).toEqual([nightId, lateId, ...[...olderIds].reverse()]);
        expect(await size()).toEqual({ scrollW: 1920, scrollH: 1080 });
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1920, height: 1080 } },
    );
  }, 60_000);

  it('a supervisor makes the shown shift’s report: the button says Making…, then the report is listed highlighted', async () => {
    const { h, base, starts } = await serve();
    const night = starts[starts.length - 1] as number;
    // An older report: the new one goes on top of it.
    const older = await makeReport(h, night - 16 * H);
    await withPage(
      `${base}/?line=line1&token=${VIEW_TOKEN}`,
      async ({ page, errors }) => {
        await openHistory(page, base);
        await logInAsSupervisor(page);
        await page.reload();
        await page.waitForSelector('#h-kpi-oee dd');
        await page.waitForSelector(rows);
        expect(await page.locator(`${rows}.is-shown`).count()).toBe(0);
        const button = page.getByRole('button', { name: 'Make the report of Thu 27 Nov night 22:00–06:00' });
        expect(await button.isVisible()).toBe(true);
        // The server's answer is held back until the page has been seen waiting for it.
        let release = (): void => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route('**/api/reports', async (route) => {
          if (route.request().method() === 'POST') await held;
          await route.continue();
        });
        // Keyboard only.
        await button.focus();
        await page.keyboard.press('Enter');
        await page.locator('#h-make-report:disabled', { hasText: 'Making…' }).waitFor();
        release();
        const shown = page.locator(`${rows}.is-shown`);
        await shown.waitFor();
        expect(await page.locator(rows).count()).toBe(2);
        expect(await page.locator(rows).first().getAttribute('class')).toContain('is-shown');
        expect(await shown.locator('.h-report-period').textContent()).toBe('Thu 27 Nov night 22:00–06:00');
        const list = (await h.app.inject({ url: '/api/reports?line=line1', headers: OPERATOR })).json() as {
          reports: { id: string; start: string }[];
        };
        expect(list.reports.map((r) => r.id)).toEqual([await shown.getAttribute('data-id'), older]);
        expect(list.reports[0]?.start).toBe(new Date(night).toISOString());
        expect(await page.textContent('#h-make-report')).toBe('Make report');
        expect(await page.isEnabled('#h-make-report')).toBe(true);
        expect(await page.isHidden('#h-reports-error')).toBe(true);
        expect(await fetchHead(page, (await shown.locator('a').first().getAttribute('href')) ?? '')).toBe('%PDF');
        // A week, as the picker shows it (Monday to Sunday, plant time): its report is the week's.
        await page.selectOption('#h-kind', 'week');
        await page.getByRole('button', { name: 'Make the report of Week of Mon 24 Nov' }).click();
        const week = page.locator(`${rows}.is-shown`, { hasText: 'Week of Mon 24 Nov' });
        await week.waitFor();
        expect(await week.getAttribute('data-id')).toBe('line1.20251123T230000Z+week');
        expect(await week.locator('a').allTextContents()).toContain('shifts');
        const weekCsv = (await page.evaluate(
          `fetch(${JSON.stringify(await week.locator('a', { hasText: 'OEE' }).getAttribute('href'))}).then((r) => r.text())`,
        )) as string;
        const period = (
          await h.app.inject({
            url: '/api/history/period?line=line1&from=2025-11-24T00:00:00%2B01:00&to=2025-12-01T00:00:00%2B01:00',
            headers: OPERATOR,
          })
        ).json() as { figures: { oee: number } };
        expect(weekCsv.split('\r\n')[1]?.split(',')[4]).toBe(String(period.figures.oee));
        // A 1366×768 laptop or TV: the panel with its button and two reports fits, nothing clipped.
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'history-reports-1366x768.png') });
        expect(await findClipping(page)).toEqual([]);
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1366, height: 768 } },
    );
  }, 60_000);

  it('a refused or failed request shows its message in the panel and the page goes on working', async () => {
    const { h, base } = await serve();
    await withPage(
      `${base}/?line=line1&token=${VIEW_TOKEN}`,
      async ({ page, errors }) => {
        await openHistory(page, base);
        await logInAsSupervisor(page);
        await page.reload();
        await page.waitForSelector('#h-kpi-oee dd');
        await page.waitForSelector('#h-make-report:visible');
        expect(await page.textContent('#h-reports-list')).toBe('No reports of this line yet.');
        // The session ends elsewhere (a logout in another tab): the server refuses, and says why.
        await page.evaluate(`fetch('/api/logout', { method: 'POST', credentials: 'same-origin',
          headers: { 'content-type': 'application/json' }, body: '{}' })`);
        await page.click('#h-make-report');
        const alert = page.getByRole('alert').filter({ hasText: 'Could not make the report' });
        await alert.waitFor();
        expect(await alert.getAttribute('id')).toBe('h-reports-error');
        const refused = (
          await h.app.inject({ method: 'POST', url: '/api/reports', payload: { line: 'line1', start: 0 } })
        ).json() as { error: { message: string } };
        expect(await alert.textContent()).toBe(`Could not make the report: ${refused.error.message}`);
        expect(await page.textContent('#h-make-report')).toBe('Make report');
        expect(await page.isEnabled('#h-make-report')).toBe(true);
        expect(await page.locator(rows).count()).toBe(0);

        // The agent stops: the request fails, the message says so, nothing crashes.
        await h.app.close();
        await page.click('#h-make-report');
        await page
          .locator('#h-reports-error', { hasText: /^Could not make the report: no answer from the agent/ })
          .waitFor();
        expect(await page.isEnabled('#h-make-report')).toBe(true);
        // Only the browser's own notes of the refused and failed requests; no script error.
        expect(errors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
      },
      { viewport: { width: 1920, height: 1080 } },
    );
  }, 60_000);
});
