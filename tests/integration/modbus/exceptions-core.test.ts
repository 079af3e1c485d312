/**
 * The issue's whole path, nothing faked: the simulator's virtual PLC plc1 serves Modbus TCP on
 * loopback and is told to answer every request with exception 4 (server device failure). The real
 * Modbus source polls it into the real core, and the real dashboard app serves /readyz and
 * /metrics from the source's health. Within the grace the press and weld stations (bound to plc1)
 * go comms_lost, /readyz is 503 naming plc1 and the exception, `lineside_device_up{device="plc1"}`
 * is 0; plc2 is untouched. When the fault is cleared, the first poll with data brings it all back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { createCore, type Core } from '../../../src/core/core.js';
import type { CommsChange } from '../../../src/core/sample.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import type { HistoryStore } from '../../../src/outputs/history/types.js';
import { commandsPortOf, livePortOf } from '../../../src/server/adapt-core.js';
import { buildApp } from '../../../src/server/app.js';
import type { ModbusDeviceHealth } from '../../../src/sources/modbus/health.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startSimulator, VirtualClock, type SimulatorHandle } from '../../../simulator/index.js';
import { testLogger, waitFor } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('a PLC answering only exception 4: its stations go comms_lost, /readyz and device_up say so, all back when it answers', async () => {
  const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 6, 0, 0) });
  const sim: SimulatorHandle = await startSimulator({ scenario: 'demo', clock, basePort: 0, seed: 7 });
  cleanups.push(() => sim.stop());
  clock.advance(15 * 60_000); // the line is producing

  const loaded = loadConfigFile('simulator/scenarios/demo.config.yaml', {
    env: { LINESIDE_SIM_PORT_PLC1: String(sim.ports.plc1), LINESIDE_SIM_PORT_PLC2: String(sim.ports.plc2) },
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  // The demo config as shipped (exceptionGrace default 3), polled faster so the test is short.
  const config: LinesideConfig = {
    ...loaded.config,
    devices: loaded.config.devices.map((d) => ({ ...d, pollInterval: 100 })),
  };
  expect(config.devices.map((d) => d.exceptionGrace)).toEqual([3, 3]);

  const core: Core = createCore(config, { clock });
  const changes: { change: CommsChange; health: ModbusDeviceHealth }[] = [];
  const source: ModbusSource = createModbusSource({ devices: config.devices }, { clock, logger: testLogger });
  const healthOf = (id: string): ModbusDeviceHealth => source.health().find((h) => h.device === id)!;
  await source.start({
    sample: (s) => core.sample(s),
    comms: (c) => {
      changes.push({ change: c, health: healthOf(c.device) });
      core.comms(c);
    },
  });
  cleanups.push(() => source.stop());

  const dir = mkdtempSync(path.join(tmpdir(), 'lineside-exc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const history: HistoryStore = openHistoryStore({
    dir,
    retentionMs: config.storage.historyRetention,
    clock,
    logger: silentLogger,
  });
  cleanups.push(() => history.close());
  const app: FastifyInstance = await buildApp({
    config,
    logger: silentLogger,
    clock,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    health: { sources: () => source.health() },
  });
  cleanups.push(() => app.close());

  const stateOf = (station: string): string => {
    core.tick();
    const st = core
      .snapshot()
      .flatMap((l) => l.stations)
      .find((s) => s.id === station);
    if (st === undefined) throw new Error(`no station ${station}`);
    return st.state;
  };
  const deviceUp = async (device: string): Promise<string | undefined> => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    return new RegExp(`^lineside_device_up\\{device="${device}"\\} (\\d)$`, 'm').exec(text)?.[1];
  };
  const commsOf = (device: string) => changes.filter((c) => c.change.device === device).map((c) => c.change.ok);

  // Both PLCs answering: stations live, ready.
  await waitFor(() => commsOf('plc1').includes(true) && commsOf('plc2').includes(true), 10_000, 'both PLCs answering');
  await waitFor(
    () => stateOf('press') !== 'comms_lost' && stateOf('weld') !== 'comms_lost',
    10_000,
    'press and weld live',
  );
  expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  expect(await deviceUp('plc1')).toBe('1');

  // plc1 fails: it answers every request, with exception 4.
  sim.faults.exception('plc1', 4);
  await waitFor(() => commsOf('plc1').includes(false), 10_000, 'plc1 comms lost');
  const lost = changes.find((c) => c.change.device === 'plc1' && !c.change.ok)!;
  expect(lost.health.exceptionOnlyPolls).toBe(3);
  expect(lost.health).toMatchObject({
    up: false,
    linkConnected: true,
    connected: false,
    exceptionFault: { exceptionCode: 4 },
  });
  expect(lost.change.error).toMatch(
    /^MODBUS_EXCEPTION plc1 tcp:\/\/127\.0\.0\.1:\d+ unit 1: read \w+ \d+\.\.\d+ answered exception 4 \(server device failure\)/,
  );

  // Its stations are comms_lost at once, never shown as live with the last values.
  expect(stateOf('press')).toBe('comms_lost');
  expect(stateOf('weld')).toBe('comms_lost');
  const station = core
    .snapshot()
    .flatMap((l) => l.stations)
    .find((s) => s.id === 'press')!;
  expect(station.commsOk).toBe(false);

  const readyz = await app.inject({ method: 'GET', url: '/readyz' });
  expect(readyz.statusCode).toBe(503);
  const body = readyz.json() as { ready: boolean; checks: { name: string; ok: boolean; detail?: string }[] };
  const sources = body.checks.find((c) => c.name === 'sources')!;
  expect(sources.ok).toBe(false);
  expect(sources.detail).toMatch(
    /^plc1 \(tcp:\/\/127\.0\.0\.1:\d+ unit 1\) not connected: MODBUS_EXCEPTION plc1 .* unit 1: read \w+ \d+\.\.\d+ answered exception 4 \(server device failure\) \(tags [^)]+\)$/,
  );
  expect(sources.detail).not.toContain('plc2');
  expect(await deviceUp('plc1')).toBe('0');
  expect(await deviceUp('plc2')).toBe('1');
  expect(commsOf('plc2')).toEqual([true]);

  // Still failing: no further change is reported, the fault stays visible.
  const polls = healthOf('plc1').polls;
  await waitFor(() => healthOf('plc1').polls >= polls + 3, 10_000, 'three more polls');
  expect(commsOf('plc1')).toEqual([true, false]);
  expect(healthOf('plc1').exceptionFault?.exceptionCode).toBe(4);

  // plc1 answers again: first poll with data restores comms and the stations.
  await sim.faults.clear('plc1');
  await waitFor(() => commsOf('plc1').at(-1) === true, 10_000, 'plc1 comms restored');
  expect(commsOf('plc1')).toEqual([true, false, true]);
  await waitFor(
    () => stateOf('press') !== 'comms_lost' && stateOf('weld') !== 'comms_lost',
    10_000,
    'press and weld live again',
  );
  expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  expect(await deviceUp('plc1')).toBe('1');
  expect(healthOf('plc1')).toMatchObject({ up: true, connected: true, exceptionOnlyPolls: 0 });
});
