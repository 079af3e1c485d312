/**
 * InfluxDB line protocol (pure), written the way node-influx wrote it before Lineside encoded its
 * own points, so that a database filled by an older agent takes the same series and field types:
 * - measurement: `,` and space escaped; tag keys, tag values and field keys: `,`, `=` and space;
 * - string fields in double quotes with `"` and `\` escaped;
 * - fields in name order, each typed by the schema (./schema.ts): integers with the `i` suffix
 *   (floored), floats as JavaScript prints them, booleans as T / F;
 * - tags in the order given (InfluxDB sorts them itself).
 * A field the schema does not know is a bug in the point builder, and throws.
 */
import { FIELD_TYPES, type MeasurementName } from './schema.js';

export type FieldValue = number | string | boolean;

const TAG_SPECIALS = /[,= ]/g;
const MEASUREMENT_SPECIALS = /[, ]/g;
const STRING_SPECIALS = /["\\]/g;

/** A tag key, tag value or field key. */
export function escapeTag(text: string): string {
  return text.replace(TAG_SPECIALS, '\\$&');
}

export function escapeMeasurement(text: string): string {
  return text.replace(MEASUREMENT_SPECIALS, '\\$&');
}

/** A string field value, quoted. */
export function quoteString(text: string): string {
  return `"${text.replace(STRING_SPECIALS, '\\$&')}"`;
}

/** `measurement,tag=value,...` (tags in the order given). */
export function seriesKey(measurement: MeasurementName, tags: Readonly<Record<string, string>>): string {
  let key = escapeMeasurement(measurement);
  for (const name in tags) key += `,${escapeTag(name)}=${escapeTag(tags[name] as string)}`;
  return key;
}

/** One field as `key=value`, typed by the measurement's schema. */
export function encodeField(measurement: MeasurementName, name: string, value: FieldValue): string {
  const type = FIELD_TYPES[measurement][name];
  // FieldType numbers (node-influx): 0 float, 1 integer, 2 string, 3 boolean.
  switch (type) {
    case 0:
      return `${escapeTag(name)}=${String(Number(value))}`;
    case 1:
      return `${escapeTag(name)}=${String(Math.floor(Number(value)))}i`;
    case 2:
      return `${escapeTag(name)}=${quoteString(String(value))}`;
    case 3:
      return `${escapeTag(name)}=${value === true ? 'T' : 'F'}`;
    default:
      throw new Error(`InfluxDB schema: measurement "${measurement}" has no field "${name}"`);
  }
}

/** A whole point: series key, fields, time (already in the write precision). */
export function encodeLine(
  measurement: MeasurementName,
  tags: Readonly<Record<string, string>>,
  fields: Readonly<Record<string, FieldValue>>,
  timestamp: string,
): string {
  let line = seriesKey(measurement, tags);
  let sep = ' ';
  for (const name of Object.keys(fields).sort()) {
    line += sep + encodeField(measurement, name, fields[name] as FieldValue);
    sep = ',';
  }
  return `${line} ${timestamp}`;
}

/** A line for a log about a refused point: long string fields cut. */
export function describeLine(line: string, maxChars = 300): string {
  return line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
}
