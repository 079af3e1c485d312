/**
 * The one adapter from the core's live snapshot (and from history records and events) to the
 * dashboard's view model. Pure functions; labels come from the config's reason list.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { AlertEvent, DowntimeEvent } from '../core/events.js';
import type { AlertRecord, DowntimeRecord } from '../outputs/history/types.js';
import type { DeviceHealth } from '../sources/source.js';
import type { LiveLineSnapshot, LiveStationSnapshot } from './deps.js';
import type {
  AlertView,
  DeviceView,
  DowntimeView,
  LineView,
  ProductView,
  ReasonView,
  ScrapReasonView,
  StationView,
} from './view-model.js';

export interface ViewContext {
  readonly reasons: ReadonlyMap<string, ReasonView>;
  readonly products: ReadonlyMap<string, ProductView>;
  readonly scrapReasons: readonly ScrapReasonView[];
  /** Devices each station reads, from its signals and condition tags. */
  readonly stationDevices: ReadonlyMap<string, readonly string[]>;
  readonly stationLine: ReadonlyMap<string, string>;
  /** Display names of the stations (their ids when unnamed). */
  readonly stationNames: ReadonlyMap<string, string>;
}

/** Labels of the pseudo-reasons the core uses besides the configured ones (docs/oee.md). */
const BUILTIN_LABELS: Readonly<Record<string, string>> = {
  unassigned: 'Unassigned',
  changeover: 'Changeover',
  starved: 'Starved (waiting for parts)',
  blocked: 'Blocked (output full)',
  plc_planned_stop: 'Planned stop (PLC)',
};

export function viewContext(config: Readonly<LinesideConfig>): ViewContext {
  const reasons = new Map<string, ReasonView>();
  for (const r of config.reasons) reasons.set(r.id, { id: r.id, label: r.label, category: r.category });
  const products = new Map<string, ProductView>(config.products.map((p) => [p.id, { id: p.id, name: p.name ?? p.id }]));
  const scrapReasons = config.scrapReasons.map((r) => ({ id: r.id, label: r.label }));
  const stationDevices = new Map<string, string[]>();
  const stationLine = new Map<string, string>();
  const stationNames = new Map<string, string>();
  for (const line of config.lines) {
    for (const st of line.stations) {
      stationLine.set(st.id, line.id);
      stationNames.set(st.id, st.name ?? st.id);
      const tags = [...Object.values(st.signals), ...st.conditions.map((c) => c.tag)].filter(
        (t): t is string => typeof t === 'string',
      );
      const devices = [...new Set(tags.map((t) => t.split('.')[0] ?? t))];
      stationDevices.set(st.id, devices);
    }
  }
  return { reasons, products, scrapReasons, stationDevices, stationLine, stationNames };
}

function productOf(id: string, ctx: ViewContext): ProductView {
  return ctx.products.get(id) ?? { id, name: id };
}

function productView(id: string | undefined, ctx: ViewContext): { product?: ProductView } {
  return id === undefined ? {} : { product: productOf(id, ctx) };
}

function changeoverView(s: LiveStationSnapshot, ctx: ViewContext): Pick<StationView, 'changeover'> {
  const c = s.changeover;
  if (c === undefined) return {};
  return {
    changeover: {
      start: c.start,
      ...(c.from !== undefined ? { from: productOf(c.from, ctx) } : {}),
      ...(c.to !== undefined ? { to: productOf(c.to, ctx) } : {}),
      ...(c.targetMs !== undefined ? { targetMs: c.targetMs } : {}),
    },
  };
}

export function reasonLabel(id: string, ctx: ViewContext): string {
  return ctx.reasons.get(id)?.label ?? BUILTIN_LABELS[id] ?? id;
}

export function stationView(s: LiveStationSnapshot, ctx: ViewContext): StationView {
  const d = s.openDowntime;
  return {
    id: s.id,
    name: s.name,
    line: s.line,
    state: s.state,
    since: s.since,
    ...(s.reason !== undefined ? { reason: s.reason, reasonLabel: reasonLabel(s.reason, ctx) } : {}),
    commsOk: s.commsOk,
    idealCycleTimeMs: s.idealCycleTimeMs,
    ...productView(s.product, ctx),
    ...(s.lastCycleTimeMs !== undefined ? { lastCycleTimeMs: s.lastCycleTimeMs } : {}),
    ...(s.lastCycleAt !== undefined ? { lastCycleAt: s.lastCycleAt } : {}),
    counts: s.counts,
    ...(s.target !== undefined ? { target: s.target } : {}),
    ...(s.behindBy !== undefined ? { behindBy: s.behindBy } : {}),
    ...(s.oee.shift !== undefined ? { oee: s.oee.shift } : {}),
    rollingOee: s.oee.rolling,
    ...(d !== undefined
      ? {
          openDowntime: {
            id: d.downtimeId,
            start: d.start,
            reason: d.reason,
            reasonLabel: reasonLabel(d.reason, ctx),
            category: d.category,
            ...(d.faultCode !== undefined ? { faultCode: d.faultCode } : {}),
          },
        }
      : {}),
    ...changeoverView(s, ctx),
    devices: ctx.stationDevices.get(s.id) ?? [],
    ...waitingForView(s, ctx),
  };
}

function waitingForView(s: LiveStationSnapshot, ctx: ViewContext): Pick<StationView, 'waitingFor'> {
  const w = s.waitingFor;
  if (w === undefined) return {};
  const name = w.cause !== undefined ? ctx.stationNames.get(w.cause) : undefined;
  return {
    waitingFor: {
      ...(w.cause !== undefined ? { cause: w.cause, causeName: name ?? w.cause } : {}),
      state: w.state,
      ...(w.reason !== undefined ? { reason: w.reason, reasonLabel: reasonLabel(w.reason, ctx) } : {}),
    },
  };
}

function constraintView(l: LiveLineSnapshot, ctx: ViewContext): Pick<LineView, 'constraint'> {
  const c = l.constraint;
  if (c === undefined) return {};
  return {
    constraint: {
      station: c.station,
      stationName: ctx.stationNames.get(c.station) ?? c.station,
      why: c.why,
      ...(c.reason !== undefined ? { reason: c.reason, reasonLabel: reasonLabel(c.reason, ctx) } : {}),
      ...(c.since !== undefined ? { since: c.since } : {}),
      waiting: c.waiting,
    },
  };
}

export function lineView(l: LiveLineSnapshot, ctx: ViewContext): LineView {
  return {
    id: l.id,
    name: l.name,
    outputStation: l.outputStation,
    stationIds: l.stations.map((s) => s.id),
    ...productView(l.stations.find((s) => s.id === l.outputStation)?.product, ctx),
    ...(l.shift !== undefined
      ? {
          shift: {
            name: l.shift.name,
            start: l.shift.start,
            end: l.shift.end,
            ...(l.shift.target !== undefined ? { target: l.shift.target } : {}),
          },
        }
      : {}),
    ...(l.plannedStop !== undefined ? { plannedStop: l.plannedStop } : {}),
    ...(l.order !== undefined ? { order: l.order } : {}),
    ...(l.oee.shift !== undefined ? { oee: l.oee.shift } : {}),
    rollingOee: l.oee.rolling,
    ...constraintView(l, ctx),
  };
}

/** The adapter: the core's snapshot to the page's lines and tiles. */
export function adaptSnapshot(
  lines: readonly LiveLineSnapshot[],
  ctx: ViewContext,
): { lines: LineView[]; stations: StationView[] } {
  return {
    lines: lines.map((l) => lineView(l, ctx)),
    stations: lines.flatMap((l) => l.stations.map((s) => stationView(s, ctx))),
  };
}

export function downtimeFromRecord(r: DowntimeRecord, ctx: ViewContext): DowntimeView {
  return {
    id: r.id,
    line: r.line,
    station: r.station,
    start: r.start,
    ...(r.end !== undefined ? { end: r.end } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    reason: r.reason,
    reasonLabel: reasonLabel(r.reason, ctx),
    category: r.category,
    ...(r.faultCode !== undefined ? { faultCode: r.faultCode } : {}),
    ...(r.reasonBy !== undefined ? { reasonBy: r.reasonBy } : {}),
  };
}

export function downtimeFromEvent(e: DowntimeEvent, ctx: ViewContext): DowntimeView {
  return {
    id: e.downtimeId,
    line: e.line,
    station: e.station,
    start: e.start,
    ...(e.end !== undefined ? { end: e.end } : {}),
    ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
    reason: e.reason,
    reasonLabel: reasonLabel(e.reason, ctx),
    category: e.category,
    ...(e.faultCode !== undefined ? { faultCode: e.faultCode } : {}),
    ...(e.assignedBy?.user !== undefined ? { reasonBy: e.assignedBy.user } : {}),
  };
}

export function alertFromRecord(a: AlertRecord): AlertView {
  return {
    id: a.alertId,
    line: a.line,
    station: a.station,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    ts: a.ts,
    evidence: a.evidence,
    ...(a.predictedFailureAt !== undefined ? { predictedFailureAt: a.predictedFailureAt } : {}),
    ...(a.ackBy !== undefined ? { ackBy: a.ackBy } : {}),
  };
}

export function alertFromEvent(e: AlertEvent): AlertView {
  return {
    id: e.alertId,
    line: e.line,
    station: e.station,
    kind: e.kind,
    severity: e.severity,
    status: e.status,
    ts: e.ts,
    evidence: e.evidence,
    ...(e.predictedFailureAt !== undefined ? { predictedFailureAt: e.predictedFailureAt } : {}),
    ...(e.acknowledgedBy?.user !== undefined ? { ackBy: e.acknowledgedBy.user } : {}),
  };
}

export function deviceView(h: DeviceHealth): DeviceView {
  return {
    device: h.device,
    endpoint: h.endpoint,
    connected: h.connected,
    ...(h.lastError !== undefined ? { lastError: h.lastError } : {}),
    ...(h.lastErrorAt !== undefined ? { lastErrorAt: h.lastErrorAt } : {}),
    requests: h.requests,
    errors: h.errors,
    ...(h.latencyP50Ms !== undefined ? { latencyP50Ms: h.latencyP50Ms } : {}),
    ...(h.latencyP99Ms !== undefined ? { latencyP99Ms: h.latencyP99Ms } : {}),
  };
}
