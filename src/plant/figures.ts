/**
 * The plant view's arithmetic, pure. The rule that matters most: OEE over several lines (or
 * shifts) comes from SUMMED times and counts, never from a mean of OEEs (docs/plant.md#summing):
 * availability = Σ runMs / Σ plannedMs, performance = Σ idealMs / Σ runMs,
 * quality = Σ good / Σ total, OEE = A × P × Q. A ratio with a zero denominator is 0, as in the
 * agent's own figures (src/core/accumulator.ts).
 */
import type { Ledger, LedgerFigures, StationLedger } from './messages.js';
import type { Ratios, ShiftRow } from './view.js';
import { oeeRatios } from '../core/oee-ratios.js';

export type { Ratios } from './view.js';

/** The additive part of a ledger: what may be summed over lines and shifts. */
export interface Totals {
  readonly plannedMs: number;
  readonly runMs: number;
  readonly idealMs: number;
  readonly good: number;
  readonly total: number;
}

export const MS_PER_HOUR = 3_600_000;

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

/** The ratios of summed totals: the agent's own formula (src/core/oee-ratios.ts). */
export function ratiosOf(t: Totals): Ratios {
  return oeeRatios(t);
}

export function totalsOf(f: LedgerFigures): Totals {
  return { plannedMs: f.plannedMs, runMs: f.runMs, idealMs: f.idealMs, good: f.good, total: f.total };
}

export function sumTotals(all: readonly Totals[]): Totals {
  let plannedMs = 0;
  let runMs = 0;
  let idealMs = 0;
  let good = 0;
  let total = 0;
  for (const t of all) {
    plannedMs += t.plannedMs;
    runMs += t.runMs;
    idealMs += t.idealMs;
    good += t.good;
    total += t.total;
  }
  return { plannedMs, runMs, idealMs, good, total };
}

/**
 * Hours lost: the planned production time that did not become good output at ideal speed,
 * plannedMs × (1 − OEE), in hours. (plannedMs × OEE is the "fully productive time".)
 */
export function hoursLost(t: Totals): number {
  return (t.plannedMs * (1 - ratiosOf(t).oee)) / MS_PER_HOUR;
}

/**
 * Wall time of the shift the ledger covers so far: start to its `ts` (the moment its figures
 * describe), or to `end` once final. TEEP's denominator, taken from the ledger and not from the
 * plant server's clock, so TEEP never mixes two moments.
 */
export function elapsedMs(l: Ledger): number {
  const until = l.final ? l.end : Math.min(l.ts, l.end);
  return Math.max(0, until - l.start);
}

/**
 * TEEP = OEE × Σ plannedMs / Σ elapsed shift wall time: OEE times the share of the shifts'
 * calendar time that was planned production (breaks, planned stops and comms loss are outside).
 */
export function teepOf(t: Totals, elapsed: number): number {
  return ratiosOf(t).oee * ratio(t.plannedMs, elapsed);
}

/**
 * A station's lost time in the ledger: downtime, small stops, and the slow-cycle part of its
 * speed loss. runMs includes smallStopMs, so the speed loss beyond small stops is
 * runMs − smallStopMs − idealMs (not below 0: a station faster than its ideal loses nothing).
 * Starved and blocked time are not the station's own loss (their cause is another station).
 */
export function stationLostMs(s: StationLedger): number {
  return s.downMs + s.smallStopMs + Math.max(0, s.runMs - s.smallStopMs - s.idealMs);
}

/**
 * The station with the most lost time; a tie goes to the station currently down, then to the
 * first in the line's flow order. Undefined for a ledger without stations.
 */
export function worstStation(
  stations: readonly StationLedger[],
  isDown: (station: string) => boolean,
): { station: string; lostMs: number } | undefined {
  let best: { station: string; lostMs: number; down: boolean } | undefined;
  for (const s of stations) {
    const lostMs = stationLostMs(s);
    const down = isDown(s.station);
    if (best === undefined || lostMs > best.lostMs || (lostMs === best.lostMs && down && !best.down))
      best = { station: s.station, lostMs, down };
  }
  return best === undefined ? undefined : { station: best.station, lostMs: best.lostMs };
}

/** The largest downtime-by-reason entry over the line's stations (first in flow order on a tie). */
export function topLoss(
  stations: readonly StationLedger[],
): { station: string; reason: string; ms: number } | undefined {
  let best: { station: string; reason: string; ms: number } | undefined;
  for (const s of stations) {
    for (const [reason, ms] of Object.entries(s.downByReason)) {
      if (ms > 0 && (best === undefined || ms > best.ms)) best = { station: s.station, reason, ms };
    }
  }
  return best;
}

/** A stored shift's row for `GET /api/plant/shifts`: its figures from its (latest) ledger. */
export function shiftRowOf(site: string, line: string, l: Ledger): ShiftRow {
  const totals = totalsOf(l.line);
  return {
    site,
    line,
    shift: l.shift,
    start: l.start,
    end: l.end,
    final: l.final,
    seq: l.seq,
    asOf: l.ts,
    agentId: l.agentId,
    oee: ratiosOf(totals),
    ...totals,
    target: l.line.target ?? null,
    behindBy: l.line.behindBy ?? null,
    hoursLost: hoursLost(totals),
  };
}

/** The listed shifts summed by the rule above: OEE of a day, a week, a line over its shifts. */
export function summedRows(rows: readonly ShiftRow[]): Totals & { oee: Ratios; hoursLost: number; shifts: number } {
  const totals = sumTotals(rows);
  return { ...totals, oee: ratiosOf(totals), hoursLost: hoursLost(totals), shifts: rows.length };
}
