/**
 * Lineside's InfluxDB measurement schema (docs/influxdb.md is the reader's version of this file;
 * change both together). Every field has one type forever: InfluxDB 1.x fixes a field's type per
 * shard on first write and rejects later points of another type (HTTP 400, "field type
 * conflict"), so numbers that may be fractional are always floats and counters always integers.
 *
 * Tags are low-cardinality only: site, line, station, tag. Ids, values, reasons and states are
 * fields, because
 * - a downtime's reason can be reassigned by an operator after it ended; as a tag the corrected
 *   point would land in another series and the old one would stay (double-counted Pareto);
 * - a state is the *value* a state timeline draws, not a series key.
 */
import type { FieldType, ISchemaOptions } from 'influx';
import type { StationState } from '../../core/events.js';

export const MEASUREMENTS = {
  /** One point per completed cycle. */
  cycle: 'cycle',
  /** One point per state interval start (the timeline's change points). */
  state: 'state',
  /** One point per downtime, at its start; overwritten as it ends or its reason changes. */
  downtime: 'downtime',
  /** One point per station (and line) per shift, at the shift start; overwritten by each snapshot. */
  oee: 'oee',
  /** Rolling last-hour OEE snapshots, one point each. */
  oeeRolling: 'oee_rolling',
  /** Predictive alert raised / updated / acknowledged / resolved, one point each. */
  alert: 'alert',
  /** One point per product change of a station. */
  product: 'product',
  /** One point per changeover, at its start; overwritten when it ends. */
  changeover: 'changeover',
  /**
   * One point per order event of a line (started, progress, stopped, completed...). Not "order":
   * that is an InfluxQL keyword, and every query would have to quote it.
   */
  order: 'production_order',
  /** One point per operator scrap entry (good parts found bad afterwards). */
  scrap: 'scrap',
  /** Raw values of the station condition tags (vibration, temperature, current, ...). */
  condition: 'condition',
  /** Raw values of every other tag. */
  sample: 'sample',
} as const;

export type MeasurementName = (typeof MEASUREMENTS)[keyof typeof MEASUREMENTS];

/** Numeric state codes, for panels that need numbers (value mappings in deploy/grafana). */
export const STATE_CODES: Readonly<Record<StationState, number>> = {
  running: 1,
  small_stop: 2,
  down: 3,
  planned_stop: 4,
  starved: 5,
  blocked: 6,
  comms_lost: 7,
};

export const SEVERITY_CODES = { info: 1, warning: 2, critical: 3 } as const;

// node-influx's FieldType values, written out so that this module does not load node-influx: an
// agent without InfluxDB never does (client.ts requires it on first use).
const F = 0 as FieldType.FLOAT;
const I = 1 as FieldType.INTEGER;
const S = 2 as FieldType.STRING;
const B = 3 as FieldType.BOOLEAN;

const OEE_FIGURES = {
  availability: F,
  performance: F,
  quality: F,
  oee: F,
  total_count: I,
  good_count: I,
  reject_count: I,
  run_time_ms: F,
  planned_time_ms: F,
  downtime_ms: F,
  small_stop_ms: F,
  comms_lost_ms: F,
  target: F,
  behind_by: F,
  mtbf_ms: F,
  mttr_ms: F,
  window_start_ms: I,
  window_end_ms: I,
  seq: I,
} as const;

const STATION_TAGS = ['site', 'line', 'station'];

/**
 * Field types per measurement, handed to node-influx so it writes integers with the `i` suffix
 * and refuses fields that are not in this list (a typo fails in tests, not in a customer's
 * database).
 */
export const FIELD_TYPES: Readonly<Record<MeasurementName, Readonly<Record<string, FieldType>>>> = {
  cycle: {
    cycle_time_ms: F,
    ideal_cycle_time_ms: F,
    good: B,
    seq: I,
    shift: S,
    product: S,
    scrap_reason: S,
    startup: B,
  },
  state: { state: S, code: I, previous: S, reason: S, seq: I, detected_ms: I },
  downtime: { reason: S, category: S, duration_ms: F, end_ms: I, open: B, fault_code: I, downtime_id: S, seq: I },
  oee: {
    ...OEE_FIGURES,
    shift: S,
    final: B,
    snapshot_ms: I,
    startup_reject_count: I,
    production_reject_count: I,
    rejects_by_reason: S,
  },
  oee_rolling: OEE_FIGURES,
  alert: {
    alert_id: S,
    kind: S,
    severity: S,
    severity_code: I,
    status: S,
    evidence: S,
    predicted_failure_ms: I,
    seq: I,
  },
  product: { product: S, previous: S, source: S, code: S, by_user: S, seq: I },
  changeover: {
    changeover_id: S,
    from_product: S,
    to_product: S,
    open: B,
    duration_ms: F,
    end_ms: I,
    target_ms: F,
    planned: B,
    trigger: S,
    seq: I,
  },
  production_order: {
    order_id: S,
    phase: S,
    product: S,
    quantity: I,
    good: I,
    reject: I,
    remaining: I,
    start_ms: I,
    end_ms: I,
    due_ms: I,
    eta_ms: I,
    pace_ms: F,
    eta_basis: S,
    finishes_this_shift: B,
    on_time: B,
    by_user: S,
    seq: I,
  },
  scrap: { reason: S, count: I, shift: S, by_user: S, seq: I },
  condition: { value: F },
  sample: { value: F, flag: B, text: S },
};

export const TAG_KEYS: Readonly<Record<MeasurementName, readonly string[]>> = {
  cycle: STATION_TAGS,
  state: STATION_TAGS,
  downtime: STATION_TAGS,
  oee: STATION_TAGS,
  oee_rolling: STATION_TAGS,
  alert: STATION_TAGS,
  product: STATION_TAGS,
  changeover: STATION_TAGS,
  production_order: ['site', 'line'],
  scrap: STATION_TAGS,
  condition: [...STATION_TAGS, 'tag'],
  sample: [...STATION_TAGS, 'tag'],
};

/** node-influx schema options for one database. */
export function influxSchemas(database: string): ISchemaOptions[] {
  return (Object.keys(FIELD_TYPES) as MeasurementName[]).map((measurement) => ({
    database,
    measurement,
    fields: { ...FIELD_TYPES[measurement] },
    tags: [...TAG_KEYS[measurement]],
  }));
}
