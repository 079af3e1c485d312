import { z } from 'zod';
import { parseDurationMs } from './duration.js';

/** Identifier used in MQTT topics, tag names and URLs: no spaces, slashes, dots, '+' or '#'. */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only (it appears in MQTT topics and URLs)')
  .max(64);

const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d))+\\s*$';

const DURATION_MESSAGE = 'expected a duration such as "100ms", "30s", "2m" or "8h"';

/** Every duration schema, so messages can say "a duration" where zod only knows "a string". */
export const DURATION_SCHEMAS = new WeakSet<z.ZodType>();

/**
 * A duration string ("100ms", "2m", "1h30m") parsed to milliseconds, without bounds. Config
 * fields use `duration(min, max, ...)` instead: an unbounded duration lets `0ms` poll flat out
 * and `99999999999999999999h` overflow Node's timers.
 */
export const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), DURATION_MESSAGE)
  .transform((s) => parseDurationMs(s) as number);
DURATION_SCHEMAS.add(Duration);

/**
 * A duration field with the bounds that make sense for it (inclusive), e.g.
 * `duration('10ms', '1h', 'time between polls; 10ms to 1h')`. Out of range is an error at the
 * field's path that names the bound and the value as written: "must be at least 10ms; got 0ms".
 */
export function duration(min: string, max: string, description: string) {
  const minMs = parseDurationMs(min) as number;
  const maxMs = parseDurationMs(max) as number;
  const schema = z
    .string()
    .regex(new RegExp(DURATION_PATTERN), DURATION_MESSAGE)
    .transform((s, ctx) => {
      const ms = parseDurationMs(s) as number;
      const got = s.trim();
      if (ms < minMs) ctx.issues.push({ code: 'custom', input: s, message: `must be at least ${min}; got ${got}` });
      else if (ms > maxMs)
        ctx.issues.push({
          code: 'custom',
          input: s,
          message: `must be at most ${max}; got ${got.length > 24 ? `${got.slice(0, 24)}…` : got}`,
        });
      return ms;
    })
    .describe(description);
  DURATION_SCHEMAS.add(schema);
  return schema;
}

/** Wall-clock time of day "HH:MM" in the shift calendar's time zone. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (24 h)');

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
