// The cycle chart's maths (src/web/buckets.js): which column a cycle lands in, and what a column
// shows once the server's history and the live batches are in it. Plain browser JavaScript
// without DOM access, tested here directly: the same code the browser runs.
import { describe, expect, it } from 'vitest';
import {
  columnOf,
  columnsFromHistory,
  meanOf,
  mergeBatches,
  p95OfMeans,
  plottedColumns,
  // @ts-expect-error -- plain JS module without type declarations (the page has no build step)
} from '../../../src/web/buckets.js';

interface Column {
  x: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  timed: number;
}

/** 10 columns of 100 ms each over [1000, 2000]. */
const grid = { from: 1000, to: 2000, points: 10 };

/** Cycle times; undefined is a cycle without a time (the first after a start or a gap). */
type Cycles = (number | undefined)[];
const timedOf = (cycles: Cycles) => cycles.filter((c): c is number => c !== undefined);

/** A history bucket (CycleBucket) holding these cycles. */
function bucket(from: number, cycles: Cycles) {
  const timed = timedOf(cycles);
  const sum = timed.reduce((a, b) => a + b, 0);
  return {
    from,
    to: from + 100,
    count: cycles.length,
    good: cycles.length,
    timed: timed.length,
    minMs: timed.length > 0 ? Math.min(...timed) : null,
    maxMs: timed.length > 0 ? Math.max(...timed) : null,
    avgMs: timed.length > 0 ? sum / timed.length : null,
  };
}

/** A live batch (CycleBatch) of these cycles, broadcast over [from, to]. */
function batch(from: number, to: number, cycles: Cycles) {
  const timed = timedOf(cycles);
  return {
    station: 'press',
    from,
    to,
    count: cycles.length,
    good: cycles.length,
    timed: timed.length,
    minMs: timed.length > 0 ? Math.min(...timed) : null,
    maxMs: timed.length > 0 ? Math.max(...timed) : null,
    sumMs: timed.reduce((a, b) => a + b, 0),
    lastMs: timed.at(-1) ?? null,
  };
}

/** What a column shows: its band and its mean. */
function shown(col: Column | undefined) {
  return col === undefined ? undefined : { min: col.min, max: col.max, mean: meanOf(col), count: col.count };
}

describe('columnOf', () => {
  it('puts a time in the column whose span holds it, a boundary in the column it opens', () => {
    expect(columnOf(1000, grid)).toBe(0);
    expect(columnOf(1099, grid)).toBe(0);
    expect(columnOf(1100, grid)).toBe(1);
    expect(columnOf(1999, grid)).toBe(9);
  });

  it('does not clamp: before the window is negative, its end is one past the last column', () => {
    expect(columnOf(999, grid)).toBe(-1);
    expect(columnOf(2000, grid)).toBe(10);
  });

  it('keeps to the pixel on a real chart: an 8 h shift over 1000 columns', () => {
    const shift = { from: Date.UTC(2026, 2, 2, 6), to: Date.UTC(2026, 2, 2, 14), points: 1000 };
    const columnMs = (8 * 3600_000) / 1000;
    expect(columnOf(shift.from + 500 * columnMs, shift)).toBe(500);
    expect(columnOf(shift.from + 500 * columnMs - 1, shift)).toBe(499);
    expect(columnOf(shift.to - 1, shift)).toBe(999);
  });
});

describe('columnsFromHistory', () => {
  it('puts each bucket in the column of its start, with its min, max and mean', () => {
    const cols = columnsFromHistory([bucket(1000, [900, 1000, 1100]), bucket(1300, [2000])], grid);
    expect([...cols.keys()]).toEqual([0, 3]);
    expect(shown(cols.get(0))).toEqual({ min: 900, max: 1100, mean: 1000, count: 3 });
    expect(shown(cols.get(3))).toEqual({ min: 2000, max: 2000, mean: 2000, count: 1 });
  });

  it('puts a bucket that starts at the end of the window in the last column', () => {
    const cols = columnsFromHistory([bucket(2000, [1000])], grid);
    expect([...cols.keys()]).toEqual([9]);
  });

  it('keeps the later of two buckets that fall into one column', () => {
    const cols = columnsFromHistory([bucket(1200, [500]), bucket(1250, [700, 900])], grid);
    expect(shown(cols.get(2))).toEqual({ min: 700, max: 900, mean: 800, count: 2 });
  });
});

describe('mergeBatches', () => {
  it('merges a live batch into the column the history filled: widest band, mean over all cycles', () => {
    const cols = columnsFromHistory([bucket(1300, [900, 1000, 1100])], grid);
    mergeBatches(cols, [batch(1300, 1350, [800, 1300])], grid);
    expect(shown(cols.get(3))).toEqual({ min: 800, max: 1300, mean: 1020, count: 5 });
  });

  it('opens a column for a batch where there was none, and merges later batches into it', () => {
    const cols = new Map<number, Column>();
    mergeBatches(cols, [batch(1400, 1450, [1000]), batch(1450, 1499, [600, 1400])], grid);
    expect([...cols.keys()]).toEqual([4]);
    expect(shown(cols.get(4))).toEqual({ min: 600, max: 1400, mean: 1000, count: 3 });
  });

  it('places a batch by its end, not its start', () => {
    const cols = new Map<number, Column>();
    mergeBatches(cols, [batch(1150, 1210, [1000])], grid);
    expect([...cols.keys()]).toEqual([2]);
  });

  it('drops batches that end outside the window, keeps one that ends just inside it', () => {
    const cols = new Map<number, Column>();
    mergeBatches(cols, [batch(900, 999, [1000]), batch(1990, 2000, [1000]), batch(1990, 1999, [3000])], grid);
    expect([...cols.keys()]).toEqual([9]);
    expect(shown(cols.get(9))).toEqual({ min: 3000, max: 3000, mean: 3000, count: 1 });
  });

  it('counts a cycle without a time (the first after a start) but moves neither band nor mean', () => {
    const cols = columnsFromHistory([bucket(1300, [undefined, 900, 1100])], grid);
    mergeBatches(cols, [batch(1300, 1350, [undefined]), batch(1350, 1390, [undefined, 1000])], grid);
    expect(shown(cols.get(3))).toEqual({ min: 900, max: 1100, mean: 1000, count: 6 });
  });
});

describe('what the chart plots', () => {
  it('draws only the columns with cycle times, left to right', () => {
    const cols = [
      { x: 7, min: 1, max: 1, sum: 1, count: 1, timed: 1 },
      { x: 2, min: 0, max: 0, sum: 0, count: 0, timed: 0 },
      { x: 3, min: 2, max: 2, sum: 2, count: 1, timed: 1 },
      { x: 5, min: Infinity, max: -Infinity, sum: 0, count: 1, timed: 0 }, // only a first cycle
    ];
    expect(plottedColumns(cols).map((c: Column) => c.x)).toEqual([3, 7]);
  });

  it('scales to the 95th percentile of the column means, so one jam does not flatten the rest', () => {
    const columns = (means: number[]): Column[] =>
      means.map((m, x) => ({ x, min: m, max: m, sum: m * 2, count: 2, timed: 2 }));
    expect(p95OfMeans(columns(Array.from({ length: 100 }, (_, i) => 100 - i)))).toBe(96);
    expect(p95OfMeans(columns([...Array<number>(99).fill(1000), 60_000]))).toBe(1000);
    expect(p95OfMeans(columns([1234]))).toBe(1234);
    expect(p95OfMeans([])).toBeUndefined();
  });
});
