import { z } from 'zod';
import { parseDurationMs } from './duration.js';

/** Identifier used in MQTT topics, tag names and URLs: no spaces, slashes, dots, '+' or '#'. */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only (it appears in MQTT topics and URLs)')
  .max(64);

const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d))+\\s*$';

/** A duration string ("100ms", "2m", "1h30m") parsed to milliseconds. */
export const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), 'expected a duration such as "100ms", "30s", "2m" or "8h"')
  .transform((s) => parseDurationMs(s) as number);

/** Wall-clock time of day "HH:MM" in the shift calendar's time zone. */
export const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (24 h)');

/** Byte/word order of multi-register values: A is the most significant byte. */
export const WordOrder = z.enum(['ABCD', 'DCBA', 'BADC', 'CDAB']);
export type WordOrder = z.infer<typeof WordOrder>;

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The six big losses, used to classify every downtime reason. */
export const LossCategory = z.enum([
  'breakdown',
  'setup',
  'small_stop',
  'reduced_speed',
  'startup_reject',
  'production_reject',
]);
export type LossCategory = z.infer<typeof LossCategory>;

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;

/** Secret given inline (usually as "${ENV_VAR}") or read from a file by the loader. */
export function secretFields<K extends string>(name: K) {
  return {
    [name]: z.string().optional().describe(`${name}; prefer "\${ENV_VAR}" or ${name}File so it is not in the file`),
    [`${name}File`]: z.string().optional().describe(`path of a file holding the ${name} (first line, trimmed)`),
  } as Record<K | `${K}File`, z.ZodOptional<z.ZodString>>;
}
