// @ts-check
// The cycle chart's maths, without the DOM: the window [from, to] is cut into `points` columns
// (one per pixel of the plot), the server's history buckets and the live batches are put into
// them, and each column keeps the min, max and mean of its cycles. Pure, so it is unit-tested.

/** @import { CycleBatch, CycleBucket } from '../server/view-model.js' */

/**
 * The chart's time axis: `points` equal columns over [from, to].
 * @typedef {object} Grid
 * @property {number} from
 * @property {number} to
 * @property {number} points
 */

/**
 * Cycles that fell into one column. The mean is sum / timed, so live batches merge exactly; a
 * cycle without a time (the first after a start or a gap) is in `count` only.
 * @typedef {object} CycleColumn
 * @property {number} x Column index (columnOf).
 * @property {number} min
 * @property {number} max
 * @property {number} sum
 * @property {number} count
 * @property {number} timed
 */

/**
 * The column of time `t`. Not clamped: times before the window give a negative index, times at
 * or after its end an index ≥ points; the callers decide what to do with those.
 * @param {number} t
 * @param {Grid} grid
 */
export function columnOf(t, grid) {
  return Math.floor(((t - grid.from) / (grid.to - grid.from)) * grid.points);
}

/**
 * Columns from the server's history (`GET /api/stations/:id/history`, asked for `points`
 * buckets). A bucket goes to the column of its start; one starting at the window's end goes to
 * the last column. Should two buckets share a column, the later one wins: the server sends at
 * most one per column.
 * @param {readonly CycleBucket[]} buckets
 * @param {Grid} grid
 * @returns {Map<number, CycleColumn>} by column index
 */
export function columnsFromHistory(buckets, grid) {
  /** @type {Map<number, CycleColumn>} */
  const cols = new Map();
  for (const b of buckets) {
    const x = Math.min(grid.points - 1, columnOf(b.from, grid));
    cols.set(x, {
      x,
      min: b.minMs ?? Infinity,
      max: b.maxMs ?? -Infinity,
      sum: (b.avgMs ?? 0) * b.timed,
      count: b.count,
      timed: b.timed,
    });
  }
  return cols;
}

/**
 * Adds live batches (from the websocket's deltas) to the columns, each to the column of its end.
 * Batches outside the window are dropped: the chart's window is fixed until it is reloaded.
 * @param {Map<number, CycleColumn>} cols updated in place
 * @param {Iterable<CycleBatch>} batches
 * @param {Grid} grid
 */
export function mergeBatches(cols, batches, grid) {
  for (const batch of batches) {
    const x = columnOf(batch.to, grid);
    if (x < 0 || x >= grid.points) continue;
    const col = cols.get(x) ?? { x, min: Infinity, max: -Infinity, sum: 0, count: 0, timed: 0 };
    if (batch.minMs !== null) col.min = Math.min(col.min, batch.minMs);
    if (batch.maxMs !== null) col.max = Math.max(col.max, batch.maxMs);
    col.sum += batch.sumMs;
    col.count += batch.count;
    col.timed += batch.timed;
    cols.set(x, col);
  }
}

/**
 * The mean cycle time of a column, ms.
 * @param {CycleColumn} col
 */
export function meanOf(col) {
  return col.sum / col.timed;
}

/**
 * The columns to draw: those with cycle times, left to right.
 * @param {Iterable<CycleColumn>} cols
 */
export function plottedColumns(cols) {
  return [...cols].filter((c) => c.timed > 0).sort((a, b) => a.x - b.x);
}

/**
 * The 95th percentile of the columns' means (the chart scales to it, so one jam does not flatten
 * every other column); undefined without columns.
 * @param {readonly CycleColumn[]} cols
 * @returns {number | undefined}
 */
export function p95OfMeans(cols) {
  const means = cols.map(meanOf).sort((a, b) => a - b);
  return means[Math.floor(means.length * 0.95)] ?? means[means.length - 1];
}
