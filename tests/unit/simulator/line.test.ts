/** The simulated line: determinism, wear episodes, GPIO part pulses. */
import { describe, expect, it } from 'vitest';
import { createSimLine } from '../../../simulator/engine/line.js';
import { loadScenarioFile } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import { HOUR, MIN, ofType, runTruth, scenarioOf } from './helpers.js';

function bundled(name: string): Scenario {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(`bundled scenario ${name} invalid`);
  return r.scenario as Scenario;
}

const lines = (scenario: Scenario, seed: number, ms: number, step?: number): string[] => {
  const out: string[] = [];
  const line = createSimLine(scenario, { seed, onTruth: (r) => out.push(JSON.stringify(r)) });
  if (step !== undefined) for (let t = 0; t < ms; t += step) line.advanceTo(t);
  line.finish(ms);
  return out;
};

describe('determinism', () => {
  const demo = bundled('demo');

  it('the same seed gives the same records, however the run is stepped', () => {
    const oneGo = lines(demo, 5, 12 * HOUR);
    expect(lines(demo, 5, 12 * HOUR)).toEqual(oneGo);
    // stepping in odd 7.3 s increments (as a scaled clock would) changes nothing
    expect(lines(demo, 5, 12 * HOUR, 7_300)).toEqual(oneGo);
  });

  it('a different seed gives a different run', () => {
    expect(lines(demo, 6, 2 * HOUR)).not.toEqual(lines(demo, 5, 2 * HOUR));
  });
});

describe('degradation episodes', () => {
  // 10 s cycles, wear over 2 h of processing from t = 1 h: cycle time +50 %, vibration +5 at full wear.
  const scenario = scenarioOf(`
name: wear
start: "2025-01-06T00:00"
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - id: m
      idealCycleTime: 10s
      conditions: [{ name: vibration, base: 2, noise: 0 }]
degradation:
  - id: bearing
    station: m
    at: 1h
    ramp: 2h
    shape: 1
    cycleTimeIncrease: 0.5
    conditions: { vibration: 5 }
    fault: { code: 42, reason: bearing, mttr: 30m }
plcs:
  - id: plc1
    registers:
      - { signal: m.running, address: 0 }
      - { signal: m.faultCode, address: 1 }
`);

  it('stretches cycles and raises the condition signal until the breakdown it names', () => {
    const records: ReturnType<typeof runTruth> = [];
    const line = createSimLine(scenario, { onTruth: (r) => records.push(r) });
    line.advanceTo(1 * HOUR - 1);
    expect(line.conditionValue('m', 'vibration')).toBe(2);
    line.advanceTo(2 * HOUR);
    expect(line.conditionValue('m', 'vibration')).toBeCloseTo(4.5, 1); // half worn after 1 h of processing
    line.finish(4 * HOUR);
    const cycles = ofType(records, 'cycle');
    const early = cycles.find((c) => c.endMs - line.startWallMs > 30 * MIN);
    const late = cycles.filter((c) => c.endMs - line.startWallMs < 3 * HOUR).at(-1);
    expect(early?.processMs).toBe(10_000);
    expect(late?.processMs).toBeGreaterThan(14_000);
    const [episode] = ofType(records, 'episode');
    const [breakdown] = ofType(records, 'breakdown');
    expect(episode?.id).toBe('bearing#1');
    expect(breakdown).toMatchObject({
      origin: 'wear',
      faultCode: 42,
      reason: 'bearing',
      repairMs: 30 * MIN,
      episode: { id: 'bearing#1', rampMs: 2 * HOUR },
    });
    // the breakdown comes when 2 h of processing have passed since the episode began
    expect(breakdown!.startMs - episode!.startMs).toBe(2 * HOUR);
    expect(ofType(records, 'state').find((s) => s.state === 'down')).toMatchObject({
      reason: 'bearing',
      episode: 'bearing#1',
      durationMs: 30 * MIN,
    });
  });
});

describe('virtual GPIO part sensor', () => {
  const scenario = scenarioOf(`
name: gpio
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - { id: m, idealCycleTime: 10s }
gpio:
  inputs:
    - { pin: 17, station: m, activeLow: true, pulse: 200ms, bounce: { count: 3, width: 2ms } }
`);

  it('pulses once per part, with bounce on both edges, and settles at the right level', () => {
    const line = createSimLine(scenario, { seed: 11 });
    const edges: [number, number][] = [];
    line.gpio.onEdge(17, (level, monoMs) => edges.push([level, monoMs]));
    expect(line.gpio.read(17)).toBe(1); // active low: idle high
    line.advanceTo(10 * MIN + 1_000); // the 60th part passes at 10:00, its pulse has ended by 10:01
    const parts = line.stations.get('m')?.total ?? 0;
    expect(parts).toBe(60);
    // levels alternate, times never go backwards
    for (let i = 1; i < edges.length; i++) {
      expect(edges[i]?.[0]).not.toBe(edges[i - 1]?.[0]);
      expect(edges[i]![1]).toBeGreaterThanOrEqual(edges[i - 1]![1]);
    }
    // a pulse = the low edges that start a burst; bursts are > 100 ms apart
    const bursts = edges.filter(([level], i) => level === 0 && (i === 0 || edges[i]![1] - edges[i - 1]![1] > 100));
    expect(bursts).toHaveLength(60);
    expect(edges.length).toBeGreaterThan(2 * 60); // some bounce happened
    expect(line.gpio.read(17)).toBe(1);
    expect(line.gpio.pins()).toEqual([17]);
  });
});

describe('injected breakdown (tests, a REPL)', () => {
  const scenario = scenarioOf(`
name: inject
start: "2025-01-06T00:00"
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - id: m
      idealCycleTime: 10s
      breakdowns:
        mtbf: { dist: fixed, value: 1000h }
        mttr: { dist: fixed, value: 5m }
        faults: [{ code: 7, reason: jam }]
plcs:
  - id: plc1
    registers:
      - { signal: m.running, address: 0 }
      - { signal: m.faultCode, address: 1 }
`);

  it('stops the station now with the fault code, names the scenario reason, and repairs it on time', () => {
    const records: ReturnType<typeof runTruth> = [];
    const line = createSimLine(scenario, { onTruth: (r) => records.push(r) });
    line.advanceTo(10 * MIN);
    line.injectBreakdown('m', 7, 3 * MIN);
    const m = line.stations.get('m');
    expect(m?.faultCode).toBe(7);
    expect(m?.processing).toBe(false);
    expect(() => line.injectBreakdown('m', 7, MIN)).toThrow(/stopped already/);
    line.advanceTo(13 * MIN + 1);
    expect(m?.faultCode).toBe(0);
    line.injectBreakdown('m', 99, MIN); // a code the scenario does not know
    line.finish(20 * MIN);
    const breakdowns = ofType(records, 'breakdown');
    expect(
      breakdowns.map((b) => ({ origin: b.origin, faultCode: b.faultCode, reason: b.reason, repairMs: b.repairMs })),
    ).toEqual([
      { origin: 'injected', faultCode: 7, reason: 'jam', repairMs: 3 * MIN },
      { origin: 'injected', faultCode: 99, reason: 'injected', repairMs: MIN },
    ]);
    expect(breakdowns[0]?.startMs).toBe(line.startWallMs + 10 * MIN);
    expect(() => line.injectBreakdown('nope', 7, MIN)).toThrow(/no station "nope"/);
  });
});
