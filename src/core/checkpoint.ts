/**
 * The core's restart state: open intervals, shift accumulators, last counter values, event
 * sequence numbers. JSON-serialisable, wall times only (the monotonic origin changes when the
 * process restarts). The agent saves it into the spool (`setCheckpoint`, committed atomically with
 * the rows appended before it) every few seconds and on shutdown; a restarted core continues the
 * shift's numbers, books the time it was not running as comms_lost (we do not know what happened),
 * and counts the parts made meanwhile at the first counter read (without cycle-time statistics).
 */
import { z } from 'zod';
import { LossCategory } from '../config/schema-primitives.js';

export const CHECKPOINT_VERSION = 1;

/** Who a starved or blocked station waits for (line-waits.ts). */
const WaitCauseData = z.object({
  kind: z.enum(['starved', 'blocked']),
  cause: z.string().optional(),
  state: z.enum(['running', 'small_stop', 'down', 'planned_stop', 'starved', 'blocked', 'comms_lost']),
  reason: z.string().optional(),
  downtimeId: z.string().optional(),
});

const Acc = z.object({
  timeMs: z.array(z.number()).length(7),
  total: z.number(),
  good: z.number(),
  idealMs: z.number().optional(),
  downByReason: z.record(z.string(), z.number()),
  downIntervals: z.number(),
  rejectsByReason: z.record(z.string(), z.number()).optional(),
  startupRejects: z.number().optional(),
  waits: z.array(z.object({ cause: WaitCauseData, ms: z.number() })).optional(),
});

const WindowData = z.object({
  key: z.string(),
  startWall: z.number(),
  endWall: z.number(),
  acc: Acc,
});

const CounterData = z.object({ value: z.number(), atWall: z.number() });

const DowntimeData = z.object({
  id: z.string(),
  startWall: z.number(),
  endWall: z.number().optional(),
  reason: z.string(),
  category: LossCategory,
  faultCode: z.number().optional(),
  assignedBy: z
    .object({
      user: z.string().optional(),
      role: z.string().optional(),
      via: z.string().optional(),
      note: z.string().optional(),
    })
    .optional(),
  /** Which of the checkpoint's windows already counted this interval. */
  counted: z.array(z.enum(['previous', 'pending', 'current'])).default([]),
});

const StationData = z.object({
  seq: z.number().int().min(0),
  counters: z.object({
    cycle: CounterData.optional(),
    good: CounterData.optional(),
    reject: CounterData.optional(),
    edge: z.number().optional(),
  }),
  rejectCredit: z.number().default(0),
  goodCredit: z.number().default(0),
  lastCycleWall: z.number().optional(),
  lastCycleTimeMs: z.number().optional(),
  product: z.string().optional(),
  changeover: z
    .object({
      id: z.string().optional(),
      startWall: z.number(),
      from: z.string().optional(),
      to: z.string().optional(),
      trigger: z.enum(['product', 'plc']),
      pending: z.boolean().optional(),
    })
    .optional(),
  /** Per-reason reject counters: last value read and reasons not yet given to a reject. */
  scrap: z
    .record(z.string(), z.object({ value: z.number().optional(), atWall: z.number().optional(), credit: z.number() }))
    .optional(),
  /** An open start-up window after a changeover. */
  startup: z
    .object({ ended: z.boolean().default(false), goodLeft: z.number().optional(), untilWall: z.number().optional() })
    .optional(),
  open: z.object({
    kind: z.number().int().min(0).max(6),
    label: z.number().int().min(0).max(6),
    rawReason: z.string().optional(),
    reason: z.string().optional(),
    sinceWall: z.number(),
    accountedUntilWall: z.number(),
    downtimeId: z.string().optional(),
    wait: WaitCauseData.optional(),
  }),
  current: WindowData.optional(),
  pending: WindowData.optional(),
  previous: WindowData.optional(),
  rolling: z.array(z.object({ startWall: z.number(), data: Acc })).default([]),
  downtimes: z.array(DowntimeData).default([]),
});

const OrderData = z.object({
  id: z.string(),
  product: z.string().optional(),
  quantity: z.number().int().positive(),
  dueWall: z.number().optional(),
  good: z.number().int().min(0),
  reject: z.number().int().min(0),
  status: z.enum(['running', 'stopped', 'completed']),
  startWall: z.number(),
  endWall: z.number().optional(),
});

const LineData = z.object({
  seq: z.number().int().min(0),
  /** The running order and the recently stopped or completed ones (a stopped order can resume). */
  orders: z.array(OrderData).default([]),
});

export const CoreCheckpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  savedAtWall: z.number(),
  stations: z.record(z.string(), StationData),
  lines: z.record(z.string(), LineData),
});

export type CoreCheckpoint = z.input<typeof CoreCheckpointSchema>;
export type ParsedCheckpoint = z.output<typeof CoreCheckpointSchema>;
export type StationCheckpoint = z.output<typeof StationData>;
export type WindowCheckpoint = z.output<typeof WindowData>;
export type OrderCheckpoint = z.output<typeof OrderData>;

/** Validates a checkpoint read from storage; a message names the first bad field otherwise. */
export function parseCheckpoint(
  value: unknown,
): { ok: true; checkpoint: ParsedCheckpoint } | { ok: false; message: string } {
  const result = CoreCheckpointSchema.safeParse(value);
  if (result.success) return { ok: true, checkpoint: result.data };
  const issue = result.error.issues[0];
  const where = issue !== undefined && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, message: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** The rolling-hour buckets of every station: the bulky, non-identity part of a checkpoint. */
export interface RollingCheckpoint {
  readonly savedAtWall: number;
  readonly stations: Readonly<Record<string, CoreCheckpoint['stations'][string]['rolling']>>;
}

/**
 * Splits a checkpoint into what must be saved with every batch of events (seq, counter
 * baselines, open intervals, shift figures, downtimes: a few hundred bytes a station) and the
 * rolling-hour buckets (most of its size), which may be saved less often: restoring buckets a few
 * seconds older only leaves those seconds out of the rolling hour, never an id or a count.
 */
export function splitRolling(checkpoint: CoreCheckpoint): { state: CoreCheckpoint; rolling: RollingCheckpoint } {
  const state: Record<string, CoreCheckpoint['stations'][string]> = {};
  const rolling: Record<string, CoreCheckpoint['stations'][string]['rolling']> = {};
  for (const [id, st] of Object.entries(checkpoint.stations)) {
    state[id] = { ...st, rolling: [] };
    rolling[id] = st.rolling ?? [];
  }
  return {
    state: { ...checkpoint, stations: state },
    rolling: { savedAtWall: checkpoint.savedAtWall, stations: rolling },
  };
}

/** The inverse of splitRolling; without (valid) rolling buckets the state is used as it is. */
export function joinRolling(state: unknown, rolling: unknown): unknown {
  if (state === null || typeof state !== 'object' || rolling === null || typeof rolling !== 'object') return state;
  const s = state as { stations?: Record<string, Record<string, unknown>> };
  const r = (rolling as { stations?: Record<string, unknown> }).stations;
  if (s.stations === undefined || r === undefined) return state;
  const stations: Record<string, Record<string, unknown>> = {};
  for (const [id, st] of Object.entries(s.stations)) {
    const buckets = r[id];
    const own = st.rolling;
    stations[id] =
      Array.isArray(buckets) && (!Array.isArray(own) || own.length === 0) ? { ...st, rolling: buckets } : st;
  }
  return { ...s, stations };
}
