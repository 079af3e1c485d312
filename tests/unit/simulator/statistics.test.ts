/**
 * Over long virtual runs the simulated line must reproduce the scenario's distributions. Each
 * check is a z-test: |sample mean - declared mean| < 4 standard errors, the standard error coming
 * from the declared spread and the sample size (a correct simulator fails such a check about
 * once in 16 000 runs; the seed is fixed, so the outcome is too). The sample sizes are asserted
 * as well, so a run that produced too little data cannot pass by being vague.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimLine } from '../../../simulator/engine/line.js';
import { meanMs, stdDevMs } from '../../../simulator/random/distributions.js';
import { loadScenarioFile } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import type { TruthRecord } from '../../../simulator/truth/records.js';
import { scenarioOf } from './helpers.js';

const DAY = 86_400_000;
const Z = 4;

interface Tally {
  cycles: number;
  processSum: number;
  rejects: number;
  ttf: number[];
  ttr: number[];
}

function tally(scenario: Scenario, durationMs: number, seed: number): Map<string, Tally> {
  const t = new Map<string, Tally>(
    scenario.line.stations.map((s) => [s.id, { cycles: 0, processSum: 0, rejects: 0, ttf: [], ttr: [] }]),
  );
  const onTruth = (r: TruthRecord) => {
    if (r.type === 'cycle') {
      const s = t.get(r.station) as Tally;
      s.cycles++;
      s.processSum += r.processMs;
      if (!r.good) s.rejects++;
    } else if (r.type === 'breakdown' && r.origin === 'random') {
      const s = t.get(r.station) as Tally;
      s.ttf.push(r.operatingMsSinceRepair);
      s.ttr.push(r.repairMs);
    }
  };
  createSimLine(scenario, { seed, onTruth }).finish(durationMs);
  return t;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('steady, four simulated weeks: cycle times and reject rates', () => {
  const loaded = loadScenarioFile('steady');
  if (!loaded.ok) throw new Error('steady is invalid');
  const scenario = loaded.scenario as Scenario;
  let result = new Map<string, Tally>();
  beforeAll(() => {
    result = tally(scenario, 28 * DAY, 101);
  }, 120_000);

  it.each(scenario.line.stations.map((s) => [s.id, s] as const))(
    '%s: mean processing time and reject rate',
    (id, station) => {
      const s = result.get(id) as Tally;
      expect(s.cycles).toBeGreaterThan(40_000);
      const dist = station.cycleTime;
      if (dist === undefined) throw new Error('steady stations declare a cycle time distribution');
      const se = stdDevMs(dist) / Math.sqrt(s.cycles);
      expect(Math.abs(s.processSum / s.cycles - meanMs(dist))).toBeLessThan(Z * se + 0.5 /* ms rounding */);
      const p = station.rejectRate;
      expect(Math.abs(s.rejects / s.cycles - p)).toBeLessThan(Z * Math.sqrt((p * (1 - p)) / s.cycles));
    },
  );
});

describe('breakdowns around the clock, one simulated week: MTBF and MTTR', () => {
  // Frequent failures and no shifts so one week yields hundreds of them per station.
  const scenario = scenarioOf(`
name: stats
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - id: a
      idealCycleTime: 10s
      breakdowns: { mtbf: { dist: exponential, mean: 30m }, mttr: { dist: lognormal, mean: 5m, cv: 0.6 }, faults: [{ code: 1, reason: x }] }
      outputBuffer: { capacity: 1000, initial: 500 }
    - id: b
      idealCycleTime: 10s
      breakdowns: { mtbf: { dist: weibull, shape: 2, mean: 45m }, mttr: { dist: uniform, low: 2m, high: 10m }, faults: [{ code: 2, reason: y }] }
`);
  let result = new Map<string, Tally>();
  beforeAll(() => {
    result = tally(scenario, 7 * DAY, 202);
  }, 120_000);

  it.each(scenario.line.stations.map((s) => [s.id, s] as const))(
    '%s: mean processing time between failures and mean repair time',
    (id, station) => {
      const s = result.get(id) as Tally;
      const b = station.breakdowns;
      if (b === undefined) throw new Error('stations declare breakdowns');
      expect(s.ttf.length).toBeGreaterThan(150);
      expect(Math.abs(mean(s.ttf) - meanMs(b.mtbf))).toBeLessThan(
        Z * (stdDevMs(b.mtbf) / Math.sqrt(s.ttf.length)) + 0.5,
      );
      expect(Math.abs(mean(s.ttr) - meanMs(b.mttr))).toBeLessThan(
        Z * (stdDevMs(b.mttr) / Math.sqrt(s.ttr.length)) + 0.5,
      );
    },
  );
});
