/**
 * The dashboard on the real streaming core (src/core), wired through the ready-made adapters
 * the agent uses: samples in, the tile turns "down" with the PLC's fault reason, an operator
 * assigns another reason through the API, and the core accepts it. Proves the adapter from the
 * core's snapshot to the page's view model against the real thing, not just the fake.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore } from '../../../src/core/core.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import type { HistoryStore } from '../../../src/outputs/history/types.js';
import { commandsPortOf, livePortOf } from '../../../src/server/adapt-core.js';
import { buildApp } from '../../../src/server/app.js';
import type { DashboardView, DeltaView, StationView } from '../../../src/server/view-model.js';
import { FakeHealth, ManualClock, OPERATOR_TOKEN, testConfig } from './support/harness.js';
import { CountingPlc } from './support/counting-plc.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the dashboard on the real core', () => {
  it('shows a PLC fault as a down tile with its reason, and takes an operator reason back into the core', async () => {
    // 09:00 in Berlin on a Monday: the early shift runs.
    const clock = new ManualClock(Date.UTC(2025, 10, 24, 8, 0, 0));
    const config = testConfig({ operatorToken: OPERATOR_TOKEN });
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-core-dash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const history: HistoryStore = openHistoryStore({
      dir,
      retentionMs: config.storage.historyRetention,
      clock,
      logger: silentLogger,
    });
    cleanups.push(() => history.close());
    const core = createCore(config, { clock });
    cleanups.push(core.on((e) => history.record(e)));
    const app = await buildApp({
      config,
      logger: silentLogger,
      clock,
      live: livePortOf(core),
      commands: commandsPortOf(core),
      history,
      health: new FakeHealth(),
    });
    await app.ready();
    cleanups.push(() => app.close());

    const line = new CountingPlc(core, clock);
    line.run(120);

    const deltas: DeltaView[] = [];
    const snapshots: DashboardView[] = [];
    const ws = await app.injectWS(
      '/ws',
      {},
      {
        onInit: (socket) =>
          socket.on('message', (data) => {
            const m = JSON.parse(String(data)) as { type: string; data: DashboardView } & DeltaView;
            if (m.type === 'snapshot') snapshots.push(m.data);
            else deltas.push(m);
          }),
      },
    );
    cleanups.push(() => ws.terminate());
    await vi.waitFor(() => expect(snapshots).toHaveLength(1));
    const first = snapshots[0] as DashboardView;
    expect(first.stations.map((s) => [s.id, s.state])).toEqual([
      ['press', 'running'],
      ['weld', 'running'],
      ['pack', 'running'],
    ]);
    expect(first.lines[0]?.shift?.name).toBe('early');
    expect(first.stations[0]?.counts.total).toBeGreaterThan(0);

    // The press faults with code 17 (hydraulic in the config).
    line.faults.press = 17;
    line.run(2);
    app.lineside.flush();
    await vi.waitFor(() =>
      expect(deltas.flatMap((d) => d.stations ?? []).some((s) => s.id === 'press' && s.state === 'down')).toBe(true),
    );
    const press = deltas
      .flatMap((d) => d.stations ?? [])
      .filter((s) => s.id === 'press')
      .pop() as StationView;
    expect(press).toMatchObject({ state: 'down', reason: 'hydraulic', reasonLabel: 'Hydraulic pressure low' });
    const downtimeId = press.openDowntime?.id as string;
    expect(downtimeId).toBeTruthy();
    expect(deltas.flatMap((d) => d.downtime ?? [])).toContainEqual(
      expect.objectContaining({ id: downtimeId, station: 'press', faultCode: 17 }),
    );

    // The operator knows better: it was the die.
    const res = await app.inject({
      method: 'POST',
      url: `/api/downtime/${downtimeId}/reason`,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'die-jam', by: 'Anna' }),
    });
    expect(res.statusCode).toBe(200);
    const snapshot = (await app.inject('/api/snapshot')).json() as DashboardView;
    expect(snapshot.stations.find((s) => s.id === 'press')?.openDowntime).toMatchObject({
      id: downtimeId,
      reason: 'die-jam',
      reasonLabel: 'Die jam',
    });
    expect(snapshot.downtime.find((d) => d.id === downtimeId)).toMatchObject({ reason: 'die-jam', reasonBy: 'Anna' });
    // An id the core does not know is a 404 from the core itself.
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/downtime/press-999999999/reason',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'die-jam' }),
    });
    expect(unknown.statusCode).toBe(404);

    // Repaired: back to running, the downtime has an end.
    line.faults.press = 0;
    line.run(30);
    const after = (await app.inject('/api/snapshot')).json() as DashboardView;
    expect(after.stations.find((s) => s.id === 'press')?.state).toBe('running');
    expect(after.downtime.find((d) => d.id === downtimeId)?.end).toBeDefined();
    expect(after.timeline.press?.map((s) => s.state)).toContain('down');
  });
});
