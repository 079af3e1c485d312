// @ts-check
// The lists: active alerts (acknowledge), downtime of the shift (assign a reason), device comms.
// Alerts and downtime are those of the line on screen; device comms are the agent's (a device
// may serve several lines).
// Lists are short (capped) and rebuilt only when their data changed.
import { el } from './dom.js';
import { formatDuration, formatEvidence, formatTime } from './format.js';

/** @import { Model } from './model.js' */

/**
 * What the lists need from the page: who is logged in, and the actions behind their buttons.
 * @typedef {object} ListActions
 * @property {boolean} operator Logged in (a named user or the operator token).
 * @property {boolean} operatorEnabled
 * @property {string | null} user
 * @property {(permission: string) => boolean} can
 * @property {(alertId: string, button: HTMLButtonElement) => void} onAck
 * @property {(downtimeId: string, reason: string, button: HTMLButtonElement) => void} onAssign
 * @property {() => void} onLogin
 */

/**
 * @param {HTMLElement} list
 * @param {string} text
 */
function empty(list, text) {
  const li = el('li');
  li.append(el('span', 'empty', text));
  list.replaceChildren(li);
}

/** @type {Readonly<Record<string, number>>} */
const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 };

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} countEl
 * @param {Model} model
 * @param {ListActions} ui
 * @param {string | undefined} lineId the line on screen; undefined: every line
 */
export function renderAlerts(list, countEl, model, ui, lineId) {
  const alerts = [...model.alerts.values()]
    .filter((a) => a.status !== 'resolved' && (lineId === undefined || a.line === lineId))
    .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) || b.ts - a.ts);
  const active = alerts.filter((a) => a.status === 'active').length;
  countEl.textContent = String(active);
  countEl.classList.toggle('hot', active > 0);
  if (alerts.length === 0) return empty(list, 'No active alerts');
  const items = alerts.map((a) => {
    const li = el('li');
    li.dataset.alertId = a.id;
    const main = el('div', 'row-main');
    main.append(
      el('span', `badge sev-${a.severity}`, a.severity),
      el('span', 'who', model.stations.get(a.station)?.name ?? a.station),
      el('span', '', a.kind.replace(/_/g, ' ')),
    );
    if (a.status === 'acknowledged')
      main.append(el('span', 'badge st-acknowledged', a.ackBy ? `ack by ${a.ackBy}` : 'acknowledged'));
    const sub = el('div', 'row-sub');
    const parts = [formatEvidence(a.evidence)];
    if (a.predictedFailureAt !== undefined)
      parts.push(`failure likely in ${formatDuration(a.predictedFailureAt - (Date.now() + model.skewMs))}`);
    parts.push(`since ${formatTime(a.ts, model.timezone)}`);
    sub.textContent = parts.filter(Boolean).join(' · ');
    li.append(main, sub);
    // Logged in without the right (a viewer, an operator): no button to be refused by.
    if (a.status === 'active' && ui.operatorEnabled && (!ui.operator || ui.can('acknowledgeAlert'))) {
      const actions = el('div', 'row-actions');
      const ack = el('button', 'ack-btn', ui.operator ? 'Acknowledge' : 'Log in to acknowledge');
      ack.type = 'button';
      ack.addEventListener('click', () => (ui.operator ? ui.onAck(a.id, ack) : ui.onLogin()));
      actions.append(ack);
      li.append(actions);
    }
    return li;
  });
  list.replaceChildren(...items);
}

/**
 * Open downtime rows whose duration the ticker updates.
 * @type {{ node: HTMLElement, start: number }[]}
 */
const openDurations = [];

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} countEl
 * @param {Model} model
 * @param {ListActions} ui
 * @param {string | undefined} lineId the line on screen; undefined: every line
 */
export function renderDowntime(list, countEl, model, ui, lineId) {
  const rows = [...model.downtime.values()]
    .filter((d) => (d.end === undefined || d.end >= model.window.from) && (lineId === undefined || d.line === lineId))
    .sort((a, b) => b.start - a.start);
  const unassigned = rows.filter((d) => d.reason === 'unassigned').length;
  countEl.textContent = unassigned > 0 ? `${unassigned} need a reason` : '';
  countEl.classList.toggle('hot', unassigned > 0);
  openDurations.length = 0;
  if (rows.length === 0) return empty(list, 'No downtime this shift');
  const items = rows.map((d) => {
    const li = el('li');
    li.dataset.downtimeId = d.id;
    const main = el('div', 'row-main');
    const dur = el('span', 'dur', formatDuration(d.durationMs ?? (d.end ?? Date.now() + model.skewMs) - d.start));
    if (d.end === undefined) openDurations.push({ node: dur, start: d.start });
    main.append(el('span', 'who', model.stations.get(d.station)?.name ?? d.station), dur);
    if (d.reason === 'unassigned') main.append(el('span', 'badge unassigned', 'no reason'));
    else main.append(el('span', '', d.reasonLabel));
    const sub = el('div', 'row-sub');
    sub.textContent = `${formatTime(d.start, model.timezone)}${d.end !== undefined ? `–${formatTime(d.end, model.timezone)}` : ' – now'}${d.faultCode !== undefined ? ` · fault ${d.faultCode}` : ''}${d.reasonBy ? ` · by ${d.reasonBy}` : ''}`;
    li.append(main, sub);
    const mayAssign =
      ui.can('assignReason') &&
      (!d.reasonBy || d.reasonBy.toLowerCase() === (ui.user ?? '').toLowerCase() || ui.can('editReason'));
    if (ui.operatorEnabled && (mayAssign || (!ui.operator && d.reason === 'unassigned'))) {
      const actions = el('div', 'row-actions');
      if (mayAssign) {
        const select = el('select', 'reason-select');
        select.setAttribute('aria-label', 'Downtime reason');
        const placeholder = el('option', '', d.reason === 'unassigned' ? 'Choose a reason…' : 'Change reason…');
        placeholder.value = '';
        select.append(placeholder);
        for (const r of model.reasons) {
          const option = el('option', '', r.label);
          option.value = r.id;
          if (r.id === d.reason) option.selected = true;
          select.append(option);
        }
        const assign = el('button', 'assign-btn primary', 'Assign');
        assign.type = 'button';
        assign.addEventListener('click', () => {
          if (select.value !== '') ui.onAssign(d.id, select.value, assign);
        });
        actions.append(select, assign);
      } else {
        const login = el('button', '', 'Log in to assign a reason');
        login.type = 'button';
        login.addEventListener('click', ui.onLogin);
        actions.append(login);
      }
      li.append(actions);
    }
    return li;
  });
  list.replaceChildren(...items);
}

/** @param {number} nowMs */
export function tickDowntime(nowMs) {
  for (const o of openDurations) o.node.textContent = formatDuration(nowMs - o.start);
}

/**
 * @param {HTMLElement} list
 * @param {Model} model
 */
export function renderDevices(list, model) {
  if (model.devices.length === 0) return empty(list, 'No devices');
  const items = model.devices.map((d) => {
    // A connected device is one line on a TV (the details line is hidden there, styles.css):
    // it sits under the Pareto, which must keep the height its bars need.
    const li = el('li', d.connected ? 'dev-connected' : 'dev-lost');
    li.dataset.device = d.device;
    const main = el('div', 'row-main');
    const latency =
      d.latencyP50Ms !== undefined
        ? `${Math.round(d.latencyP50Ms)}/${Math.round(d.latencyP99Ms ?? d.latencyP50Ms)} ms p50/p99`
        : '';
    main.append(
      el('span', `dev-dot ${d.connected ? 'dev-up' : 'dev-down'}`),
      el('span', 'who', d.device),
      el('span', '', d.connected ? 'connected' : 'NOT CONNECTED'),
      ...(latency !== '' ? [el('span', 'dev-latency', latency)] : []),
    );
    const sub = el('div', 'row-sub');
    const errors = d.requests > 0 ? ` · ${d.errors} errors / ${d.requests} requests` : '';
    sub.textContent = `${d.endpoint}${errors}`;
    li.title = sub.textContent;
    li.append(main, sub);
    if (!d.connected && d.lastError)
      li.append(
        el('div', 'row-sub', `${d.lastError}${d.lastErrorAt ? ` (${formatTime(d.lastErrorAt, model.timezone)})` : ''}`),
      );
    return li;
  });
  list.replaceChildren(...items);
}
