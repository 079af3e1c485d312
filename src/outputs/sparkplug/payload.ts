/**
 * The Sparkplug B payload (sparkplug_b.proto, spec 6.4) as this edge node writes and reads it
 * (pure): Payload { timestamp = 1, metrics = 2, seq = 3 } and Metric { name = 1, alias = 2,
 * timestamp = 3, datatype = 4, is_historical = 5, is_null = 7, properties = 9, int_value = 10,
 * long_value = 11, float_value = 12, double_value = 13, boolean_value = 14, string_value = 15 };
 * PropertySet { keys = 1, values = 2 } and PropertyValue { type = 1, is_null = 2, int_value = 3,
 * long_value = 4, float_value = 5, double_value = 6, boolean_value = 7, string_value = 8 }.
 */
import { DataType, dataTypeName, valueFieldOf, type DataTypeName } from './datatypes.js';
import { ProtoReader, ProtoWriter, toUint32, toUint64 } from './protobuf.js';

export type MetricValue = number | bigint | boolean | string | null;

export interface Property {
  readonly type: DataTypeName;
  readonly value: MetricValue;
}

export interface Metric {
  /** In births (and commands); DATA carries only the alias. */
  readonly name?: string;
  readonly alias?: number;
  readonly timestamp?: number;
  /** In births; DATA leaves it out (the birth said it). */
  readonly datatype?: DataTypeName;
  /** The value's type, when `datatype` is left out: which field carries it. */
  readonly valueType?: DataTypeName;
  readonly value: MetricValue;
  readonly isHistorical?: boolean;
  readonly properties?: Readonly<Record<string, Property>>;
}

export interface Payload {
  readonly timestamp?: number;
  readonly metrics: readonly Metric[];
  readonly seq?: number;
}

export function encodePayload(payload: Payload): Uint8Array {
  const w = new ProtoWriter();
  if (payload.timestamp !== undefined) {
    w.tag(1, 0);
    w.varint(payload.timestamp);
  }
  for (const metric of payload.metrics) {
    w.tag(2, 2);
    w.bytes(encodeMetric(metric));
  }
  if (payload.seq !== undefined) {
    w.tag(3, 0);
    w.varint(payload.seq);
  }
  return w.finish();
}

function encodeMetric(m: Metric): Uint8Array {
  const w = new ProtoWriter();
  if (m.name !== undefined) {
    w.tag(1, 2);
    w.string(m.name);
  }
  if (m.alias !== undefined) {
    w.tag(2, 0);
    w.varint(m.alias);
  }
  if (m.timestamp !== undefined) {
    w.tag(3, 0);
    w.varint(m.timestamp);
  }
  if (m.datatype !== undefined) {
    w.tag(4, 0);
    w.varint(DataType[m.datatype]);
  }
  if (m.isHistorical === true) {
    w.tag(5, 0);
    w.varint(1);
  }
  const type = m.datatype ?? m.valueType;
  if (m.value === null || type === undefined) {
    w.tag(7, 0);
    w.varint(1);
  }
  if (m.properties !== undefined) {
    w.tag(9, 2);
    w.bytes(encodePropertySet(m.properties));
  }
  if (m.value !== null && type !== undefined) writeValue(w, type, m.value, 10);
  return w.finish();
}

function encodePropertySet(properties: Readonly<Record<string, Property>>): Uint8Array {
  const w = new ProtoWriter();
  const entries = Object.entries(properties);
  for (const [key] of entries) {
    w.tag(1, 2);
    w.string(key);
  }
  for (const [, p] of entries) {
    const v = new ProtoWriter();
    v.tag(1, 0);
    v.varint(DataType[p.type]);
    if (p.value === null) {
      v.tag(2, 0);
      v.varint(1);
    } else writeValue(v, p.type, p.value, 3);
    w.tag(2, 2);
    w.bytes(v.finish());
  }
  return w.finish();
}

/** Writes the value into its field; `first` is the field number of int_value (Metric 10, PropertyValue 3). */
function writeValue(w: ProtoWriter, type: DataTypeName, value: Exclude<MetricValue, null>, first: number): void {
  const field = valueFieldOf(type);
  switch (field) {
    case 'int':
      w.tag(first, 0);
      w.varint(toUint32(Number(value)));
      return;
    case 'long':
      w.tag(first + 1, 0);
      w.varint(toUint64(typeof value === 'bigint' ? value : Math.trunc(Number(value))));
      return;
    case 'float':
      w.tag(first + 2, 5);
      w.float(Number(value));
      return;
    case 'double':
      w.tag(first + 3, 1);
      w.double(Number(value));
      return;
    case 'boolean':
      w.tag(first + 4, 0);
      w.varint(value === true ? 1 : 0);
      return;
    case 'string':
      w.tag(first + 5, 2);
      w.string(String(value));
      return;
  }
}

/** A decoded metric: what came on the wire, values raw (ints unsigned, longs as bigint). */
export interface DecodedMetric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isHistorical?: boolean;
  isNull?: boolean;
  value?: number | bigint | boolean | string;
}

export interface DecodedPayload {
  timestamp?: number;
  seq?: number;
  metrics: DecodedMetric[];
}

/** Reads a payload (NCMD and DCMD from a host); throws on bytes that are not one. */
export function decodePayload(bytes: Uint8Array): DecodedPayload {
  const r = new ProtoReader(bytes);
  const out: DecodedPayload = { metrics: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 0) out.timestamp = Number(r.varint());
    else if (field === 2 && wire === 2) out.metrics.push(decodeMetric(r.bytes()));
    else if (field === 3 && wire === 0) out.seq = Number(r.varint());
    else r.skip(wire);
  }
  return out;
}

function decodeMetric(bytes: Uint8Array): DecodedMetric {
  const r = new ProtoReader(bytes);
  const m: DecodedMetric = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) m.name = r.string();
    else if (field === 2 && wire === 0) m.alias = Number(r.varint());
    else if (field === 3 && wire === 0) m.timestamp = Number(r.varint());
    else if (field === 4 && wire === 0) m.datatype = Number(r.varint());
    else if (field === 5 && wire === 0) m.isHistorical = r.varint() !== 0n;
    else if (field === 7 && wire === 0) m.isNull = r.varint() !== 0n;
    else if (field === 10 && wire === 0) m.value = Number(r.varint());
    else if (field === 11 && wire === 0) m.value = r.varint();
    else if (field === 12 && wire === 5) m.value = r.float();
    else if (field === 13 && wire === 1) m.value = r.double();
    else if (field === 14 && wire === 0) m.value = r.varint() !== 0n;
    else if (field === 15 && wire === 2) m.value = r.string();
    else r.skip(wire);
  }
  return m;
}

/** The metric's type name, if the datatype is one this node knows. */
export function metricType(m: DecodedMetric): DataTypeName | undefined {
  return m.datatype === undefined ? undefined : dataTypeName(m.datatype);
}
