/**
 * Where a served (live) run starts, so that whoever points mbpoll or `lineside probe` at it sees
 * registers move within seconds whatever the time of day.
 *
 * The rule (simulator/README.md, "When a live run starts"):
 * 1. The requested instant is `--start`, else the scenario's `start`, else now in plant time.
 * 2. The served instant is the requested one if the line is in production there (inside a shift,
 *    not in a break) and stays so for at least `minAheadMs`; otherwise it is the next moment of
 *    production that does (the next shift start or break end, plus the warm-up below). A weekend
 *    or a night without a shift therefore skips to the next shift instead of serving zeros.
 * 3. The run itself begins `warmupMs` of production before the served instant and is
 *    fast-forwarded through it, so part counters, last cycle times and condition values already
 *    hold plausible non-zero values on the first read, like a PLC on a line that is running.
 * Pure: the calendar and the requested instant in, instants out; no clock is read here.
 */
import type { Scenario } from '../scenario-schema.js';
import { ShiftCalendar } from './calendar.js';

export const DEFAULT_WARMUP_MS = 5 * 60_000;
export const DEFAULT_MIN_AHEAD_MS = 5 * 60_000;
/** Far enough for any weekly calendar; beyond it the run starts as requested. */
const SEARCH_MS = 14 * 86_400_000;

export interface LiveStart {
  /** Wall time of virtual time 0: where the line (and the truth) begins. */
  readonly runStartMs: number;
  /** Wall time served first; runStartMs + warmupMs. */
  readonly servedMs: number;
  readonly warmupMs: number;
  /** The requested instant (for the banner). */
  readonly requestedMs: number;
  /** Why the served instant is later than requested; absent when served as requested. */
  readonly moved?: MovedReason;
  /** The shift the served instant lies in. */
  readonly shift?: string;
  /** True when no usable production lies within 14 days: served as requested, maybe idle. */
  readonly noProduction: boolean;
}

export interface MovedReason {
  /** Idle (off shift, a break), about to go idle, or production began less than a warm-up ago. */
  readonly kind: 'off_shift' | 'break' | 'ending' | 'warming';
  /** For people: "off shift", "in the lunch break", "within 5m of the end of production". */
  readonly detail: string;
}

export interface LiveStartOptions {
  readonly warmupMs?: number;
  readonly minAheadMs?: number;
}

/** The scenario's shift calendar, as the line uses it (planned stop outside shifts and in breaks). */
export function scenarioCalendar(scenario: Scenario, fromMs: number): ShiftCalendar {
  const shifts = scenario.shifts.shifts.map((s) => ({
    ...s,
    breaks: s.breaks.map((b) => ({ name: b.name, start: b.start, durationMs: b.duration })),
  }));
  return new ShiftCalendar(scenario.shifts.timezone, shifts, fromMs);
}

function producing(calendar: ShiftCalendar, t: number): boolean {
  return calendar.stateAt(t).plannedReason === undefined;
}

/** First instant after `t` that is not production, capped at `limit` (adjacent shifts merge). */
function productionEnd(calendar: ShiftCalendar, t: number, limit: number): number {
  let edge = calendar.nextChangeAfter(t);
  while (edge < limit && producing(calendar, edge)) edge = calendar.nextChangeAfter(edge);
  return Math.min(edge, limit);
}

function formatMinutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

export function chooseLiveStart(scenario: Scenario, requestedMs: number, options: LiveStartOptions = {}): LiveStart {
  const warmupMs = options.warmupMs ?? DEFAULT_WARMUP_MS;
  const minAheadMs = options.minAheadMs ?? DEFAULT_MIN_AHEAD_MS;
  // The warm-up must lie in production too, so the search starts one warm-up before the request.
  const calendar = scenarioCalendar(scenario, requestedMs - warmupMs);
  const horizon = requestedMs + SEARCH_MS;
  let t = requestedMs - warmupMs;
  while (t < horizon) {
    if (!producing(calendar, t)) {
      t = calendar.nextChangeAfter(t);
      continue;
    }
    const end = productionEnd(calendar, t, horizon + warmupMs + minAheadMs);
    const servedMs = Math.max(requestedMs, t + warmupMs);
    if (servedMs + minAheadMs <= end) {
      const shift = calendar.shiftAt(servedMs)?.name;
      return {
        runStartMs: servedMs - warmupMs,
        servedMs,
        warmupMs,
        requestedMs,
        ...(servedMs > requestedMs ? { moved: whyMoved(calendar, requestedMs, minAheadMs, warmupMs) } : {}),
        ...(shift !== undefined ? { shift } : {}),
        noProduction: false,
      };
    }
    t = end;
  }
  return { runStartMs: requestedMs, servedMs: requestedMs, warmupMs: 0, requestedMs, noProduction: true };
}

function whyMoved(calendar: ShiftCalendar, requestedMs: number, minAheadMs: number, warmupMs: number): MovedReason {
  const reason = calendar.stateAt(requestedMs).plannedReason;
  if (reason === 'off_shift') return { kind: 'off_shift', detail: 'off shift' };
  if (reason !== undefined) return { kind: 'break', detail: `in the ${reason} break` };
  if (productionEnd(calendar, requestedMs, requestedMs + minAheadMs) < requestedMs + minAheadMs) {
    return { kind: 'ending', detail: `within ${formatMinutes(minAheadMs)} of the end of production` };
  }
  return { kind: 'warming', detail: `less than ${formatMinutes(warmupMs)} into production` };
}
