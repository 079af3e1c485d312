/**
 * Spool rows -> InfluxDB points (pure). The schema is in ./schema.ts and docs/influxdb.md.
 *
 * Point times and why (InfluxDB overwrites a point with the same measurement, tag set and time,
 * which makes a replayed batch idempotent but would also collapse two distinct records):
 * - Written with precision "u" (microseconds). Records that must never collapse (cycles, rolling
 *   OEE, alerts) put `seq % 1000` into the sub-millisecond digits: two cycles completing in the
 *   same millisecond on one station (several cycles counted in one poll) stay two points, and a
 *   replay gives the same time again because seq is stable. The displayed time moves by < 1 ms.
 * - Records that are *meant* to be overwritten sit on a whole millisecond: a state interval at its
 *   start (`since`: a small stop that turns into downtime is re-emitted with the same start and
 *   replaces the small stop), a downtime at its start (started -> ended -> reason reassigned),
 *   and a shift's OEE at the shift start (each snapshot replaces the previous one, the final one
 *   stays). Such points always carry their full field set, so an overwrite never leaves a stale
 *   field behind.
 * - Raw samples sit on their read time; two reads of one tag in the same millisecond are the same
 *   reading.
 */
import type { LinesideConfig } from '../../config/schema.js';
import { productIdealsAt } from '../../config/schema-products.js';
import type {
  AlertEvent,
  ChangeoverEvent,
  CoreEvent,
  CycleEvent,
  DowntimeEvent,
  OeeEvent,
  OrderEvent,
  ProductEvent,
  StateEvent,
} from '../../core/events.js';
import { encodeLine, type FieldValue } from './line-protocol.js';
import { MEASUREMENTS, SEVERITY_CODES, STATE_CODES, type MeasurementName } from './schema.js';

export type { FieldValue } from './line-protocol.js';

export interface InfluxPoint {
  readonly measurement: MeasurementName;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Microseconds since the epoch, as a decimal string (precision "u"). */
  readonly timestamp: string;
  /** The spool row it came from (for logs about poisoned points). */
  readonly spoolId: number;
}

/** What the point builder needs from the config, precomputed once. */
export interface PointContext {
  readonly site: string;
  readonly writeSamples: boolean;
  /** "<line>/<station>" -> ideal cycle time, ms; "<line>/<station>/<product>" where a product sets its own. */
  readonly idealCycleMs: ReadonlyMap<string, number>;
  /** Tag id -> the station that uses it (first one in config order). */
  readonly tagStation: ReadonlyMap<string, { readonly line: string; readonly station: string }>;
  /** Tag ids listed as a station condition signal. */
  readonly conditionTags: ReadonlySet<string>;
}

/** Why a row produced no point. */
export type SkipReason = 'not-written' | 'bad-time' | 'bad-value';

export type RowResult = { readonly point: InfluxPoint } | { readonly skipped: SkipReason };

/** InfluxDB 1.x refuses string fields over 64 KiB; evidence and text values are cut well below. */
export const MAX_STRING_CHARS = 4_096;
/** Earliest time we accept: a Pi without RTC boots near 1970 until NTP syncs; such rows are skipped. */
const MIN_VALID_MS = Date.UTC(2000, 0, 1);

export function buildPointContext(config: Readonly<LinesideConfig>): PointContext {
  const idealCycleMs = new Map<string, number>();
  const tagStation = new Map<string, { line: string; station: string }>();
  const conditionTags = new Set<string>();
  for (const line of config.lines) {
    for (const station of line.stations) {
      idealCycleMs.set(`${line.id}/${station.id}`, station.idealCycleTime);
      for (const [product, ideal] of productIdealsAt(config.products, station.id))
        idealCycleMs.set(`${line.id}/${station.id}/${product}`, ideal);
      const where = { line: line.id, station: station.id };
      for (const tag of Object.values(station.signals))
        if (tag !== undefined && !tagStation.has(tag)) tagStation.set(tag, where);
      for (const condition of station.conditions) {
        conditionTags.add(condition.tag);
        if (!tagStation.has(condition.tag)) tagStation.set(condition.tag, where);
      }
    }
  }
  return { site: config.site.site, writeSamples: config.influx.writeSamples, idealCycleMs, tagStation, conditionTags };
}

/** Microsecond timestamp string from wall ms plus a sub-millisecond offset, or undefined when unusable. */
export function microTime(wallMs: number, subMs = 0): string | undefined {
  if (!Number.isFinite(wallMs) || wallMs < MIN_VALID_MS) return undefined;
  return String(Math.floor(wallMs) * 1000 + (subMs % 1000));
}

export function eventPoint(event: CoreEvent, spoolId: number, ctx: PointContext): RowResult {
  switch (event.type) {
    case 'cycle':
      return cyclePoint(event, spoolId, ctx);
    case 'state':
      return statePoint(event, spoolId, ctx);
    case 'downtime':
      return downtimePoint(event, spoolId, ctx);
    case 'oee':
      return oeePoint(event, spoolId, ctx);
    case 'alert':
      return alertPoint(event, spoolId, ctx);
    case 'product':
      return productPoint(event, spoolId, ctx);
    case 'changeover':
      return changeoverPoint(event, spoolId, ctx);
    case 'order':
      return orderPoint(event, spoolId, ctx);
    case 'scrap':
      return point(
        MEASUREMENTS.scrap,
        stationTags(ctx, event.line, event.station),
        {
          reason: event.reason,
          count: event.count,
          shift: event.shift ?? '',
          by_user: event.by?.user ?? '',
          seq: event.seq,
        },
        microTime(event.ts, event.seq),
        spoolId,
      );
    default:
      return { skipped: 'not-written' };
  }
}

function stationTags(ctx: PointContext, line: string, station: string | undefined): Record<string, string> {
  return station === undefined ? { site: ctx.site, line } : { site: ctx.site, line, station };
}

function point(
  measurement: MeasurementName,
  tags: Record<string, string>,
  fields: Record<string, FieldValue | undefined>,
  timestamp: string | undefined,
  spoolId: number,
): RowResult {
  if (timestamp === undefined) return { skipped: 'bad-time' };
  const clean: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue; // line protocol has no NaN/Inf
    clean[key] =
      typeof value === 'string' && value.length > MAX_STRING_CHARS ? value.slice(0, MAX_STRING_CHARS) : value;
  }
  if (Object.keys(clean).length === 0) return { skipped: 'bad-value' };
  return { point: { measurement, tags, fields: clean, timestamp, spoolId } };
}

function cyclePoint(e: CycleEvent, spoolId: number, ctx: PointContext): RowResult {
  const station = `${e.line}/${e.station}`;
  const ideal = e.product !== undefined ? ctx.idealCycleMs.get(`${station}/${e.product}`) : undefined;
  return point(
    MEASUREMENTS.cycle,
    stationTags(ctx, e.line, e.station),
    {
      cycle_time_ms: e.cycleTimeMs,
      ideal_cycle_time_ms: ideal ?? ctx.idealCycleMs.get(station),
      good: e.good,
      seq: e.seq,
      shift: e.shift ?? '',
      product: e.product,
      scrap_reason: e.scrapReason,
      startup: e.startup,
    },
    microTime(e.ts, e.seq),
    spoolId,
  );
}

/** At its start, on the whole millisecond: the ended event overwrites the started one. */
function changeoverPoint(e: ChangeoverEvent, spoolId: number, ctx: PointContext): RowResult {
  return point(
    MEASUREMENTS.changeover,
    stationTags(ctx, e.line, e.station),
    {
      changeover_id: e.changeoverId,
      from_product: e.from ?? '',
      to_product: e.to ?? '',
      ...spanFields(e),
      target_ms: e.targetMs ?? 0,
      planned: e.planned,
      trigger: e.trigger,
      seq: e.seq,
    },
    microTime(e.start),
    spoolId,
  );
}

/** One point per order event, at its time: a line's order history and progress (no station tag). */
function orderPoint(e: OrderEvent, spoolId: number, ctx: PointContext): RowResult {
  const f = e.forecast;
  return point(
    MEASUREMENTS.order,
    stationTags(ctx, e.line, undefined),
    {
      order_id: e.orderId,
      phase: e.phase,
      product: e.product ?? '',
      quantity: e.quantity,
      good: e.good,
      reject: e.reject,
      remaining: e.remaining,
      start_ms: Math.round(e.start),
      end_ms: e.end !== undefined ? Math.round(e.end) : undefined,
      due_ms: e.due !== undefined ? Math.round(e.due) : undefined,
      eta_ms: f?.eta !== undefined ? Math.round(f.eta) : undefined,
      pace_ms: f?.paceMs,
      eta_basis: f?.basis,
      finishes_this_shift: f?.finishesThisShift,
      on_time: f?.onTime,
      by_user: e.by?.user ?? '',
      seq: e.seq,
    },
    microTime(e.ts, e.seq),
    spoolId,
  );
}

function productPoint(e: ProductEvent, spoolId: number, ctx: PointContext): RowResult {
  return point(
    MEASUREMENTS.product,
    stationTags(ctx, e.line, e.station),
    {
      product: e.product ?? '',
      previous: e.previous ?? '',
      source: e.source,
      code: e.code ?? '',
      by_user: e.by?.user ?? '',
      seq: e.seq,
    },
    microTime(e.ts, e.seq),
    spoolId,
  );
}

function statePoint(e: StateEvent, spoolId: number, ctx: PointContext): RowResult {
  return point(
    MEASUREMENTS.state,
    stationTags(ctx, e.line, e.station),
    {
      state: e.state,
      code: STATE_CODES[e.state] ?? 0,
      previous: e.previous,
      reason: e.reason ?? '',
      seq: e.seq,
      detected_ms: Math.round(e.ts),
    },
    microTime(e.since),
    spoolId,
  );
}

/**
 * Duration, end and open of a record written at its start and overwritten when it ends
 * (downtime, changeover): always the full set, so an overwrite leaves nothing stale.
 */
function spanFields(e: { start: number; end?: number; durationMs?: number }): Record<string, FieldValue> {
  if (e.end === undefined) return { duration_ms: 0, end_ms: 0, open: true };
  return { duration_ms: e.durationMs ?? e.end - e.start, end_ms: Math.round(e.end), open: false };
}

function downtimePoint(e: DowntimeEvent, spoolId: number, ctx: PointContext): RowResult {
  return point(
    MEASUREMENTS.downtime,
    stationTags(ctx, e.line, e.station),
    {
      reason: e.reason,
      category: e.category,
      ...spanFields(e),
      fault_code: e.faultCode ?? 0,
      downtime_id: e.downtimeId,
      seq: e.seq,
    },
    microTime(e.start),
    spoolId,
  );
}

function oeeFields(e: OeeEvent): Record<string, FieldValue | undefined> {
  const f = e.figures;
  return {
    availability: f.availability,
    performance: f.performance,
    quality: f.quality,
    oee: f.oee,
    total_count: f.counts.total,
    good_count: f.counts.good,
    reject_count: f.counts.reject,
    run_time_ms: f.runTimeMs,
    planned_time_ms: f.plannedTimeMs,
    downtime_ms: f.downtimeMs,
    small_stop_ms: f.smallStopMs,
    comms_lost_ms: f.commsLostMs,
    target: f.target,
    behind_by: f.behindBy,
    mtbf_ms: f.mtbfMs,
    mttr_ms: f.mttrMs,
    window_start_ms: Math.round(e.window.start),
    window_end_ms: Math.round(e.window.end),
    seq: e.seq,
  };
}

function oeePoint(e: OeeEvent, spoolId: number, ctx: PointContext): RowResult {
  const tags = stationTags(ctx, e.line, e.station);
  if (e.window.kind === 'rolling')
    return point(MEASUREMENTS.oeeRolling, tags, oeeFields(e), microTime(e.ts, e.seq), spoolId);
  return point(
    MEASUREMENTS.oee,
    tags,
    {
      ...oeeFields(e),
      shift: e.window.shift ?? '',
      final: e.final,
      snapshot_ms: Math.round(e.ts),
      startup_reject_count: e.figures.rejects?.startup,
      production_reject_count: e.figures.rejects?.production,
      rejects_by_reason: e.figures.rejects !== undefined ? JSON.stringify(e.figures.rejects.byReason) : undefined,
    },
    microTime(e.window.start),
    spoolId,
  );
}

function alertPoint(e: AlertEvent, spoolId: number, ctx: PointContext): RowResult {
  let evidence: string;
  try {
    evidence = JSON.stringify(e.evidence) ?? '{}';
  } catch {
    evidence = '{}'; // evidence with a cycle or a BigInt: the alert itself still matters
  }
  return point(
    MEASUREMENTS.alert,
    stationTags(ctx, e.line, e.station),
    {
      alert_id: e.alertId,
      kind: e.kind,
      severity: e.severity,
      severity_code: SEVERITY_CODES[e.severity] ?? 0,
      status: e.status,
      evidence,
      predicted_failure_ms: e.predictedFailureAt === undefined ? undefined : Math.round(e.predictedFailureAt),
      seq: e.seq,
    },
    microTime(e.ts, e.seq),
    spoolId,
  );
}

/** One point as line protocol (precision u), ready to send. */
export function encodePoint(p: InfluxPoint): string {
  return encodeLine(p.measurement, p.tags, p.fields, p.timestamp);
}
