/**
 * A period's figures are summed from the shifts' stored times and counts (never a mean of their
 * OEEs), and MTBF/MTTR over the period come from the down intervals the stored figures stand for.
 */
import { describe, expect, it } from 'vitest';
import type { OeeFigures } from '../../../src/core/events.js';
import { causesOfPeriod } from '../../../src/outputs/history/period-causes.js';
import { downIntervalsOf, sumFigures } from '../../../src/outputs/history/period.js';

/** Stored figures as the core computes them (src/core/accumulator.ts) from times and counts. */
function stored(t: {
  run: number;
  down: number;
  starved?: number;
  ideal: number;
  total: number;
  good: number;
  intervals: number;
  byReason?: Record<string, number>;
  waits?: OeeFigures['waits'];
}): OeeFigures {
  const starved = t.starved ?? 0;
  const planned = t.run + t.down + starved;
  const availability = planned > 0 ? t.run / planned : 0;
  const performance = t.run > 0 ? t.ideal / t.run : 0;
  const quality = t.total > 0 ? t.good / t.total : 0;
  return {
    availability,
    performance,
    quality,
    oee: availability * performance * quality,
    counts: { total: t.total, good: t.good, reject: t.total - t.good },
    runTimeMs: t.run,
    plannedTimeMs: planned,
    downtimeMs: t.down,
    smallStopMs: 0,
    commsLostMs: 0,
    starvedMs: starved,
    blockedMs: 0,
    plannedStopMs: 0,
    idealMs: t.ideal,
    downtimeByReason: t.byReason ?? {},
    ...(t.waits !== undefined ? { waits: t.waits } : {}),
    ...(t.intervals > 0 ? { mtbfMs: t.run / t.intervals, mttrMs: t.down / t.intervals } : {}),
  };
}

// A 10-minute shift that went badly and an 8-hour shift that went well.
const short = stored({ run: 120_000, down: 480_000, ideal: 96_000, total: 10, good: 8, intervals: 2 });
const long = stored({
  run: 27_000_000,
  down: 1_800_000,
  starved: 0,
  ideal: 25_920_000,
  total: 2_160,
  good: 2_150,
  intervals: 3,
  byReason: { hydraulic: 1_800_000 },
});

describe('sumFigures', () => {
  it('gives one shift its own stored figures, to the last bit', () => {
    const one = sumFigures([long]);
    expect(one.availability).toBe(long.availability);
    expect(one.performance).toBe(long.performance);
    expect(one.quality).toBe(long.quality);
    expect(one.oee).toBe(long.oee);
    expect(one.counts).toEqual(long.counts);
    expect(one.mtbfMs).toBe(long.mtbfMs);
    expect(one.mttrMs).toBe(long.mttrMs);
    expect(one.downIntervals).toBe(3);
  });

  it('weighs shifts by their times and counts, not by a mean of their OEEs', () => {
    const two = sumFigures([short, long]);
    const run = 120_000 + 27_000_000;
    const planned = 600_000 + 28_800_000;
    expect(two.availability).toBe(run / planned);
    expect(two.performance).toBe((96_000 + 25_920_000) / run);
    expect(two.quality).toBe(2_158 / 2_170);
    expect(two.oee).toBe(two.availability * two.performance * two.quality);
    expect(two.counts).toEqual({ total: 2_170, good: 2_158, reject: 12 });
    // The mean of the two OEEs is far off: the 10 minutes would weigh as much as the 8 hours.
    const mean = (short.oee + long.oee) / 2;
    expect(Math.abs(two.oee - mean)).toBeGreaterThan(0.3);
    // MTBF/MTTR over the period: Σ run / Σ intervals, Σ down / Σ intervals (5 intervals).
    expect(two.downIntervals).toBe(5);
    expect(two.mtbfMs).toBe(run / 5);
    expect(two.mttrMs).toBe((480_000 + 1_800_000) / 5);
  });

  it('sums downtime by reason and merges waits by kind, cause, state and reason, longest first', () => {
    const a = stored({
      run: 1000,
      down: 0,
      starved: 700,
      ideal: 900,
      total: 1,
      good: 1,
      intervals: 0,
      byReason: { starved: 700 },
      waits: [
        { kind: 'starved', cause: 'press', state: 'down', reason: 'die-jam', ms: 500 },
        { kind: 'starved', state: 'running', ms: 200 },
      ],
    });
    const b = stored({
      run: 1000,
      down: 300,
      starved: 400,
      ideal: 900,
      total: 1,
      good: 0,
      intervals: 1,
      byReason: { starved: 400, hydraulic: 300 },
      waits: [{ kind: 'starved', cause: 'press', state: 'down', reason: 'die-jam', ms: 400 }],
    });
    const sum = sumFigures([a, b]);
    expect(sum.downtimeByReason).toEqual({ starved: 1_100, hydraulic: 300 });
    expect(sum.waits).toEqual([
      { kind: 'starved', cause: 'press', state: 'down', reason: 'die-jam', ms: 900 },
      { kind: 'starved', state: 'running', ms: 200 },
    ]);
    expect(sum.mtbfMs).toBe(2_000);
    expect(sum.mttrMs).toBe(300);
  });

  it('gives zeros and no MTBF for no shifts or no down interval, and no waits when none were stored', () => {
    const none = sumFigures([]);
    expect(none).toMatchObject({ availability: 0, performance: 0, quality: 0, oee: 0, downIntervals: 0 });
    expect(none.mtbfMs).toBeUndefined();
    expect(none.waits).toBeUndefined();
    expect(downIntervalsOf(stored({ run: 5, down: 0, ideal: 5, total: 1, good: 1, intervals: 0 }))).toBe(0);
  });

  it('recovers the interval count from MTBF when a shift had down intervals but no downtime to divide', () => {
    const f = { ...long, downtimeMs: 0, mttrMs: 0, mtbfMs: 27_000_000 / 4 };
    expect(downIntervalsOf(f)).toBe(4);
  });
});

describe('causesOfPeriod', () => {
  const station = (id: string, f: OeeFigures) => ({ station: id, figures: sumFigures([f]) });
  it('books waits to the station that caused them, longest first, waits from outside the line last', () => {
    const press = stored({
      run: 10_000,
      down: 900,
      ideal: 9_000,
      total: 1,
      good: 1,
      intervals: 1,
      byReason: { 'die-jam': 600, hydraulic: 300 },
    });
    const weld = stored({
      run: 10_000,
      down: 0,
      starved: 1_000,
      ideal: 9_000,
      total: 1,
      good: 1,
      intervals: 0,
      byReason: { starved: 1_000 },
      waits: [
        { kind: 'starved', cause: 'press', state: 'down', reason: 'die-jam', ms: 500 },
        { kind: 'starved', cause: 'press', state: 'small_stop', ms: 100 },
        { kind: 'starved', state: 'running', ms: 400 },
      ],
    });
    // History from before the attribution: starved time without waits has no cause.
    const pack = stored({
      run: 10_000,
      down: 0,
      starved: 50,
      ideal: 9_000,
      total: 1,
      good: 1,
      intervals: 0,
      byReason: { starved: 50 },
    });
    const causes = causesOfPeriod([station('press', press), station('weld', weld), station('pack', pack)]);
    expect(causes).toEqual([
      { station: 'press', reason: 'die-jam', ms: 1_100, waitMs: 500, outside: false },
      { station: 'press', reason: 'hydraulic', ms: 300, waitMs: 0, outside: false },
      { station: 'press', reason: 'small_stop', ms: 100, waitMs: 100, outside: false },
      { reason: 'starved', ms: 450, waitMs: 450, outside: true },
    ]);
    // Every millisecond of downtime and waiting is in exactly one cause.
    expect(causes.reduce((n, c) => n + c.ms, 0)).toBe(900 + 1_000 + 50);
  });
});
