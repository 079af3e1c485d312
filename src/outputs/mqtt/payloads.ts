/**
 * JSON payloads of the Unified Namespace (pure). Each keeps the contract fields of
 * docs/architecture.md#mqtt and adds, on every event topic:
 * - `eventId`: the core's event id, unique and stable across replays: the deduplication key;
 * - `seq`: the per-station (per-line for line OEE) sequence number, for ordering;
 * - `ts`: the event's original wall time as ISO-8601 UTC (a replayed backlog keeps it).
 * On state, cycle and OEE `id` is the event id too. On downtime and alert, `id` is the contract's
 * downtime / alert id (stable over a downtime's started/updated/ended), so dedupe on `eventId`.
 * All times are ISO-8601 UTC strings; durations are whole milliseconds with Ms in the name
 * (the core's own are fractional: monotonic clock readings apportioned over parts).
 */
import type {
  AlertEvent,
  ChangeoverEvent,
  CoreEvent,
  CounterEvent,
  CycleEvent,
  DowntimeEvent,
  LedgerEvent,
  OeeEvent,
  OeeFigures,
  OrderEvent,
  ProductEvent,
  ScrapEvent,
  StateEvent,
} from '../../core/events.js';
import type { Sample } from '../../core/sample.js';

/** ISO-8601 UTC, or null for a timestamp that is not a valid time (never throws). */
export function isoTime(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A duration as whole milliseconds. */
function wholeMs(ms: number): number {
  return Math.round(ms);
}

function head(event: CoreEvent): { eventId: string; seq: number; ts: string | null } {
  return { eventId: event.id, seq: event.seq, ts: isoTime(event.ts) };
}

function statePayload(e: StateEvent): object {
  return {
    id: e.id,
    ...head(e),
    state: e.state,
    since: isoTime(e.since),
    ...(e.reason === undefined ? {} : { reason: e.reason }),
    previous: e.previous,
  };
}

function cyclePayload(e: CycleEvent): object {
  return {
    id: e.id,
    ...head(e),
    ...(e.cycleTimeMs === undefined ? {} : { cycleTimeMs: wholeMs(e.cycleTimeMs) }),
    good: e.good,
    ...(e.shift === undefined ? {} : { shift: e.shift }),
    ...(e.product === undefined ? {} : { product: e.product }),
    ...(e.scrapReason === undefined ? {} : { scrapReason: e.scrapReason }),
    ...(e.startup === undefined ? {} : { startup: e.startup }),
  };
}

function downtimePayload(e: DowntimeEvent): object {
  return {
    id: e.downtimeId,
    ...head(e),
    phase: e.phase,
    start: isoTime(e.start),
    ...(e.end === undefined ? {} : { end: isoTime(e.end) }),
    ...(e.durationMs === undefined ? {} : { durationMs: wholeMs(e.durationMs) }),
    reason: e.reason,
    category: e.category,
    ...(e.faultCode === undefined ? {} : { faultCode: e.faultCode }),
    ...(e.assignedBy === undefined ? {} : { assignedBy: e.assignedBy }),
  };
}

function oeePayload(e: OeeEvent): object {
  const f = e.figures;
  return {
    id: e.id,
    ...head(e),
    shift: e.window.shift ?? null,
    availability: f.availability,
    performance: f.performance,
    quality: f.quality,
    oee: f.oee,
    counts: f.counts,
    ...(f.rejects === undefined ? {} : { rejects: f.rejects }),
    window: { kind: e.window.kind, start: isoTime(e.window.start), end: isoTime(e.window.end) },
    final: e.final,
    runTimeMs: wholeMs(f.runTimeMs),
    plannedTimeMs: wholeMs(f.plannedTimeMs),
    downtimeMs: wholeMs(f.downtimeMs),
    ...(f.target === undefined ? {} : { target: f.target }),
    ...(f.behindBy === undefined ? {} : { behindBy: f.behindBy }),
  };
}

function alertPayload(e: AlertEvent): object {
  return {
    id: e.alertId,
    ...head(e),
    kind: e.kind,
    severity: e.severity,
    status: e.status,
    evidence: e.evidence,
    ...(e.predictedFailureAt === undefined ? {} : { predictedFailureAt: isoTime(e.predictedFailureAt) }),
    ...(e.acknowledgedBy === undefined ? {} : { acknowledgedBy: e.acknowledgedBy }),
  };
}

export function eventPayloadObject(event: CoreEvent): object {
  switch (event.type) {
    case 'state':
      return statePayload(event);
    case 'cycle':
      return cyclePayload(event);
    case 'downtime':
      return downtimePayload(event);
    case 'oee':
      return oeePayload(event);
    case 'alert':
      return alertPayload(event);
    case 'counter':
      return counterPayload(event);
    case 'product':
      return productPayload(event);
    case 'changeover':
      return changeoverPayload(event);
    case 'order':
      return orderPayload(event);
    case 'scrap':
      return scrapPayload(event);
    case 'ledger':
      return ledgerPayload(event);
  }
}

/**
 * The line's shift ledger (docs/mqtt.md#ledger-retained-line): whole ms that add up
 * (plannedMs = runMs + downMs + starvedMs + blockedMs exactly, after rounding), so a consumer sums
 * lines and shifts without rounding drift. `line` is the output station's, like the line's OEE.
 */
function ledgerPayload(e: LedgerEvent): object {
  const output = e.stations.find((s) => s.station === e.outputStation);
  return {
    id: e.id,
    ...head(e),
    agentId: e.agentId,
    shift: e.window.shift,
    start: isoTime(e.window.start),
    end: isoTime(e.window.end),
    final: e.final,
    outputStation: e.outputStation,
    line: output === undefined ? null : ledgerFigures(output.figures, false),
    stations: e.stations.map((s) => ({ station: s.station, ...ledgerFigures(s.figures, true) })),
  };
}

/** Reasons computeFigures adds to downtimeByReason for the Pareto; the ledger has their own fields. */
const WAIT_KEYS = new Set(['starved', 'blocked']);

function ledgerFigures(f: OeeFigures, withWaits: boolean): object {
  const runMs = wholeMs(f.runTimeMs);
  const downMs = wholeMs(f.downtimeMs);
  const starvedMs = wholeMs(f.starvedMs);
  const blockedMs = wholeMs(f.blockedMs);
  const downByReason: Record<string, number> = {};
  for (const [reason, ms] of Object.entries(f.downtimeByReason))
    if (!WAIT_KEYS.has(reason) && ms > 0) downByReason[reason] = wholeMs(ms);
  return {
    plannedMs: runMs + downMs + starvedMs + blockedMs,
    runMs,
    smallStopMs: wholeMs(f.smallStopMs),
    downMs,
    downByReason,
    starvedMs,
    blockedMs,
    plannedStopMs: wholeMs(f.plannedStopMs),
    commsLostMs: wholeMs(f.commsLostMs),
    idealMs: wholeMs(f.idealMs),
    total: f.counts.total,
    good: f.counts.good,
    reject: f.counts.reject,
    ...(f.target === undefined ? {} : { target: f.target }),
    ...(f.behindBy === undefined ? {} : { behindBy: f.behindBy }),
    ...(withWaits && f.waits !== undefined && f.waits.length > 0
      ? { waits: f.waits.map((w) => ({ ...w, ms: wholeMs(w.ms) })) }
      : {}),
  };
}

function scrapPayload(e: ScrapEvent): object {
  return {
    id: e.id,
    ...head(e),
    reason: e.reason,
    count: e.count,
    ...(e.shift === undefined ? {} : { shift: e.shift }),
    ...(e.by === undefined ? {} : { by: e.by }),
  };
}

/** `id` is the order's id (the same on every event of the order); retained on the line's `order` topic. */
function orderPayload(e: OrderEvent): object {
  const f = e.forecast;
  return {
    id: e.orderId,
    ...head(e),
    phase: e.phase,
    product: e.product ?? null,
    quantity: e.quantity,
    ...(e.due === undefined ? {} : { due: isoTime(e.due) }),
    good: e.good,
    reject: e.reject,
    remaining: e.remaining,
    start: isoTime(e.start),
    ...(e.end === undefined ? {} : { end: isoTime(e.end) }),
    ...(f === undefined
      ? {}
      : {
          forecast: {
            eta: isoTime(f.eta),
            paceMs: wholeMs(f.paceMs),
            basis: f.basis,
            ...(f.finishesThisShift === undefined ? {} : { finishesThisShift: f.finishesThisShift }),
            ...(f.onTime === undefined ? {} : { onTime: f.onTime }),
          },
        }),
    ...(e.by === undefined ? {} : { by: e.by }),
  };
}

/** `id` is the changeover's (its started event's id), the same on started and ended. */
function changeoverPayload(e: ChangeoverEvent): object {
  return {
    id: e.changeoverId,
    ...head(e),
    phase: e.phase,
    from: e.from ?? null,
    to: e.to ?? null,
    start: isoTime(e.start),
    ...(e.end === undefined ? {} : { end: isoTime(e.end) }),
    ...(e.durationMs === undefined ? {} : { durationMs: wholeMs(e.durationMs) }),
    ...(e.targetMs === undefined ? {} : { targetMs: wholeMs(e.targetMs) }),
    planned: e.planned,
    trigger: e.trigger,
  };
}

/** Retained: `product` is null while none runs, so a late subscriber reads "none", not nothing. */
function productPayload(e: ProductEvent): object {
  return {
    id: e.id,
    ...head(e),
    product: e.product ?? null,
    previous: e.previous ?? null,
    source: e.source,
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.by === undefined ? {} : { by: e.by }),
  };
}

function counterPayload(e: CounterEvent): object {
  return {
    id: e.id,
    ...head(e),
    kind: e.kind,
    role: e.role,
    tag: e.tag,
    previous: e.previous,
    value: e.value,
    counted: e.counted,
    elapsedMs: wholeMs(e.elapsedMs),
    plausibleMax: e.plausibleMax,
  };
}

export function eventPayload(event: CoreEvent): string {
  return JSON.stringify(eventPayloadObject(event));
}

/** The last sample time and its ISO text: the values of one poll share their time. */
let lastSampleMs = Number.NaN;
let lastSampleIso: string | null = null;

/**
 * `{"value":...,"ts":"..."}`, written out rather than through JSON.stringify of a new object:
 * this runs for every tag value published (2,000 a second on Node-RED's own benchmark job).
 */
export function samplePayload(sample: Sample): string {
  const v = sample.value;
  const value =
    typeof v === 'number'
      ? Number.isFinite(v)
        ? String(v)
        : 'null'
      : typeof v === 'string'
        ? JSON.stringify(v)
        : String(v);
  if (sample.ts !== lastSampleMs) {
    lastSampleMs = sample.ts;
    lastSampleIso = isoTime(sample.ts);
  }
  return `{"value":${value},"ts":${lastSampleIso === null ? 'null' : `"${lastSampleIso}"`}}`;
}
