/**
 * The dashboard in Debian's Chromium against the real agent of `lineside demo` (simulator over
 * real Modbus TCP, core, spool, embedded broker, server: src/cli/demo-setup.ts, the same
 * composition the CLI runs), not the port fake: a breakdown in the simulated line turns the
 * station's tile red with its reason within 2 s of the core's event, and a reason an operator
 * assigns on the page reaches MQTT carrying who assigned it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { setUpDemo, type Demo } from '../../src/cli/demo-setup.js';
import type { CoreEvent } from '../../src/core/index.js';
import { freePort } from '../helpers/ports.js';
import { withPage } from './browser.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lineside-e2e-agent-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A Monday 08:00 in the demo's zone: mid early shift, no break for two hours. */
const MONDAY_0800_BERLIN = Date.parse('2026-03-02T07:00:00Z');

interface DowntimeMessage {
  id: string;
  phase: string;
  reason: string;
  assignedBy?: { user?: string; role?: string; via?: string; note?: string };
}

/** Breaks `station` down now; a station in a micro-stop refuses, so try again until it takes. */
async function breakDown(demo: Demo, station: string, faultCode: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      demo.simulator.breakdown(station, faultCode, 30 * 60_000);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('dashboard in Chromium against the real demo agent', () => {
  it('a breakdown turns the tile red with its reason within 2 s of the core event; a reason set on the page reaches MQTT with who set it', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const demo = await setUpDemo(
      { speed: 1, seed: 1, httpPort, mqttPort, startWallMs: MONDAY_0800_BERLIN },
      { ...process.env, LINESIDE_DEMO_DATA: dataDir, LINESIDE_LOG_LEVEL: undefined },
    );
    // The core's events as they are emitted: the instant the tile is measured from.
    const coreDown = new Map<string, { atMs: number; downtimeId?: string }>();
    demo.agent.events.add('e2e-tap', (e: CoreEvent) => {
      if (e.type === 'state' && e.station === 'weld' && e.state === 'down' && !coreDown.has('state'))
        coreDown.set('state', { atMs: Date.now() });
      if (e.type === 'downtime' && e.station === 'weld' && e.phase === 'started' && !coreDown.has('downtime'))
        coreDown.set('downtime', { atMs: Date.now(), downtimeId: e.downtimeId });
    });
    await demo.agent.start();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0 });
    const downtimes: DowntimeMessage[] = [];
    client.on('message', (topic, payload) => {
      if (topic === 'lineside/sim/line1/weld/downtime')
        downtimes.push(JSON.parse(payload.toString()) as DowntimeMessage);
    });
    await client.subscribeAsync('lineside/sim/line1/weld/downtime', { qos: 1 });
    try {
      await withPage(`http://127.0.0.1:${httpPort}/`, async ({ page, errors }) => {
        await page.waitForSelector('.tile[data-station="weld"]');
        await page.waitForSelector('#conn.conn-live');
        await expect
          .poll(() => page.getAttribute('.tile[data-station="weld"]', 'data-state'), { timeout: 30_000 })
          .not.toBe('down');
        // Record in the page when the weld tile first shows "down" (whether the attribute changes
        // or the tile is rendered anew), on the same wall clock as the core's tap.
        // (A string, so this Node-typed file needs no DOM typings.)
        await page.evaluate(`{
          const check = () => {
            if (window.weldDownAt === undefined && document.querySelector('.tile[data-station="weld"]')?.getAttribute('data-state') === 'down') window.weldDownAt = Date.now();
          };
          new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
        }`);

        await breakDown(demo, 'weld', 201); // electrode worn, from the demo's fault table
        await page.waitForSelector('.tile[data-station="weld"][data-state="down"]', { timeout: 10_000 });
        const flippedAt = (await page.evaluate('window.weldDownAt')) as number | undefined;
        const coreAt = coreDown.get('state')?.atMs;
        expect(coreAt, 'the core emitted weld down').toBeDefined();
        const latencyMs = (flippedAt ?? Infinity) - (coreAt ?? 0);
        console.info(`[e2e real agent] core event -> red tile in ${latencyMs} ms`);
        expect(latencyMs).toBeLessThan(2_000);
        await expect.poll(() => page.textContent('.tile[data-station="weld"] .tile-reason')).toBe('Electrode worn');

        // The operator logs in as the demo's operator user and corrects the reason.
        const downtimeId = coreDown.get('downtime')?.downtimeId ?? '';
        expect(downtimeId).not.toBe('');
        await page.click('#operator-btn');
        await page.fill('#login-user', 'operator');
        await page.fill('#login-password', 'demo');
        await page.click('#login-form button[type="submit"]');
        await page.waitForSelector('#operator-btn.on');
        const row = `li[data-downtime-id="${downtimeId}"]`;
        await page.selectOption(`${row} select.reason-select`, 'wire_feed');
        await page.click(`${row} .assign-btn`);
        await page.waitForSelector('#toast:has-text("Reason saved")');
        await expect.poll(() => page.textContent('.tile[data-station="weld"] .tile-reason')).toBe('Wire feed fault');

        // On MQTT: the downtime's update, with the reason and who assigned it.
        await expect
          .poll(() => downtimes.find((d) => d.id === downtimeId && d.phase === 'updated'), { timeout: 10_000 })
          .toMatchObject({
            reason: 'wire_feed',
            assignedBy: { user: 'operator', role: 'operator', via: 'login' },
          });
        expect(await page.textContent('#operator-btn')).toBe('operator (operator) · log out');
        // The audit trail shows the same action.
        const audit = (await (await fetch(`http://127.0.0.1:${httpPort}/api/audit`)).json()) as {
          actions: Array<Record<string, unknown>>;
        };
        expect(audit.actions).toContainEqual(
          expect.objectContaining({
            action: 'assign-reason',
            target: downtimeId,
            reason: 'wire_feed',
            user: 'operator',
            role: 'operator',
            via: 'login',
          }),
        );

        // A viewer logs in and gets no controls to be refused by.
        await page.click('#operator-btn');
        await page.waitForSelector('#operator-btn:not(.on)');
        await page.click('#operator-btn');
        await page.fill('#login-user', 'viewer');
        await page.fill('#login-password', 'demo');
        await page.click('#login-form button[type="submit"]');
        await page.waitForSelector('#operator-btn.on');
        expect(await page.locator('select.reason-select').count()).toBe(0);
        expect(await page.locator('.ack-btn').count()).toBe(0);
        expect(errors).toEqual([]);
      });
    } finally {
      await client.endAsync();
      await demo.agent.stop();
      await demo.stopSimulator();
    }
  }, 120_000);
});
