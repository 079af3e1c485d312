// @ts-check
// The selected station and its cycle chart: which station is shown, loading its cycle times from
// the API (one bucket per pixel), merging the live batches in and drawing it.
import * as api from './actions.js';
import { columnsFromHistory, mergeBatches } from './buckets.js';
import { cyclePoints, drawCycles } from './chart-cycles.js';
import { $ } from './dom.js';
import { currentLine, model, ui } from './page-state.js';
import { invalidate } from './render-queue.js';

/** @import { CycleColumn, Grid } from './buckets.js' */

/**
 * The cycle chart of one station: its columns over the window it was loaded for.
 * @typedef {Grid & { station: string, cols: Map<number, CycleColumn> }} CycleChart
 */

/**
 * Cycle chart of the selected station: columns of [window.from, window.to], one per pixel.
 * @type {CycleChart | null}
 */
let cycleChart = null;

/** Counts loads: only the latest one's answer is kept (an older one was for another size). */
let loads = 0;

/**
 * The station of the cycle chart: the last one clicked on the line on screen, else that line's
 * output station. Returns whether the selection changed (its chart must then be loaded).
 */
export function ensureSelection() {
  const line = currentLine();
  const ids = line?.stationIds ?? [...model.stations.keys()];
  if (ui.selected !== null && ids.includes(ui.selected) && model.stations.has(ui.selected)) return false;
  const before = ui.selected;
  ui.selected = line?.outputStation ?? ids[0] ?? null;
  return ui.selected !== before;
}

/** @param {string} id */
export function selectStation(id) {
  ui.selected = id;
  localStorage.setItem('lineside.station', id);
  reloadCycleChart();
  invalidate('stations');
}

/** Whether a cycle chart has been loaded (since the last selection or resize). */
export function cycleChartLoaded() {
  return cycleChart !== null;
}

/** Drops the loaded chart and loads it again (a new station, a new canvas size). */
export function reloadCycleChart() {
  cycleChart = null;
  loadCycleChart();
}

/** Loads the selected station's cycle times, one bucket per pixel of the chart. */
export async function loadCycleChart() {
  ensureSelection();
  const id = ui.selected;
  if (id === null || !model.ready) return;
  const points = cyclePoints($('cycles', HTMLCanvasElement));
  const { from, to } = model.window;
  const load = ++loads;
  try {
    const history = await api.stationHistory(id, from, to, points);
    // Another station was chosen, or the chart was resized (the rejects list beside it came or
    // went) and loaded again meanwhile: that answer is the one that fits.
    if (ui.selected !== id || load !== loads) return;
    const grid = { from, to, points };
    cycleChart = { station: id, ...grid, cols: columnsFromHistory(history.cycles, grid) };
    model.cycleBatches.delete(id);
    invalidate('cycles');
  } catch {
    // The next snapshot or selection retries.
  }
}

export function drawCycleChart() {
  const station = ui.selected === null ? undefined : model.stations.get(ui.selected);
  $('cycle-station').textContent = station?.name ?? '';
  if (station === undefined || cycleChart === null || cycleChart.station !== station.id) return;
  mergeBatches(cycleChart.cols, model.cycleBatches.get(station.id) ?? [], cycleChart);
  model.cycleBatches.delete(station.id);
  drawCycles(
    $('cycles', HTMLCanvasElement),
    [...cycleChart.cols.values()],
    cycleChart.points,
    station.idealCycleTimeMs,
    model.timezone,
    cycleChart.from,
    cycleChart.to,
  );
}
