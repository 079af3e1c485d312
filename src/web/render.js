// @ts-check
// Draws what changed: given the dirty parts of a frame (render-queue.js), redraws the tiles,
// gauges, Pareto, rejects by reason, header (with its orders), timeline, cycle chart, lists and
// login button that depend on them.
import { drawGauge, drawPareto } from './charts.js';
import { drawGantt } from './chart-timeline.js';
import { $ } from './dom.js';
import { formatTime } from './format.js';
import { gaugeTone, settling, settlingNote } from './gauge-tone.js';
import { renderHeader } from './header.js';
import { onAck, onAssign } from './list-actions.js';
import { openLogin, renderOperatorButton } from './login.js';
import { agentNow, paretoOf } from './model.js';
import { currentLine, model, ui } from './page-state.js';
import { renderLineTabs } from './line-tabs.js';
import { renderAlerts, renderDevices, renderDowntime } from './panels.js';
import { renderOrders } from './order.js';
import { sizePareto } from './pareto-size.js';
import { renderProductChip } from './product.js';
import { renderRejects } from './scrap.js';
import { drawCycleChart, ensureSelection, reloadCycleChart, selectStation } from './selected-station.js';
import { renderOverview, renderTiles, tickTiles } from './tiles.js';

/** @import { ListActions } from './panels.js' */
/** @import { Part } from './render-queue.js' */

/** @param {ReadonlySet<Part>} parts */
export function render(parts) {
  // Everything below is the line on screen's (line-tabs.js), except device comms.
  const line = currentLine();
  const stationIds = line?.stationIds ?? [];
  if (parts.has('stations') || parts.has('lines') || parts.has('all')) {
    if (ensureSelection()) reloadCycleChart();
    renderLineTabs();
    renderTiles($('tiles'), model, stationIds, ui.selected, selectStation);
    const figures = renderOverview(model, line);
    // No verdict colours while the shift's figures rest on a few minutes (gauge-tone.js).
    const planned = figures?.plannedTimeMs;
    drawGauge($('g-oee', HTMLCanvasElement), figures?.oee, gaugeTone(figures?.oee, planned));
    drawGauge($('g-a', HTMLCanvasElement), figures?.availability, gaugeTone(figures?.availability, planned));
    drawGauge($('g-p', HTMLCanvasElement), figures?.performance, gaugeTone(figures?.performance, planned));
    drawGauge($('g-q', HTMLCanvasElement), figures?.quality, gaugeTone(figures?.quality, planned));
    const note = $('ov-settling');
    note.hidden = !settling(planned);
    note.textContent = settlingNote();
    const pareto = paretoOf(model, stationIds);
    sizePareto($('pareto', HTMLCanvasElement), pareto.length);
    drawPareto($('pareto', HTMLCanvasElement), pareto);
    renderHeader(line);
    tickTiles(agentNow(model));
  }
  if (parts.has('stations') || parts.has('timeline') || parts.has('all') || parts.has('charts')) drawTimeline();
  if (parts.has('cycles') || parts.has('all') || parts.has('charts') || parts.has('stations')) drawCycleChart();
  /** @type {ListActions} */
  const actions = {
    ...ui,
    operatorEnabled: model.operatorEnabled && ui.operatorEnabled !== false,
    can: (permission) => ui.permissions.includes(permission),
    onAck,
    onAssign,
    onLogin: openLogin,
  };
  if (parts.has('alerts') || parts.has('all') || parts.has('operator'))
    renderAlerts($('alerts'), $('alert-count'), model, actions, line?.id);
  if (parts.has('downtime') || parts.has('all') || parts.has('operator'))
    renderDowntime($('downtime'), $('unassigned-count'), model, actions, line?.id);
  if (parts.has('devices') || parts.has('all')) renderDevices($('devices'), model);
  if (parts.has('operator') || parts.has('all')) renderOperatorButton();
  if (parts.has('operator') || parts.has('all') || parts.has('lines') || parts.has('stations')) renderProductChip(line);
  if (parts.has('operator') || parts.has('all') || parts.has('lines')) renderOrders();
  if (parts.has('operator') || parts.has('all') || parts.has('stations')) renderRejects();
  if (parts.has('all')) $('clock').textContent = formatTime(agentNow(model), model.timezone);
}

function drawTimeline() {
  const rows = (currentLine()?.stationIds ?? []).map((id) => ({
    label: model.stations.get(id)?.name ?? id,
    spans: model.timeline.get(id) ?? [],
  }));
  drawGantt($('gantt', HTMLCanvasElement), rows, model.window.from, model.window.to, agentNow(model), model.timezone);
}
