/**
 * After an agent restart the page still shows the shift so far: the timeline, the downtime list
 * and the alerts come from the history file the previous process wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import { buildApp } from '../../../src/server/app.js';
import type { DashboardView } from '../../../src/server/view-model.js';
import { FakeLine } from './support/fake-line.js';
import { FakeHealth, ManualClock, testConfig } from './support/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function agent(dir: string, clock: ManualClock) {
  const config = testConfig();
  const history = openHistoryStore({ dir, retentionMs: config.storage.historyRetention, clock, logger: silentLogger });
  const fake = new FakeLine(config, clock);
  const unsubscribe = fake.subscribe((e) => history.record(e));
  const app = await buildApp({
    config,
    logger: silentLogger,
    clock,
    live: fake,
    commands: fake,
    history,
    health: new FakeHealth(),
  });
  const stop = async () => {
    await app.close();
    unsubscribe();
    history.close();
  };
  return { app, fake, stop };
}

describe('agent restart', () => {
  it('shows the shift so far from the history written before the restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const clock = new ManualClock();

    const before = await agent(dir, clock);
    clock.advance(60_000);
    const downtimeId = before.fake.breakdown('weld', { reason: 'hydraulic' });
    clock.advance(10 * 60_000);
    before.fake.repair(downtimeId);
    before.fake.raiseAlert('press', 'press-drift-1');
    clock.advance(5 * 60_000);
    await before.stop();

    // The new process: a fresh core (everything "running since now"), the same history file.
    clock.advance(30_000);
    const after = await agent(dir, clock);
    cleanups.push(after.stop);
    const view = (await after.app.inject('/api/snapshot')).json() as DashboardView;
    expect(view.timeline.weld?.map((s) => s.state)).toEqual(['down', 'running']);
    expect(view.downtime).toEqual([
      expect.objectContaining({ id: downtimeId, reason: 'hydraulic', durationMs: 10 * 60_000 }),
    ]);
    expect(view.alerts).toEqual([expect.objectContaining({ id: 'press-drift-1', status: 'active' })]);
  });
});
