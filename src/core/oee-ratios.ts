/**
 * OEE's ratios from times and counts (docs/oee.md#figures): availability = run / planned,
 * performance = ideal / run, quality = good / total, OEE = A × P × Q; a zero denominator gives 0.
 * The one formula behind a station's figures (accumulator.ts), a period's summed from its shifts
 * (src/outputs/history/period.ts) and the plant's summed over lines (src/plant/figures.ts), so the
 * three cannot drift apart. Pure.
 */
export interface OeeTotals {
  readonly plannedMs: number;
  readonly runMs: number;
  readonly idealMs: number;
  readonly good: number;
  readonly total: number;
}

export interface OeeRatios {
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
}

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

export function oeeRatios(t: OeeTotals): OeeRatios {
  const availability = ratio(t.runMs, t.plannedMs);
  const performance = ratio(t.idealMs, t.runMs);
  const quality = ratio(t.good, t.total);
  return { availability, performance, quality, oee: availability * performance * quality };
}
