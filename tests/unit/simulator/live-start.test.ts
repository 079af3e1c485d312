/**
 * Where a served run starts (simulator/time/live-start.ts), with fixed instants instead of the
 * real clock: the bundled `steady` calendar (Europe/Berlin, early 06-14 with breakfast 09:00 15m
 * and lunch 11:30 30m, late 14-22 with dinner 18:00 30m, Mon-Fri).
 */
import { describe, expect, it } from 'vitest';
import { createSimLine } from '../../../simulator/engine/line.js';
import { loadScenarioFile } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import { chooseLiveStart } from '../../../simulator/time/live-start.js';
import { formatLocalDateTime, parseLocalDateTime } from '../../../simulator/time/zoned.js';
import { MIN, scenarioOf } from './helpers.js';

const loaded = loadScenarioFile('steady');
if (!loaded.ok) throw new Error('steady does not load');
const steady = loaded.scenario as Scenario;
const at = (local: string) => parseLocalDateTime(local, 'Europe/Berlin') as number;
const local = (ms: number) => formatLocalDateTime('Europe/Berlin', ms);

describe('chooseLiveStart on the steady calendar', () => {
  it('in production: serves the requested instant, after 5 minutes of warm-up', () => {
    const s = chooseLiveStart(steady, at('2025-01-06T08:00'));
    expect(s).toMatchObject({
      servedMs: at('2025-01-06T08:00'),
      runStartMs: at('2025-01-06T07:55'),
      warmupMs: 5 * MIN,
      shift: 'early',
      noProduction: false,
    });
    expect(s.moved).toBeUndefined();
  });

  it.each([
    ['Saturday 03:00 (weekend)', '2025-01-11T03:00', '2025-01-13T06:05', 'off_shift', 'off shift'],
    ['Monday 00:00 (the old default start)', '2025-01-06T00:00', '2025-01-06T06:05', 'off_shift', 'off shift'],
    ['a night without a shift', '2025-01-07T23:30', '2025-01-08T06:05', 'off_shift', 'off shift'],
    ['in the breakfast break', '2025-01-06T09:03', '2025-01-06T09:20', 'break', 'in the breakfast break'],
    [
      'two minutes before the weekend',
      '2025-01-10T21:58',
      '2025-01-13T06:05',
      'ending',
      'within 5m of the end of production',
    ],
    ['one minute into the shift', '2025-01-06T06:01', '2025-01-06T06:05', 'warming', 'less than 5m into production'],
  ])('idle or cold at %s: serves %s -> the next production plus warm-up', (_label, requested, served, kind, detail) => {
    const s = chooseLiveStart(steady, at(requested));
    expect(local(s.servedMs)).toBe(local(at(served)));
    expect(s.runStartMs).toBe(s.servedMs - 5 * MIN);
    expect(s.requestedMs).toBe(at(requested));
    expect(s.moved).toEqual({ kind, detail });
  });

  it('adjacent shifts are one stretch of production: 13:58 is served as is (late starts at 14:00)', () => {
    const s = chooseLiveStart(steady, at('2025-01-06T13:58'));
    expect(s.servedMs).toBe(at('2025-01-06T13:58'));
    expect(s.moved).toBeUndefined();
  });

  it('the warm-up lies in production only: right after lunch it is pushed past the break', () => {
    const s = chooseLiveStart(steady, at('2025-01-06T12:02'));
    expect(local(s.runStartMs)).toBe('Mon 2025-01-06 12:00');
    expect(local(s.servedMs)).toBe('Mon 2025-01-06 12:05');
  });

  it('is DST-correct: the Saturday before spring-forward skips to Monday 06:05 CEST (04:05Z)', () => {
    const s = chooseLiveStart(steady, at('2025-03-29T03:00'));
    expect(new Date(s.servedMs).toISOString()).toBe('2025-03-31T04:05:00.000Z');
  });

  it('options: no warm-up and no look-ahead serve the shift start itself', () => {
    const s = chooseLiveStart(steady, at('2025-01-11T03:00'), { warmupMs: 0, minAheadMs: 0 });
    expect(local(s.servedMs)).toBe('Mon 2025-01-13 06:00');
    expect(s.runStartMs).toBe(s.servedMs);
  });

  it('a scenario without shifts is always in production: served as requested', () => {
    const always = scenarioOf('name: a\nline: { id: l, stations: [{ id: s, idealCycleTime: 10s }] }\n');
    const now = Date.UTC(2025, 0, 11, 3);
    expect(chooseLiveStart(always, now)).toMatchObject({
      servedMs: now,
      runStartMs: now - 5 * MIN,
      noProduction: false,
    });
  });

  it('a calendar that never produces (a break as long as the shift): served as requested, flagged', () => {
    const never = scenarioOf(`
name: never
shifts: { timezone: UTC, shifts: [{ name: x, start: "06:00", end: "07:00", breaks: [{ name: all, start: "06:00", duration: 1h }] }] }
line: { id: l, stations: [{ id: s, idealCycleTime: 10s }] }
`);
    const now = Date.UTC(2025, 0, 11, 3);
    expect(chooseLiveStart(never, now)).toEqual({
      runStartMs: now,
      servedMs: now,
      warmupMs: 0,
      requestedMs: now,
      noProduction: true,
    });
  });
});

describe('what the warm-up buys: counters on the first read', () => {
  const partsAfterWarmup = (runStartMs: number, warmupMs: number) => {
    const line = createSimLine(steady, { startWallMs: runStartMs });
    line.advanceTo(warmupMs);
    return [...line.stations.values()].map((s) => s.total);
  };

  it('a run chosen for Saturday 03:00 has parts on every station when served', () => {
    const s = chooseLiveStart(steady, at('2025-01-11T03:00'));
    for (const total of partsAfterWarmup(s.runStartMs, s.warmupMs)) expect(total).toBeGreaterThan(10);
  });

  it('a cold start at Saturday 03:00 (what --cold does) still reads zeros five minutes later', () => {
    expect(partsAfterWarmup(at('2025-01-11T03:00'), 5 * MIN)).toEqual([0, 0, 0]);
  });
});
