/**
 * The ground truth's state and OEE bookkeeping against timelines worked out by hand from
 * docs/oee.md, with fixed (non-random) durations so every millisecond is known.
 */
import { describe, expect, it } from 'vitest';
import { HOUR, MIN, ofType, runTruth, scenarioOf } from './helpers.js';

const shiftBlock = (breaks = '[]') => `
start: "2025-01-06T06:00"
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon], breaks: ${breaks} }
`;

const mapWith = (signals: string[]) => `
plcs:
  - id: plc1
    registers:
${signals.map((s, i) => `      - { signal: m.${s}, address: ${i} }`).join('\n')}
`;

describe('small stops (micro-stops shorter than the threshold)', () => {
  // 10 s fixed cycles; a 35 s micro-stop after every 50 min of processing; 8 h shift.
  // k-th stop starts at k*50 min + (k-1)*35 s: 9 fit in 8 h (the 10th would start at 505 min).
  const scenario = scenarioOf(`
name: micro
${shiftBlock()}
line:
  id: l
  stations:
    - id: m
      idealCycleTime: 10s
      microStops: { interval: 50m, duration: 35s }
${mapWith(['running', 'faultCode', 'partCount'])}
`);
  const records = runTruth(scenario, 8 * HOUR);
  const shift = ofType(records, 'shift')[0];

  it('counts every cycle completed in the shift', () => {
    // processing time 8 h - 9 x 35 s = 28 485 s -> 2848 whole 10 s cycles
    expect(shift?.stations.m?.counts).toEqual({ total: 2848, good: 2848, reject: 0 });
    expect(ofType(records, 'cycle')).toHaveLength(2848);
  });

  it('books the stops as small stops (run time), not downtime', () => {
    const m = shift?.stations.m;
    expect(m?.smallStopMs).toBe(9 * 35_000);
    expect(m?.runningMs).toBe(8 * HOUR - 9 * 35_000);
    expect(m?.downtimeMs).toBe(0);
    expect(m?.availability).toBe(1);
    expect(m?.performance).toBeCloseTo((10_000 * 2848) / (8 * HOUR), 12);
    const small = ofType(records, 'state').filter((s) => s.state === 'small_stop');
    expect(small.map((s) => s.durationMs)).toEqual(Array(9).fill(35_000));
    expect(small.every((s) => s.cause === 'micro_stop')).toBe(true);
  });
});

describe('breakdowns, a break that cuts one, and what the map exposes', () => {
  // 10 s cycles; a breakdown after every 2 h of processing, repaired in 40 min (wall time);
  // lunch 08:15-08:45. Timeline: run 06:00-08:00, down 08:00-08:15, lunch 08:15-08:45 (repair
  // ends 08:40, inside it), run 08:45-10:45, down 10:45-11:25, run 11:25-13:25, down 13:25-14:05.
  const yaml = (signals: string[]) => `
name: breakdowns
${shiftBlock('[{ name: lunch, start: "08:15", duration: 30m }]')}
line:
  id: l
  stations:
    - id: m
      idealCycleTime: 10s
      breakdowns:
        mtbf: 2h
        mttr: 40m
        faults: [{ code: 7, reason: jam }]
${mapWith(signals)}
`;

  it('a mapped fault code makes the station down at once, with its reason, cut by the break', () => {
    const records = runTruth(scenarioOf(yaml(['running', 'faultCode', 'partCount'])), 8 * HOUR);
    const m = ofType(records, 'shift')[0]?.stations.m;
    expect(m?.downtimeMs).toBe(15 * MIN + 40 * MIN + 35 * MIN);
    expect(m?.downtimeByReason).toEqual({ jam: 90 * MIN });
    expect(m?.plannedStopMs).toBe(30 * MIN);
    expect(m?.plannedTimeMs).toBe(7.5 * HOUR);
    expect(m?.runningMs).toBe(6 * HOUR);
    expect(m?.downIntervals).toBe(3);
    expect(m?.availability).toBeCloseTo(0.8, 12);
    // 2160 cycles worth of processing, but the one due at 13:25 completes after the repair (14:05).
    expect(m?.counts.total).toBe(2159);
    expect(m?.mttrMs).toBe(30 * MIN);
    const down = ofType(records, 'state').filter((s) => s.state === 'down');
    expect(down.map((s) => [s.reason, s.faultCode, s.durationMs])).toEqual([
      ['jam', 7, 15 * MIN],
      ['jam', 7, 40 * MIN],
      ['jam', 7, 35 * MIN],
    ]);
    const breakdowns = ofType(records, 'breakdown');
    expect(breakdowns.map((b) => [b.repairMs, b.operatingMsSinceRepair, b.origin])).toEqual([
      [40 * MIN, 2 * HOUR, 'random'],
      [40 * MIN, 2 * HOUR, 'random'],
    ]);
  });

  it('without the fault code in the map, the same stops are unassigned downtime (long stops)', () => {
    const records = runTruth(scenarioOf(yaml(['running', 'partCount'])), 8 * HOUR);
    const m = ofType(records, 'shift')[0]?.stations.m;
    expect(m?.downtimeByReason).toEqual({ unassigned: 90 * MIN });
    expect(m?.downIntervals).toBe(3);
  });
});

describe('stops inferred from cycle gaps when no running bit is mapped', () => {
  // Micro-stop of 25 s after every 30 min 5 s of processing: mid-cycle, so the cycle end gap is
  // 35 s > 3 x 10 s. The stop counts from the previous cycle end to the next end minus 10 s: 25 s.
  const scenario = scenarioOf(`
name: gaps
${shiftBlock()}
line:
  id: l
  stations:
    - id: m
      idealCycleTime: 10s
      microStops: { interval: 30m5s, duration: 25s }
${mapWith(['partCount'])}
`);
  const records = runTruth(scenario, 8 * HOUR);

  it('books each gap as a 25 s small stop back-dated to the last cycle end', () => {
    const m = ofType(records, 'shift')[0]?.stations.m;
    // k-th stop at k x 1805 s + (k-1) x 25 s: 15 fit in 8 h.
    expect(m?.smallStopMs).toBe(15 * 25_000);
    expect(m?.runningMs).toBe(8 * HOUR - 15 * 25_000);
    const first = ofType(records, 'state').find((s) => s.state === 'small_stop');
    // previous cycle end 06:30:00 (180 cycles), physical stop 06:30:05-06:30:30.
    expect(first?.start).toBe('2025-01-06T06:30:00.000Z');
    expect(first?.durationMs).toBe(25_000);
    expect(ofType(records, 'run')[0]?.stations[0]?.stopDetection).toBe('cycle-gap');
  });
});

describe('starved and blocked through a finite buffer', () => {
  // a (10 s) feeds b (20 s) through a buffer of 2: a is blocked most of the time; b never starves.
  const scenario = scenarioOf(`
name: coupling
${shiftBlock()}
line:
  id: l
  stations:
    - { id: a, idealCycleTime: 10s, outputBuffer: { capacity: 2, initial: 0 } }
    - { id: b, idealCycleTime: 20s }
plcs:
  - id: plc1
    registers:
      - { signal: a.running, address: 0, type: bit, bit: 0 }
      - { signal: a.blocked, address: 0, type: bit, bit: 1 }
      - { signal: b.running, address: 0, type: bit, bit: 2 }
      - { signal: b.starved, address: 0, type: bit, bit: 3 }
`);
  const records = runTruth(scenario, 8 * HOUR);
  const shift = ofType(records, 'shift')[0];

  it('throughput is set by the slow station and the fast one waits blocked', () => {
    const b = shift?.stations.b;
    const a = shift?.stations.a;
    // b starts at 10 s (first part), then every 20 s: 1439 parts by 14:00.
    expect(b?.counts.total).toBe(1439);
    expect(b?.starvedMs).toBe(10_000);
    // a makes b's parts plus the 2 in the buffer plus the one it holds.
    expect(a?.counts.total).toBe(1439 + 3);
    expect(a?.blockedMs).toBeGreaterThan(3.9 * HOUR);
    expect(a?.downtimeByReason.blocked).toBe(a?.blockedMs);
    expect((a?.runningMs ?? 0) + (a?.blockedMs ?? 0)).toBe(8 * HOUR);
  });
});
