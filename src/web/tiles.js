// @ts-check
// Andon tiles (one per station) and the line overview. Elements are created once per station
// and updated in place: a week of deltas creates no DOM garbage.
import { waitingText } from './causes.js';
import { $, el } from './dom.js';
import { STATE_LABELS, formatCount, formatCycle, formatDuration, formatPercent } from './format.js';
import { lineStatus } from './line-status.js';
import { planFacts } from './target-format.js';

/** @import { LineView, StationView } from '../server/view-model.js' */
/** @import { Model } from './model.js' */

/** @type {Map<string, ReturnType<typeof createTile>>} */
const tileElements = new Map();

/** @param {string} label */
function metric(label) {
  const box = el('div', 'metric');
  const k = el('div', 'k', label);
  const v = el('div', 'v');
  box.append(k, v);
  return { box, k, v };
}

/**
 * @param {StationView} station
 * @param {(id: string) => void} onSelect
 */
function createTile(station, onSelect) {
  const root = el('article', 'tile');
  root.dataset.station = station.id;
  root.tabIndex = 0;
  const band = el('div', 'tile-band');
  const head = el('div', 'tile-head');
  const name = el('span', 'tile-name');
  const comms = el('span', 'tile-comms', 'NO COMMS');
  // The station that holds the line up now (docs/oee.md#constraint).
  const constraint = el('span', 'tile-constraint');
  head.append(name, constraint, comms);
  const product = el('div', 'tile-product');
  const order = el('div', 'tile-order');
  const state = el('div', 'tile-state');
  const since = el('div', 'tile-since');
  const reason = el('div', 'tile-reason');
  band.append(head, product, order, state, since, reason);
  const body = el('div', 'tile-body');
  const cycle = metric('Last cycle / ideal');
  const count = metric('Good / shift target');
  const behind = metric('Due by now');
  const oee = metric('OEE shift');
  body.append(cycle.box, count.box, behind.box, oee.box);
  root.append(band, body);
  root.addEventListener('click', () => onSelect(station.id));
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') onSelect(station.id);
  });
  return {
    root,
    band,
    name,
    product,
    order,
    comms,
    constraint,
    state,
    since,
    reason,
    cycle: cycle.v,
    count: count.v,
    countBox: count.box,
    countLabel: count.k,
    behind: behind.v,
    behindBox: behind.box,
    behindLabel: behind.k,
    oee: oee.v,
    sinceMs: 0,
  };
}

/**
 * @param {HTMLElement} node
 * @param {string} main
 * @param {string} [small]
 * @param {string} [className]
 */
function setValue(node, main, small, className) {
  node.textContent = main;
  if (small !== undefined) {
    const s = document.createElement('small');
    s.textContent = small;
    node.append(' ', s);
  }
  node.className = `v${className ? ` ${className}` : ''}`;
}

/**
 * "to Bracket B · target 20m" for a changeover under way.
 * @param {NonNullable<StationView['changeover']>} c
 */
function changeoverText(c) {
  const to = c.to !== undefined ? `to ${c.to.name}` : 'under way';
  return c.targetMs !== undefined ? `${to} · target ${formatDuration(c.targetMs)}` : to;
}

/**
 * Creates, updates and orders the tiles of the line on screen; returns nothing.
 * @param {HTMLElement} container
 * @param {Model} model
 * @param {readonly string[]} order the line's stations, in line order
 * @param {string | null} selected
 * @param {(id: string) => void} onSelect
 */
export function renderTiles(container, model, order, selected, onSelect) {
  // More than five tiles do not fit one row of a TV at full size.
  container.classList.toggle('compact', order.length > 5);
  // A line's running order is counted at its output station: that tile names it.
  /** @type {Map<string, string>} */
  const orderAt = new Map();
  for (const line of model.lines.values()) if (line.order !== undefined) orderAt.set(line.outputStation, line.order.id);
  for (const id of [...tileElements.keys()]) {
    // Gone from the config, or on another line than the one on screen.
    if (!model.stations.has(id) || !order.includes(id)) {
      tileElements.get(id)?.root.remove();
      tileElements.delete(id);
    }
  }
  order.forEach((id, index) => {
    const station = model.stations.get(id);
    if (station === undefined) return;
    let t = tileElements.get(id);
    if (t === undefined) {
      t = createTile(station, onSelect);
      tileElements.set(id, t);
    }
    if (container.children[index] !== t.root) container.insertBefore(t.root, container.children[index] ?? null);
    t.root.dataset.state = station.state;
    t.root.classList.toggle('selected', id === selected);
    t.band.className = `tile-band state-${station.changeover !== undefined ? 'changeover' : station.state}`;
    t.name.textContent = station.name;
    t.product.textContent = station.product?.name ?? '';
    t.product.hidden = station.product === undefined;
    const orderId = orderAt.get(id);
    t.order.textContent = orderId !== undefined ? `Order ${orderId}` : '';
    t.order.hidden = orderId === undefined;
    t.comms.hidden = station.commsOk;
    t.state.textContent =
      station.changeover !== undefined ? 'Changeover' : (STATE_LABELS[station.state] ?? station.state);
    t.sinceMs = station.changeover?.start ?? station.since;
    const held = model.lines.get(station.line)?.constraint;
    const isConstraint = held?.station === id;
    t.root.classList.toggle('constraint', isConstraint);
    t.constraint.hidden = !isConstraint;
    t.constraint.textContent = held?.why === 'slowest' ? 'BOTTLENECK' : 'HOLDS THE LINE';
    t.constraint.title =
      held !== undefined && held.waiting.length > 0
        ? `Waiting for it: ${held.waiting.map((w) => model.stations.get(w)?.name ?? w).join(', ')}`
        : held?.why === 'slowest'
          ? 'Everyone runs; this station works longest per part over the last hour'
          : '';
    const reason = station.openDowntime?.reasonLabel ?? station.reasonLabel ?? '';
    const waiting = station.state === 'starved' || station.state === 'blocked' ? station.state : undefined;
    t.reason.textContent =
      station.changeover !== undefined
        ? changeoverText(station.changeover)
        : waiting !== undefined && station.waitingFor !== undefined
          ? waitingText(station.waitingFor, waiting)
          : station.state === 'down' && reason === 'Unassigned'
            ? 'Reason not assigned yet'
            : reason;
    const slow = station.lastCycleTimeMs !== undefined && station.lastCycleTimeMs > station.idealCycleTimeMs * 1.1;
    setValue(
      t.cycle,
      station.lastCycleTimeMs !== undefined ? formatCycle(station.lastCycleTimeMs) : '–',
      `/ ${formatCycle(station.idealCycleTimeMs)}`,
      slow ? 'slow' : '',
    );
    // Good parts, as the target and "behind by" count them (docs/oee.md).
    const plan = planFacts({
      good: station.counts.good,
      target: station.target,
      behindBy: station.behindBy,
      configured: model.lines.get(station.line)?.shift?.target !== undefined,
    });
    t.countLabel.textContent = plan.atIdealRate ? 'Good / target at ideal rate' : 'Good / shift target';
    setValue(t.count, plan.good, station.target !== undefined ? `/ ${formatCount(station.target)}` : undefined);
    t.behindLabel.textContent = plan.due !== '' ? plan.due : 'Due by now';
    setValue(t.behind, plan.verdict.text !== '' ? plan.verdict.text : '–', undefined, plan.verdict.cls);
    t.countBox.title = plan.sentence;
    t.behindBox.title = plan.sentence;
    const figures = (station.oee ?? station.rollingOee)?.figures;
    setValue(t.oee, formatPercent(figures?.oee), station.oee === undefined ? 'last hour' : undefined);
  });
}

/**
 * Updates every tile's "time in state" (called every second).
 * @param {number} nowMs
 */
export function tickTiles(nowMs) {
  for (const t of tileElements.values()) t.since.textContent = formatDuration(nowMs - t.sinceMs);
}

/**
 * @param {Model} model
 * @param {LineView | undefined} line
 */
export function renderOverview(model, line) {
  const figures = line?.oee?.figures ?? line?.rollingOee?.figures;
  const output = line === undefined ? undefined : model.stations.get(line.outputStation);
  const plan = planFacts({
    good: figures?.counts?.good ?? output?.counts?.good,
    target: line?.shift?.target ?? figures?.target ?? output?.target,
    behindBy: figures?.behindBy ?? output?.behindBy,
    // The core derives a target from the ideal cycle time when the shift sets none.
    configured: line?.shift?.target !== undefined,
  });
  $('ov-count').textContent = plan.good;
  $('ov-target').textContent = plan.target;
  $('ov-due').textContent = plan.due;
  const behind = $('ov-behind');
  behind.textContent = plan.verdict.text !== '' && plan.due !== '' ? `(${plan.verdict.text})` : plan.verdict.text;
  behind.className = `ov-behind ${plan.verdict.cls}`;
  $('ov-output').title = plan.sentence;

  renderLineStatus(model, line);

  const flow = $('flow');
  const ids = line?.stationIds ?? [];
  while (flow.children.length > ids.length) flow.lastElementChild?.remove();
  ids.forEach((id, i) => {
    let li = flow.children[i];
    if (li === undefined) {
      li = el('li');
      li.append(el('span', 'chip'));
      flow.append(li);
    }
    const station = model.stations.get(id);
    const chip = li.firstElementChild;
    // Every item is made above with its chip as its only child.
    if (!(chip instanceof HTMLElement)) return;
    const isOutput = id === line?.outputStation;
    chip.textContent = station?.name ?? id;
    chip.className = `chip state-${station?.state ?? 'comms_lost'}${isOutput ? ' output' : ''}`;
    chip.title = `${station?.name ?? id}: ${station === undefined ? '' : (STATE_LABELS[station.state] ?? '')}${isOutput ? ' (line output)' : ''}`;
  });
  return figures;
}

/**
 * One sentence a manager reads from across the hall (line-status.js).
 * @param {Model} model
 * @param {LineView | undefined} line
 */
function renderLineStatus(model, line) {
  const node = $('ov-status');
  const stations = (line?.stationIds ?? []).map((id) => model.stations.get(id)).filter((s) => s !== undefined);
  const { cls, text, sub } = lineStatus(stations, line?.plannedStop);
  node.className = `ov-status ${cls}`;
  node.replaceChildren(text, el('span', 'sub', sub));
}
