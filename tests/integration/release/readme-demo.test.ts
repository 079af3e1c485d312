/**
 * The first thing a new user does: a fresh `git clone`, then the README's demo command exactly as
 * written. It must bring up the dashboard and publish cycles on the embedded broker, and Ctrl-C
 * must stop it cleanly. Round 1 shipped a demo that crashed on first start because every test ran
 * src/ through tsx and none ran this.
 *
 * The clone is of this repository's HEAD, so the test sees what a user gets from the committed
 * tree (uncommitted edits are not in it). npm stays offline (see OFFLINE_NPM_ENV).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import {
  firstCycle,
  groupGoneWithin,
  httpStatus,
  interrupt,
  OFFLINE_NPM_ENV,
  readmeCommand,
  removeTempDirs,
  spawnShell,
  tempDir,
  waitForText,
} from './support.js';

afterAll(() => removeTempDirs());

describe('the README demo on a fresh clone', () => {
  it('`npm ci && npm start` as written: banner, /healthz 200, the demo login, a cycle on the embedded broker, Ctrl-C stops cleanly within 10 s', async () => {
    const command = readmeCommand('**Run the demo**');
    expect(command).toBe('npm ci && npm start');
    const clone = join(tempDir('clone'), 'lineside');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone], { stdio: 'pipe' });

    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const demo = spawnShell(command, clone, {
      ...OFFLINE_NPM_ENV,
      // The documented variables, so this test can run beside others; speed 60 so a 30-minute
      // break in the demo's shift calendar lasts 30 s, whatever the time of day CI runs at.
      LINESIDE_DEMO_HTTP_PORT: String(httpPort),
      LINESIDE_DEMO_MQTT_PORT: String(mqttPort),
      LINESIDE_DEMO_SPEED: '60',
      LINESIDE_LOG_LEVEL: undefined,
    });
    try {
      // npm ci compiles native modules from source here: minutes on two busy cores.
      const banner = await waitForText(demo, /Lineside demo is running/, 540_000);
      expect(banner).toContain(`http://127.0.0.1:${httpPort}/`);
      expect(banner).not.toMatch(/EBADENGINE/);
      expect(await httpStatus(`http://127.0.0.1:${httpPort}/healthz`)).toBe(200);
      expect(await httpStatus(`http://127.0.0.1:${httpPort}/`)).toBe(200);
      // The demo user the README names logs in with no setup, and gets the operator's rights.
      expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toMatch(
        /\*\*Log in\*\* as `operator`[\s\S]{0,80}password `demo`/,
      );
      const login = await fetch(`http://127.0.0.1:${httpPort}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'operator', password: 'demo' }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({
        user: 'operator',
        role: 'operator',
        permissions: ['assignReason', 'setProduct', 'runOrders', 'recordScrap'],
      });
      const cycle = await firstCycle(mqttPort, 90_000);
      expect(cycle.topic).toMatch(/^lineside\/sim\/line1\/(press|weld|pack)\/cycle$/);
      expect(cycle.cycleTimeMs).toBeGreaterThan(0);

      // Ctrl-C: the demo flushes, says so and exits 0 (npm itself then reports 130 for the
      // interrupted script, as it does for any Ctrl-C), and nothing is left running.
      interrupt(demo);
      await groupGoneWithin(demo, 10_000);
      expect(demo.output()).toContain('Lineside demo stopped cleanly');
      expect(demo.output()).not.toMatch(/second signal|error during shutdown/);
    } finally {
      interrupt(demo, 'SIGKILL');
    }
  }, 720_000);
});
