// @ts-check
// The page's state: the server's snapshot, kept current by deltas. Everything is bounded so the
// page is as light after a week on a TV as after a minute: spans are merged once they would be
// narrower than a pixel, and lists are capped.

import { causesOf } from './causes.js';

/** @import { CauseItem } from './causes.js' */

/**
 * @import { AlertView, CycleBatch, DashboardView, DeltaView, DeviceView, DowntimeView, LineView,
 *   ProductView, ReasonView, ScrapReasonView, SpanChange, SpanView, StationView } from '../server/view-model.js'
 */

/**
 * A timeline span the page edits in place (the wire's SpanView is read-only).
 * @typedef {{ state: SpanView['state'], from: number, to?: number, reason?: string }} Span
 */

/**
 * @typedef {object} Model
 * @property {boolean} ready
 * @property {number} protocol
 * @property {number} seq
 * @property {number} skewMs Agent clock minus browser clock, ms: "now" is always the agent's now.
 * @property {string} timezone
 * @property {DashboardView['site'] | null} site
 * @property {readonly ReasonView[]} reasons
 * @property {readonly ProductView[]} products
 * @property {readonly ScrapReasonView[]} scrapReasons
 * @property {boolean} operatorEnabled
 * @property {DashboardView['window']} window
 * @property {Map<string, LineView>} lines
 * @property {Map<string, StationView>} stations
 * @property {Map<string, Span[]>} timeline station id -> spans
 * @property {Map<string, DowntimeView>} downtime
 * @property {Map<string, AlertView>} alerts
 * @property {readonly DeviceView[]} devices
 * @property {Map<string, CycleBatch[]>} cycleBatches Live cycle batches since the chart was loaded, per station.
 */

/** @typedef {'lines' | 'stations' | 'timeline' | 'cycles' | 'downtime' | 'alerts' | 'devices'} Change */

/**
 * One bar of the downtime Pareto.
 * @typedef {CauseItem} ParetoItem
 */

const MAX_SPANS_PER_STATION = 3000;
const MAX_DOWNTIME = 300;
const MAX_ALERTS = 200;

/** @returns {Model} */
export function createModel() {
  return {
    ready: false,
    protocol: 0,
    seq: 0,
    /** Agent clock minus browser clock, ms: "now" is always the agent's now. */
    skewMs: 0,
    timezone: 'UTC',
    site: null,
    reasons: [],
    products: [],
    scrapReasons: [],
    operatorEnabled: false,
    window: { from: 0, to: 0 },
    lines: new Map(),
    stations: new Map(),
    /** station id -> [{state, from, to?, reason?}] */
    timeline: new Map(),
    downtime: new Map(),
    alerts: new Map(),
    devices: [],
    /** Live cycle batches since the chart was loaded, per station. */
    cycleBatches: new Map(),
  };
}

/** @param {Model} model */
export function agentNow(model) {
  return Date.now() + model.skewMs;
}

/**
 * @param {Model} model
 * @param {DashboardView} data
 */
export function applySnapshot(model, data) {
  model.ready = true;
  model.protocol = data.protocol;
  model.seq = data.seq;
  model.skewMs = data.at - Date.now();
  model.timezone = data.timezone;
  model.site = data.site;
  model.reasons = data.reasons;
  model.products = data.products ?? [];
  // An agent from before scrap reasons sends none: the page then offers no scrap entry.
  model.scrapReasons = data.scrapReasons ?? [];
  model.operatorEnabled = data.operatorEnabled;
  model.window = data.window;
  model.lines = new Map(data.lines.map((l) => [l.id, l]));
  model.stations = new Map(data.stations.map((s) => [s.id, s]));
  model.timeline = new Map(Object.entries(data.timeline).map(([id, spans]) => [id, spans.map((s) => ({ ...s }))]));
  model.downtime = new Map(data.downtime.map((d) => [d.id, d]));
  model.alerts = new Map(data.alerts.map((a) => [a.id, a]));
  model.devices = data.devices;
  model.cycleBatches = new Map();
}

/**
 * Applies a delta. Returns what changed (for the renderer) and whether a resync is needed: a
 * gap in seq (a skipped delta) or a new shift (the timeline window moved).
 * @param {Model} model
 * @param {DeltaView} delta
 * @returns {{ changed: Set<Change>, resync: boolean }}
 */
export function applyDelta(model, delta) {
  /** @type {Set<Change>} */
  const changed = new Set();
  let resync = delta.seq !== model.seq + 1;
  model.seq = delta.seq;
  model.skewMs = delta.at - Date.now();
  for (const line of delta.lines ?? []) {
    const before = model.lines.get(line.id);
    if (before?.shift?.start !== line.shift?.start) resync = true;
    model.lines.set(line.id, line);
    changed.add('lines');
  }
  for (const station of delta.stations ?? []) {
    model.stations.set(station.id, station);
    changed.add('stations');
  }
  for (const change of delta.spans ?? []) {
    let spans = model.timeline.get(change.station);
    if (spans === undefined) model.timeline.set(change.station, (spans = []));
    applySpanChange(spans, change, model.window.from);
    if (spans.length > MAX_SPANS_PER_STATION) model.timeline.set(change.station, mergeNarrow(spans, model.window));
    changed.add('timeline');
  }
  for (const batch of delta.cycles ?? []) {
    let list = model.cycleBatches.get(batch.station);
    if (list === undefined) model.cycleBatches.set(batch.station, (list = []));
    list.push(batch);
    if (list.length > 2000) list.splice(0, list.length - 2000);
    changed.add('cycles');
  }
  for (const d of delta.downtime ?? []) {
    model.downtime.set(d.id, d);
    changed.add('downtime');
  }
  // Trim to 90 % so the sort runs once per many deltas, not on every one.
  if (model.downtime.size > MAX_DOWNTIME) trimOldest(model.downtime, Math.floor(MAX_DOWNTIME * 0.9), (d) => d.start);
  for (const a of delta.alerts ?? []) {
    model.alerts.set(a.id, a);
    changed.add('alerts');
  }
  if (model.alerts.size > MAX_ALERTS) trimOldest(model.alerts, Math.floor(MAX_ALERTS * 0.9), (a) => a.ts);
  if (delta.devices !== undefined) {
    model.devices = delta.devices;
    changed.add('devices');
  }
  return { changed, resync };
}

/**
 * A state from `since` on: later spans are superseded (a small stop that became downtime starts back then).
 * @param {Span[]} spans
 * @param {SpanChange} change
 * @param {number} windowFrom
 */
export function applySpanChange(spans, change, windowFrom) {
  const since = Math.max(change.since, windowFrom);
  while ((spans.at(-1)?.from ?? -Infinity) >= since) spans.pop();
  const last = spans[spans.length - 1];
  if (last !== undefined && (last.to === undefined || last.to > since)) last.to = since;
  if (last !== undefined && last.state === change.state && last.to === since && last.reason === change.reason) {
    delete last.to;
    return;
  }
  spans.push({ state: change.state, from: since, ...(change.reason !== undefined ? { reason: change.reason } : {}) });
}

/**
 * Merges spans narrower than a 1920th of the window into their longer neighbour's state.
 * @param {readonly Span[]} spans
 * @param {Model['window']} window
 */
function mergeNarrow(spans, window) {
  const minMs = Math.max(1, (window.to - window.from) / 1920);
  /** @type {Span[]} */
  const out = [];
  for (const span of spans) {
    const prev = out[out.length - 1];
    const length = (span.to ?? Infinity) - span.from;
    if (prev !== undefined && (length < minMs || prev.state === span.state)) {
      if (span.to === undefined) delete prev.to;
      else prev.to = span.to;
      continue;
    }
    out.push({ ...span });
  }
  return out;
}

/**
 * @template {{ readonly id: string }} T
 * @param {Map<string, T>} map
 * @param {number} keep
 * @param {(item: T) => number} timeOf
 */
function trimOldest(map, keep, timeOf) {
  const sorted = [...map.values()].sort((a, b) => timeOf(b) - timeOf(a));
  map.clear();
  for (const item of sorted.slice(0, keep)) map.set(item.id, item);
}

/**
 * Losses of a line's shift by cause (causes.js): each station's downtime by reason with the waits
 * it caused elsewhere, then waits from outside the line.
 * @param {Model} model
 * @param {readonly string[]} [stationIds] the line's stations in flow order; default: every station
 * @returns {ParetoItem[]}
 */
export function paretoOf(model, stationIds) {
  const stations = (stationIds?.map((id) => model.stations.get(id)) ?? [...model.stations.values()]).filter(
    (s) => s !== undefined,
  );
  return causesOf(stations, (reason) => reasonLabel(model, reason));
}

/** @type {Readonly<Record<string, string>>} */
const BUILTIN = { unassigned: 'Unassigned', changeover: 'Changeover', starved: 'Starved', blocked: 'Blocked' };

/**
 * @param {Model} model
 * @param {string} id
 */
export function reasonLabel(model, id) {
  return model.reasons.find((r) => r.id === id)?.label ?? BUILTIN[id] ?? id;
}
