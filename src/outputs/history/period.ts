/**
 * A period's figures (a shift, a day, a week) summed from the stored shift records' times and
 * counts, never averaged from their OEEs (docs/oee.md#plant-summing-lines-and-shifts): a mean of
 * OEEs gives a 10-minute shift the weight of an 8-hour one. Pure: no I/O, unit-tested.
 *
 * availability = Σ run / Σ planned, performance = Σ idealMs / Σ run, quality = Σ good / Σ total,
 * OEE = A × P × Q; zero denominators give 0, as the core does (src/core/accumulator.ts).
 */
import type { OeeFigures, StationState, WaitShare } from '../../core/events.js';
import { oeeRatios } from '../../core/oee-ratios.js';

/** Starved or blocked time summed over the period per (kind, cause, state, reason). */
export interface SummedWait {
  readonly kind: 'starved' | 'blocked';
  readonly cause?: string;
  readonly state: StationState;
  readonly reason?: string;
  readonly ms: number;
}

export interface PeriodFigures {
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
  readonly counts: { readonly total: number; readonly good: number; readonly reject: number };
  readonly runTimeMs: number;
  readonly plannedTimeMs: number;
  readonly idealMs: number;
  readonly downtimeMs: number;
  readonly smallStopMs: number;
  readonly starvedMs: number;
  readonly blockedMs: number;
  readonly plannedStopMs: number;
  readonly commsLostMs: number;
  /** `down` time by reason id, plus `starved` and `blocked`, summed. */
  readonly downtimeByReason: Readonly<Record<string, number>>;
  /** Present when at least one summed record carried waits; longest first. */
  readonly waits?: readonly SummedWait[];
  /** The shifts' targets (parts) and parts behind them, summed; present when every shift has one. */
  readonly target?: number;
  readonly behindBy?: number;
  /**
   * Number of `down` intervals. The stored figures carry mtbfMs/mttrMs, not this count; it is
   * recovered per record as downtimeMs / mttrMs (or runTimeMs / mtbfMs when no downtime), rounded:
   * both are the same count divided out (accumulator.ts), so the division is exact to rounding.
   */
  readonly downIntervals: number;
  /** Σ run / Σ down intervals and Σ down / Σ down intervals; absent without a down interval. */
  readonly mtbfMs?: number;
  readonly mttrMs?: number;
}

/** The `down` intervals a stored record stands for (see PeriodFigures.downIntervals). */
export function downIntervalsOf(f: OeeFigures): number {
  if (f.mttrMs !== undefined && f.mttrMs > 0) return Math.round(f.downtimeMs / f.mttrMs);
  if (f.mtbfMs !== undefined && f.mtbfMs > 0) return Math.round(f.runTimeMs / f.mtbfMs);
  // mttrMs 0 and mtbfMs 0 (intervals of no length and no run time) or no intervals: none to weigh.
  return 0;
}

const waitKey = (w: WaitShare | SummedWait): string =>
  JSON.stringify([w.kind, w.cause ?? null, w.state, w.reason ?? null]);

/** Sums stored figures (any number; none gives zeros). */
export function sumFigures(records: readonly OeeFigures[]): PeriodFigures {
  let total = 0;
  let good = 0;
  let runTimeMs = 0;
  let plannedTimeMs = 0;
  let idealMs = 0;
  let downtimeMs = 0;
  let smallStopMs = 0;
  let starvedMs = 0;
  let blockedMs = 0;
  let plannedStopMs = 0;
  let commsLostMs = 0;
  let downIntervals = 0;
  let anyWaits = false;
  const byReason: Record<string, number> = {};
  const waits = new Map<string, { -readonly [K in keyof SummedWait]: SummedWait[K] }>();
  for (const f of records) {
    total += f.counts.total;
    good += f.counts.good;
    runTimeMs += f.runTimeMs;
    plannedTimeMs += f.plannedTimeMs;
    idealMs += f.idealMs;
    downtimeMs += f.downtimeMs;
    smallStopMs += f.smallStopMs;
    starvedMs += f.starvedMs;
    blockedMs += f.blockedMs;
    plannedStopMs += f.plannedStopMs;
    commsLostMs += f.commsLostMs;
    downIntervals += downIntervalsOf(f);
    for (const [reason, ms] of Object.entries(f.downtimeByReason)) byReason[reason] = (byReason[reason] ?? 0) + ms;
    if (f.waits === undefined) continue;
    anyWaits = true;
    for (const w of f.waits) {
      const key = waitKey(w);
      const sum = waits.get(key);
      if (sum !== undefined) sum.ms += w.ms;
      else
        waits.set(key, {
          kind: w.kind,
          ...(w.cause !== undefined ? { cause: w.cause } : {}),
          state: w.state,
          ...(w.reason !== undefined ? { reason: w.reason } : {}),
          ms: w.ms,
        });
    }
  }
  return {
    ...oeeRatios({ plannedMs: plannedTimeMs, runMs: runTimeMs, idealMs, good, total }),
    counts: { total, good, reject: total - good },
    runTimeMs,
    plannedTimeMs,
    idealMs,
    downtimeMs,
    smallStopMs,
    starvedMs,
    blockedMs,
    plannedStopMs,
    commsLostMs,
    downtimeByReason: byReason,
    ...(anyWaits ? { waits: [...waits.values()].sort((a, b) => b.ms - a.ms) } : {}),
    downIntervals,
    ...(downIntervals > 0 ? { mtbfMs: runTimeMs / downIntervals, mttrMs: downtimeMs / downIntervals } : {}),
    ...targetsOf(records),
  };
}

/** The shifts' targets and parts behind them, summed when every shift has one (a part is a part). */
function targetsOf(records: readonly OeeFigures[]): Pick<PeriodFigures, 'target' | 'behindBy'> {
  if (records.length === 0) return {};
  const target = records.every((f) => f.target !== undefined)
    ? records.reduce((n, f) => n + (f.target ?? 0), 0)
    : undefined;
  const behindBy = records.every((f) => f.behindBy !== undefined)
    ? records.reduce((n, f) => n + (f.behindBy ?? 0), 0)
    : undefined;
  return { ...(target !== undefined ? { target } : {}), ...(behindBy !== undefined ? { behindBy } : {}) };
}
