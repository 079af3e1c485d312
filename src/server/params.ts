/**
 * Query and body parsing for the API, with messages that say what was expected. Throws
 * `ApiError('BAD_REQUEST')`; the error handler turns it into a 400.
 */
import { z } from 'zod';
import { ApiError } from './http-errors.js';

type Query = Readonly<Record<string, unknown>>;

/** A time as ms since the epoch ("1732500000000") or ISO-8601 ("2025-11-25T06:00:00Z"). */
export function parseTime(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string')
    throw new ApiError('BAD_REQUEST', `${name}: give it once, as ms since the epoch or an ISO-8601 time`);
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ApiError(
      'BAD_REQUEST',
      `${name}: expected ms since the epoch or an ISO-8601 time such as 2025-11-25T06:00:00Z, got "${raw.slice(0, 40)}"`,
    );
  }
  return ms;
}

export function parseInteger(query: Query, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ApiError(
      'BAD_REQUEST',
      `${name}: expected an integer from ${min} to ${max}, got "${String(raw).slice(0, 40)}"`,
    );
  }
  return n;
}

export function parseString(query: Query, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ApiError('BAD_REQUEST', `${name}: give it once`);
  return raw;
}

/** [from, to] with defaults; refuses from >= to. */
export function parseRange(query: Query, defaults: { from: number; to: number }): { from: number; to: number } {
  const from = parseTime(query, 'from') ?? defaults.from;
  const to = parseTime(query, 'to') ?? defaults.to;
  if (!(from < to))
    throw new ApiError(
      'BAD_REQUEST',
      `from must be before to (from=${new Date(from).toISOString()}, to=${new Date(to).toISOString()})`,
    );
  return { from, to };
}

const Operator = {
  by: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'deprecated: who did it; with a named login it must be that user, with the operator token it is kept as claimed',
    ),
  note: z.string().trim().max(500).optional(),
};

export const ReasonBody = z.strictObject({ reason: z.string().min(1).max(64), ...Operator });
/**
 * POST /api/reports: which shift of which line (as /api/oee's `shift` and `start` pick one), or
 * `period: "day" | "week"` with a plant-local `date` in it (default: the previous day or week).
 */
export const ReportBody = z
  .strictObject({
    line: z.string().min(1).max(64),
    period: z.enum(['shift', 'day', 'week']).default('shift'),
    shift: z.string().min(1).max(64).optional(),
    start: z.union([z.number().int().nonnegative(), z.string().min(1).max(40)]).optional(),
    date: z.iso.date().optional().describe('a plant-local date "YYYY-MM-DD" in the day or week'),
  })
  .refine((b) => b.period === 'shift' || (b.shift === undefined && b.start === undefined), {
    message: 'a day or week is picked with date, not shift or start',
  })
  .refine((b) => b.period !== 'shift' || b.date === undefined, {
    message: 'a shift is picked with shift or start; date is for period "day" or "week"',
  });
export const AckBody = z.strictObject({ ...Operator });
/** The product to run from now on (null: none), for the whole line or one `station` of it. */
export const ProductBody = z.strictObject({
  product: z.string().min(1).max(64).nullable(),
  station: z.string().min(1).max(64).optional(),
  ...Operator,
});
/**
 * Start (or resume) an order. The id is what the plant's ERP/MES calls it ("4711", "PO-2026-0815");
 * printable, no "/" so it can sit in a URL path. `due` is an ISO-8601 time with its offset.
 */
export const OrderBody = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .refine((id) => ![...id].some((c) => c === '/' || c < ' ' || c === '\u007f'), 'printable characters, no "/"'),
  product: z.string().min(1).max(64).optional(),
  quantity: z.number().int().min(1).max(1_000_000_000).optional(),
  due: z.iso.datetime({ offset: true }).optional(),
  ...Operator,
});
export const StopOrderBody = z.strictObject({ ...Operator });
/** Parts counted good that were found bad afterwards: how many, and why. */
export const ScrapBody = z.strictObject({
  reason: z.string().min(1).max(64),
  count: z.number().int().min(1).max(100_000),
  ...Operator,
});
/** `{user, password}` for a named user, or `{token}` for the deprecated operator token. */
export const LoginBody = z
  .strictObject({
    user: z.string().trim().min(1).max(64).optional(),
    password: z.string().min(1).max(1024).optional(),
    token: z.string().min(1).max(512).optional(),
  })
  .refine((b) => (b.token !== undefined) !== (b.user !== undefined || b.password !== undefined), {
    message: 'send {user, password} or {token}',
  })
  .refine((b) => b.token !== undefined || (b.user !== undefined && b.password !== undefined), {
    message: 'send both user and password',
  });

/** Parses a JSON body; the 400 names the field and what was wrong with it. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : `body.${issue.path.join('.')}`;
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
  throw new ApiError('BAD_REQUEST', `${where}: ${message}`);
}
