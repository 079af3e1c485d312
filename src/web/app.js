// @ts-check
// Lineside dashboard: wires the live connection, the model and the renderers. Rendering is
// batched per animation frame and only touches what changed; charts redraw when their data
// changed, on resize, and every 30 s (so the "now" line and open spans move on).
import * as api from './actions.js';
import { columnsFromHistory, mergeBatches } from './buckets.js';
import { cyclePoints, drawCycles, drawGantt, drawGauge, drawPareto, legendItems } from './charts.js';
import { $ } from './dom.js';
import { STATE_LABELS, formatDuration, formatTime } from './format.js';
import { connectLive } from './live.js';
import { agentNow, applyDelta, applySnapshot, createModel, paretoOf } from './model.js';
import { renderAlerts, renderDevices, renderDowntime, tickDowntime } from './panels.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { renderOverview, renderTiles, tickTiles } from './tiles.js';

/** @import { LineView } from '../server/view-model.js' */
/** @import { Session } from './actions.js' */
/** @import { CycleColumn, Grid } from './buckets.js' */
/** @import { Live, LiveStatus } from './live.js' */
/** @import { Change } from './model.js' */
/** @import { ListActions } from './panels.js' */

/**
 * The cycle chart of one station: its columns over the window it was loaded for.
 * @typedef {Grid & { station: string, cols: Map<number, CycleColumn> }} CycleChart
 */

/**
 * What needs drawing again: a model change, or everything, the charts, the login state.
 * @typedef {Change | 'all' | 'charts' | 'operator'} Part
 */

const model = createModel();
const ui = {
  /** Logged in (a named user or the operator token). */
  operator: false,
  operatorEnabled: false,
  /** Named users: the login asks for name and password, and actions carry the login. */
  usersEnabled: false,
  /** @type {string | null} */
  user: null,
  /** @type {string | null} */
  role: null,
  /** @type {Session['via'] | null} */
  via: null,
  /** @type {readonly string[]} */
  permissions: [],
  /** With the shared operator token only: the name typed at login, sent as `by`. */
  operatorName: localStorage.getItem('lineside.operatorName') ?? '',
  /** @type {string | null} */
  selected: localStorage.getItem('lineside.station') ?? null,
};
/** @type {Set<Part>} */
const dirty = new Set();
let frame = 0;
/** @type {Live | null} */
let live = null;
/**
 * Cycle chart of the selected station: columns of [window.from, window.to], one per pixel.
 * @type {CycleChart | null}
 */
let cycleChart = null;

/** @param {...Part} parts */
function invalidate(...parts) {
  for (const p of parts) dirty.add(p);
  if (frame === 0) frame = requestAnimationFrame(render);
}

function firstLine() {
  return model.lines.values().next().value;
}

function render() {
  frame = 0;
  if (!model.ready) return;
  const parts = new Set(dirty);
  dirty.clear();
  const line = firstLine();
  if (parts.has('stations') || parts.has('lines') || parts.has('all')) {
    ensureSelection();
    renderTiles($('tiles'), model, ui.selected, selectStation);
    const figures = renderOverview(model, line);
    drawGauge($('g-oee', HTMLCanvasElement), figures?.oee);
    drawGauge($('g-a', HTMLCanvasElement), figures?.availability);
    drawGauge($('g-p', HTMLCanvasElement), figures?.performance);
    drawGauge($('g-q', HTMLCanvasElement), figures?.quality);
    drawPareto($('pareto', HTMLCanvasElement), paretoOf(model));
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
    renderAlerts($('alerts'), $('alert-count'), model, actions);
  if (parts.has('downtime') || parts.has('all') || parts.has('operator'))
    renderDowntime($('downtime'), $('unassigned-count'), model, actions);
  if (parts.has('devices') || parts.has('all')) renderDevices($('devices'), model);
  if (parts.has('operator') || parts.has('all')) renderOperatorButton();
  if (parts.has('all')) $('clock').textContent = formatTime(agentNow(model), model.timezone);
}

/** @param {LineView | undefined} line */
function renderHeader(line) {
  $('line-name').textContent = line?.name ?? 'Lineside';
  document.title = `${line?.name ?? 'Lineside'} · Lineside`;
  const shift = $('shift');
  shift.replaceChildren();
  const now = agentNow(model);
  const strong = document.createElement('strong');
  if (line?.shift !== undefined) {
    strong.textContent = `${line.shift.name} shift`;
    shift.append(
      strong,
      ` ${formatTime(line.shift.start, model.timezone)}–${formatTime(line.shift.end, model.timezone)} · ${formatDuration(line.shift.end - now)} left`,
    );
  } else {
    strong.textContent = 'No shift';
    shift.append(strong, ' · last 8 hours');
  }
  if (line?.plannedStop !== undefined && line.plannedStop !== 'off_shift')
    shift.append(` · break: ${line.plannedStop}`);
  $('timeline-range').textContent =
    `${formatTime(model.window.from, model.timezone)}–${formatTime(model.window.to, model.timezone)}`;
}

function drawTimeline() {
  const rows = [...model.lines.values()]
    .flatMap((l) => l.stationIds)
    .map((id) => ({
      label: model.stations.get(id)?.name ?? id,
      spans: model.timeline.get(id) ?? [],
    }));
  drawGantt($('gantt', HTMLCanvasElement), rows, model.window.from, model.window.to, agentNow(model), model.timezone);
}

/** The station of the cycle chart: the last one clicked, else the line's output station. */
function ensureSelection() {
  if (ui.selected !== null && model.stations.has(ui.selected)) return;
  ui.selected = firstLine()?.outputStation ?? model.stations.keys().next().value ?? null;
}

/** @param {string} id */
function selectStation(id) {
  ui.selected = id;
  localStorage.setItem('lineside.station', id);
  cycleChart = null;
  loadCycleChart();
  invalidate('stations');
}

/** Loads the selected station's cycle times, one bucket per pixel of the chart. */
async function loadCycleChart() {
  ensureSelection();
  const id = ui.selected;
  if (id === null || !model.ready) return;
  const points = cyclePoints($('cycles', HTMLCanvasElement));
  const { from, to } = model.window;
  try {
    const history = await api.stationHistory(id, from, to, points);
    if (ui.selected !== id) return;
    const grid = { from, to, points };
    cycleChart = { station: id, ...grid, cols: columnsFromHistory(history.cycles, grid) };
    model.cycleBatches.delete(id);
    invalidate('cycles');
  } catch {
    // The next snapshot or selection retries.
  }
}

function drawCycleChart() {
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

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

let toastTimer = 0;

/** @param {string} text */
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 4000);
}

/**
 * @param {string} downtimeId
 * @param {string} reason
 * @param {HTMLButtonElement} button
 */
async function onAssign(downtimeId, reason, button) {
  button.disabled = true;
  try {
    const result = await api.assignReason(downtimeId, reason, claimedName());
    if (result.downtime !== undefined) model.downtime.set(result.downtime.id, result.downtime);
    toast(`Reason saved: ${model.reasons.find((r) => r.id === reason)?.label ?? reason}`);
    invalidate('downtime');
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    toast(`Not saved: ${messageOf(err)}`);
  } finally {
    button.disabled = false;
  }
}

/**
 * @param {string} alertId
 * @param {HTMLButtonElement} button
 */
async function onAck(alertId, button) {
  button.disabled = true;
  try {
    const result = await api.acknowledgeAlert(alertId, claimedName());
    if (result.alert !== undefined) model.alerts.set(result.alert.id, result.alert);
    toast('Alert acknowledged');
    invalidate('alerts');
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    toast(`Not acknowledged: ${messageOf(err)}`);
  } finally {
    button.disabled = false;
  }
}

/** With the shared operator token the server cannot tell who acts, so the typed name goes along. */
function claimedName() {
  return ui.via === 'operator-token' && ui.operatorName ? ui.operatorName : undefined;
}

/**
 * What /api/session or /api/login said; null after a logout or an expired session.
 * @param {Session | null} s
 */
function setSession(s) {
  ui.operator = s?.operator === true || (s?.permissions?.length ?? 0) > 0;
  ui.user = s?.user ?? null;
  ui.role = s?.role ?? null;
  ui.via = s?.via ?? null;
  ui.permissions = s?.permissions ?? [];
  if (s?.operatorEnabled !== undefined) ui.operatorEnabled = s.operatorEnabled === true;
  if (s?.usersEnabled !== undefined) ui.usersEnabled = s.usersEnabled === true;
  if (ui.user === null) ui.operator = false;
  invalidate('operator');
}

function renderOperatorButton() {
  const button = $('operator-btn');
  button.hidden = !model.operatorEnabled;
  const loggedIn = ui.user !== null;
  const who =
    ui.via === 'operator-token'
      ? `Operator${ui.operatorName ? `: ${ui.operatorName}` : ''}`
      : `${ui.user} (${ui.role})`;
  button.textContent = loggedIn ? `${who} · log out` : 'Log in';
  button.classList.toggle('on', loggedIn);
}

/**
 * An input of the login form.
 * @param {string} id
 */
function field(id) {
  return $(id, HTMLInputElement);
}

function showLoginFields() {
  const named = ui.usersEnabled;
  for (const id of ['login-help-users', 'login-user-row', 'login-password-row']) $(id).hidden = !named;
  for (const id of ['login-help-token', 'login-token-row', 'login-name-row']) $(id).hidden = named;
  field('login-user').required = named;
  field('login-password').required = named;
  field('login-token').required = !named;
}

function openLogin() {
  $('login-error').textContent = '';
  field('login-name').value = ui.operatorName;
  field('login-user').value = localStorage.getItem('lineside.user') ?? '';
  showLoginFields();
  $('login-dialog', HTMLDialogElement).showModal();
  if (!ui.usersEnabled) $('login-token').focus();
  else if (field('login-user').value === '') $('login-user').focus();
  else $('login-password').focus();
}

function setupLogin() {
  $('operator-btn').addEventListener('click', async () => {
    if (ui.user === null) return openLogin();
    await api.logout().catch(() => undefined);
    setSession(null);
  });
  $('login-cancel').addEventListener('click', () => $('login-dialog', HTMLDialogElement).close());
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const credentials = ui.usersEnabled
        ? { user: field('login-user').value.trim(), password: field('login-password').value }
        : { token: field('login-token').value };
      const s = await api.login(credentials);
      if (ui.usersEnabled) localStorage.setItem('lineside.user', s.user ?? '');
      else {
        ui.operatorName = field('login-name').value.trim();
        localStorage.setItem('lineside.operatorName', ui.operatorName);
      }
      field('login-token').value = '';
      field('login-password').value = '';
      $('login-dialog', HTMLDialogElement).close();
      setSession(s);
      toast(s.via === 'operator-token' ? 'Logged in as operator' : `Logged in as ${s.user} (${s.role})`);
    } catch (err) {
      $('login-error').textContent = messageOf(err);
    }
  });
}

/**
 * @param {LiveStatus} status
 * @param {number | null} offlineSince
 */
function setConnection(status, offlineSince) {
  const conn = $('conn');
  const main = $('main');
  if (status === 'live') {
    conn.textContent = 'live';
    conn.className = 'conn conn-live';
    main.classList.remove('stale');
  } else if (status === 'connecting') {
    conn.textContent = 'connecting';
    conn.className = 'conn conn-connecting';
  } else {
    conn.textContent = offlineSince
      ? `offline since ${formatTime(offlineSince + model.skewMs, model.timezone)}`
      : 'offline';
    conn.className = 'conn conn-offline';
    main.classList.add('stale');
  }
}

function setupLegend() {
  const legend = $('legend');
  for (const { state, color } of legendItems()) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'sw';
    sw.style.background = color;
    li.append(sw, STATE_LABELS[state]);
    legend.append(li);
  }
}

function start() {
  setupLegend();
  setupLogin();
  api
    .session()
    .then(setSession)
    .catch(() => undefined);

  live = connectLive({
    onSnapshot(data) {
      if (data.protocol !== PROTOCOL_VERSION) {
        // The agent was upgraded: load the matching page.
        setTimeout(() => location.reload(), 1000);
        return;
      }
      const windowMoved = model.window.from !== data.window.from;
      applySnapshot(model, data);
      if (cycleChart === null || windowMoved) loadCycleChart();
      invalidate('all');
    },
    onDelta(delta) {
      if (!model.ready) return;
      const { changed, resync } = applyDelta(model, delta);
      if (resync) live?.resync();
      invalidate(...changed);
    },
    onStatus: setConnection,
    onAuthLost() {
      location.reload();
    },
  });

  setInterval(() => {
    const now = agentNow(model);
    $('clock').textContent = formatTime(now, model.timezone);
    if (!model.ready) return;
    tickTiles(now);
    tickDowntime(now);
  }, 1000);
  // The "now" line, open spans and the shift countdown move on.
  setInterval(() => invalidate('charts', 'lines'), 30_000);
  setInterval(loadCycleChart, 5 * 60_000);
  // Charts follow their boxes (a layout change that is not a window resize: fonts, lists).
  const observer = new window.ResizeObserver(() => invalidate('stations', 'charts'));
  for (const id of ['gantt', 'cycles', 'pareto']) observer.observe($(id));
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      cycleChart = null;
      loadCycleChart();
      invalidate('all');
    }, 200);
  });
}

start();
