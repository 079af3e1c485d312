export {
  createInfluxWriter,
  DESTINATION as INFLUX_DESTINATION,
  type InfluxWriter,
  type InfluxWriterDeps,
} from './writer.js';
export type { InfluxWriterHealth } from './health.js';
export { MEASUREMENTS, FIELD_TYPES, TAG_KEYS, STATE_CODES, SEVERITY_CODES, type MeasurementName } from './schema.js';
export {
  buildPointContext,
  eventPoint,
  encodePoint,
  microTime,
  type InfluxPoint,
  type PointContext,
} from './points.js';
export { SampleLines } from './sample-lines.js';
export { influxTarget, redactInfluxUrl, type InfluxTarget } from './client.js';
