/**
 * Validation of what the plant server reads from the broker (docs/mqtt.md is the contract):
 * `ledger`, the agents' `status`, station `state` and the line `oee`. A payload that does not
 * parse or does not fit is refused with a reason, never half-taken: one agent's bug cannot poison
 * the plant's figures. Objects are not strict: a newer agent may add fields.
 */
import { z } from 'zod';

/** Larger payloads are refused unread: a real ledger of a 20-station line is a few KiB. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

const Ms = z.number().finite().nonnegative();
const Count = z.number().finite().nonnegative();
const Name = z.string().min(1).max(128);
/** An ISO-8601 time, as ms since the epoch. */
const IsoMs = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const ms = Date.parse(s);
    if (!Number.isFinite(ms)) ctx.issues.push({ code: 'custom', input: s, message: 'expected an ISO-8601 time' });
    return ms;
  });

/** The times and counts of a line or station for the shift so far (docs/mqtt.md#ledger). */
export const LedgerFigures = z.object({
  plannedMs: Ms,
  runMs: Ms,
  smallStopMs: Ms.default(0),
  downMs: Ms.default(0),
  downByReason: z
    .record(Name, Ms)
    .refine((r) => Object.keys(r).length <= 500, 'more than 500 reasons')
    .default({}),
  starvedMs: Ms.default(0),
  blockedMs: Ms.default(0),
  plannedStopMs: Ms.default(0),
  commsLostMs: Ms.default(0),
  idealMs: Ms,
  total: Count,
  good: Count,
  reject: Count.default(0),
  target: Count.optional(),
  behindBy: z.number().finite().optional(),
});
export type LedgerFigures = z.output<typeof LedgerFigures>;

export const StationLedger = LedgerFigures.extend({
  station: Name,
  waits: z
    .array(
      z.object({
        kind: z.enum(['starved', 'blocked']),
        cause: Name.optional(),
        state: Name,
        reason: Name.optional(),
        ms: Ms,
      }),
    )
    .max(200)
    .optional(),
});
export type StationLedger = z.output<typeof StationLedger>;

export const Ledger = z
  .object({
    eventId: Name,
    seq: z.number().int().nonnegative(),
    ts: IsoMs,
    agentId: Name,
    shift: z.string().max(128).nullable(),
    start: IsoMs,
    end: IsoMs,
    final: z.boolean(),
    outputStation: Name.optional(),
    line: LedgerFigures,
    stations: z.array(StationLedger).max(200).default([]),
  })
  .refine((l) => l.end >= l.start, { message: 'end is before start', path: ['end'] });
export type Ledger = z.output<typeof Ledger>;

export const StationState = z.object({
  state: z.enum(['running', 'small_stop', 'down', 'planned_stop', 'starved', 'blocked', 'comms_lost']),
  since: IsoMs,
  reason: Name.optional(),
});
export type StationState = z.output<typeof StationState>;

/** The line roll-up OEE: shown for a line whose agent publishes no ledger yet, never summed. */
export const LineOee = z.object({
  shift: z.string().max(128).nullable(),
  availability: z.number().finite(),
  performance: z.number().finite(),
  quality: z.number().finite(),
  oee: z.number().finite(),
  counts: z.object({ total: Count, good: Count, reject: Count.optional() }),
  target: Count.optional(),
  behindBy: z.number().finite().optional(),
  ts: IsoMs.optional(),
});
export type LineOee = z.output<typeof LineOee>;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Parses a JSON payload against a schema; the reason names the first failing field. */
export function parseJson<T>(schema: z.ZodType<T>, payload: string): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (err) {
    return { ok: false, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
  return { ok: false, reason: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** `online` | `offline`, the agents' plain-text status (docs/mqtt.md). */
export function parseStatus(payload: string): Parsed<'online' | 'offline'> {
  const text = payload.trim();
  if (text === 'online' || text === 'offline') return { ok: true, value: text };
  return { ok: false, reason: `status must be "online" or "offline"; got ${JSON.stringify(text.slice(0, 40))}` };
}
