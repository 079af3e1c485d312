/**
 * `lineside simulate -s steady` as a real process: whatever the time of day, a master polling it
 * reads non-zero part counters at once and sees data move within seconds (the rule in
 * simulator/time/live-start.ts). The real clock decides the default run, so the rule is also shown
 * with fixed starts: Saturday 03:00 and Monday 00:00 (both off shift) skip to Monday 06:05 after a
 * warm-up, and --cold keeps the old behaviour (zeros until the first shift).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import { chooseLiveStart } from '../../../simulator/time/live-start.js';
import { closeClient, tcpClient, u32 } from './modbus-client.js';
import { startServed, type ServedSim } from './served-cli.js';

const loaded = loadScenarioFile('steady');
if (!loaded.ok) throw new Error('steady does not load');
const steady = loaded.scenario as Scenario;

let sim: ServedSim | undefined;
afterEach(async () => {
  const stopped = await sim?.stop();
  sim = undefined;
  expect(stopped?.code).toBe(0);
});

/** Part counters of press, weld (plc1) and pack (plc2), one read each. */
async function partCounts(s: ServedSim): Promise<number[]> {
  const plc1 = await tcpClient(s.port('plc1'));
  const plc2 = await tcpClient(s.port('plc2'));
  try {
    const a = (await plc1.readHoldingRegisters(0, 12)).data;
    const b = (await plc2.readHoldingRegisters(0, 1)).data;
    return [u32(a[0] as number, a[1] as number), u32(a[11] as number, a[10] as number), b[0] as number];
  } finally {
    await closeClient(plc1);
    await closeClient(plc2);
  }
}

const servedIso = (banner: string) => /from plant time .* \((\d{4}-[^)]+Z)\)/.exec(banner)?.[1];

describe('the default start: now in plant time, live at once', () => {
  it('reads non-zero part counters on the first poll, and they move within seconds', async () => {
    const before = chooseLiveStart(steady, Date.now());
    sim = await startServed(['-s', 'steady', '--modbus-port', '0']);
    const after = chooseLiveStart(steady, Date.now());
    // The process chose with the same rule: within seconds of what it gives just before or after.
    const served = Date.parse(servedIso(sim.banner) ?? '');
    expect(Math.min(Math.abs(served - before.servedMs), Math.abs(served - after.servedMs))).toBeLessThan(30_000);
    expect(sim.banner).toContain('warm-up: the line has been running since');

    const first = await partCounts(sim);
    for (const count of first) expect(count).toBeGreaterThan(0);
    // Cycles take 11-13 s: within 30 s the line's counters have moved.
    let moved = false;
    for (let i = 0; i < 60 && !moved; i++) {
      await sleep(500);
      const now = await partCounts(sim);
      moved = now.some((c, k) => c > (first[k] as number));
    }
    expect(moved).toBe(true);
  }, 60_000);
});

describe('the rule at fixed plant times (independent of the real clock)', () => {
  it.each([
    ['Saturday 03:00', '2025-01-11T03:00', 'Sat 2025-01-11 03:00', 'Mon 2025-01-13 06:05'],
    ['Monday 00:00', '2025-01-06T00:00', 'Mon 2025-01-06 00:00', 'Mon 2025-01-06 06:05'],
  ])(
    '%s is off shift: serves the next shift after a warm-up, counters non-zero at once',
    async (_label, start, requested, served) => {
      sim = await startServed(['-s', 'steady', '--modbus-port', '0', '--start', start]);
      expect(sim.banner).toContain(`from plant time ${served} Europe/Berlin`);
      expect(sim.banner).toContain(
        `the requested start (${requested}) is off shift: serving the next production (early shift) instead`,
      );
      expect(sim.banner).toContain('warm-up: the line has been running since 06:00 (5m)');
      for (const count of await partCounts(sim)) expect(count).toBeGreaterThan(0);
    },
  );

  it('in production (Monday 08:00) serves the requested time itself, warmed up', async () => {
    sim = await startServed(['-s', 'steady', '--modbus-port', '0', '--start', '2025-01-06T08:00']);
    expect(sim.banner).toContain('from plant time Mon 2025-01-06 08:00 Europe/Berlin (2025-01-06T07:00:00.000Z)');
    expect(sim.banner).not.toContain('requested start');
    for (const count of await partCounts(sim)) expect(count).toBeGreaterThan(0);
  });

  it('--cold serves Monday 00:00 as requested: zeros, the behaviour the issue reported', async () => {
    sim = await startServed(['-s', 'steady', '--modbus-port', '0', '--start', '2025-01-06T00:00', '--cold']);
    expect(sim.banner).toContain('from plant time Mon 2025-01-06 00:00 Europe/Berlin');
    expect(sim.banner).toContain('cold start: counters from 0');
    expect(await partCounts(sim)).toEqual([0, 0, 0]);
  });
});
