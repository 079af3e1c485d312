/**
 * Building blocks of the scenario schema: identifiers, durations, distributions, the shift
 * calendar. Durations are strings with a unit ("12s", "2m", "8h"), parsed with the config's own
 * parser so a scenario reads like a Lineside config.
 */
import { z } from 'zod';
import { parseDurationMs } from '../src/config/duration.js';
import type { TimeDist } from './random/distributions.js';

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only')
  .max(64);

const DURATION_RE = /^\s*(\d+(\.\d+)?(ms|s|m|h|d))+\s*$/;

export const Duration = z
  .string()
  .regex(DURATION_RE, 'expected a duration such as "100ms", "30s", "2m" or "8h"')
  .transform((s) => parseDurationMs(s) as number);

export const PositiveDuration = Duration.refine((ms) => ms > 0, 'must be longer than 0');

export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (24 h)');

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Days = z
  .array(Weekday)
  .min(1)
  .default([...ALL_DAYS]);

const clamps = {
  offset: Duration.optional().describe('added to every draw (e.g. the ideal cycle time under a lognormal excess)'),
  min: Duration.optional().describe('draws below are raised to this'),
  max: Duration.optional().describe('draws above are lowered to this'),
};

const DistObject = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), value: Duration, ...clamps }),
  z.strictObject({ dist: z.literal('exponential'), mean: PositiveDuration, ...clamps }),
  z.strictObject({
    dist: z.literal('lognormal'),
    mean: PositiveDuration,
    cv: z.number().min(0).max(10).describe('standard deviation / mean'),
    ...clamps,
  }),
  z.strictObject({ dist: z.literal('normal'), mean: Duration, sd: Duration, ...clamps }),
  z.strictObject({ dist: z.literal('uniform'), low: Duration, high: Duration, ...clamps }),
  z.strictObject({
    dist: z.literal('weibull'),
    shape: z.number().positive().max(20),
    mean: PositiveDuration,
    ...clamps,
  }),
]);

/**
 * A time distribution: a plain duration ("30s", always that value) or
 * `{dist: fixed|exponential|lognormal|normal|uniform|weibull, ...}` with optional offset/min/max.
 */
export const TimeDistSchema = z
  // The object branch comes first and strings are checked after the union: each input then fails
  // in exactly one branch, so error messages come from the branch the author meant.
  .union([DistObject, z.string()])
  .superRefine((d, ctx) => {
    if (typeof d === 'string' && (!DURATION_RE.test(d) || parseDurationMs(d) === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as "30s" or a distribution {dist: lognormal, mean: 30s, cv: 0.2}; got "${d}"`,
      });
    }
  })
  .transform((d): TimeDist => {
    if (typeof d === 'string') return { kind: 'fixed', valueMs: parseDurationMs(d) as number, offsetMs: 0 };
    const c = {
      offsetMs: d.offset ?? 0,
      ...(d.min !== undefined ? { minMs: d.min } : {}),
      ...(d.max !== undefined ? { maxMs: d.max } : {}),
    };
    switch (d.dist) {
      case 'fixed':
        return { kind: 'fixed', valueMs: d.value, ...c };
      case 'exponential':
        return { kind: 'exponential', meanMs: d.mean, ...c };
      case 'lognormal':
        return { kind: 'lognormal', meanMs: d.mean, cv: d.cv, ...c };
      case 'normal':
        return { kind: 'normal', meanMs: d.mean, sdMs: d.sd, ...c };
      case 'uniform':
        return { kind: 'uniform', lowMs: d.low, highMs: d.high, ...c };
      case 'weibull':
        return { kind: 'weibull', shape: d.shape, meanMs: d.mean, ...c };
    }
  });

export const Break = z.strictObject({
  name: Id.default('break'),
  start: TimeOfDay,
  duration: PositiveDuration,
});

export const Shift = z.strictObject({
  name: Id,
  start: TimeOfDay,
  end: TimeOfDay.describe('an end at or before the start means the shift crosses midnight'),
  days: Days.describe('days the shift starts on'),
  breaks: z.array(Break).default([]),
  target: z.number().int().positive().optional(),
});

/** Same shape as the Lineside config's `shifts:` block. */
export const ShiftCalendarSchema = z.strictObject({
  timezone: z.string().default('UTC').describe('IANA time zone, e.g. Europe/Berlin'),
  shifts: z.array(Shift).default([]).describe('no shifts: the line is always in production'),
});
