/**
 * Cycle-time drift: a machine that is wearing out gets slower before it stops. Clean cycles (no
 * stop inside them, not in the warm-up after a stop; a cycle spanning a starved or blocked wait
 * is timed from the wait's end) are grouped into subgroups; an EWMA chart (lambda ~0.2, L ~3.3)
 * and an upper CUSUM run on the subgroups'
 * trimmed means against a robust baseline (median and MAD of past in-control subgroups),
 * optionally with Western Electric run rules. Only slowing down is reported: a faster machine is
 * not failing. The limits allow for serial correlation: the baseline's lag-1 autocorrelation
 * widens the EWMA limits and scales the CUSUM steps (stats/autocorrelation.ts), so a process that
 * wanders (material batches, temperature) is not taken for one that drifts.
 *
 * The baseline learns online but with a lag: a subgroup joins it only after the following
 * `baselineLagSubgroups` subgroups stayed in control, so a slow drift is not learnt as normal.
 */
import type { CycleEvent, StationState } from '../../core/events.js';
import type { CycleDriftTuning } from '../presets.js';
import { ewmaVariance, lag1Autocorrelation, longRunVarianceFactor } from '../stats/autocorrelation.js';
import { robustOf, type RobustEstimate } from '../stats/robust.js';
import { NumberRing } from '../stats/ring.js';
import { trimmedMean } from '../stats/trimmed.js';
import { round, windowOf, type Severity, type Verdict } from '../types.js';

/** Stops after which the next cycles are warm-up (a small stop or starvation only spoils one cycle). */
const LONG_STOPS: ReadonlySet<StationState> = new Set(['down', 'planned_stop', 'comms_lost']);
/**
 * Waiting for a part or for room. The wait ends when the part arrives (or leaves), and the
 * machine works from then on: the cycle spanning the wait is timed from the end of the wait
 * rather than from the previous count. Skipping it instead would throw away most cycles of a
 * station that waits on nearly every part (the last one of a line fed by slower stations).
 */
const WAITS: ReadonlySet<StationState> = new Set(['starved', 'blocked']);

export interface CycleDriftCheckpoint {
  readonly baseline: number[];
  readonly pending: number[];
  readonly ewma: number;
  readonly cusum: number;
}

export class CycleDriftDetector {
  private readonly baseline: NumberRing;
  private readonly pending: NumberRing;
  private readonly recent = new NumberRing(8);
  private estimate: RobustEstimate | undefined;
  /** Lag-1 autocorrelation of the baseline's subgroup statistics (0..MAX_RHO), with the estimate. */
  private rho = 0;
  /** The current subgroup's cycle times (the statistic is their trimmed mean). */
  private readonly cycles: Float64Array;
  private ewma = Number.NaN;
  private cusum = 0;
  private skip = 1;
  private count = 0;
  /** In a wait (starved/blocked), or its spanning cycle not yet counted. */
  private waiting = false;
  /** Wall ms the last wait ended (running again), NaN while waiting or unknown. */
  private waitEndedAt = Number.NaN;
  private groupFrom = Number.NaN;
  private excursionFrom = Number.NaN;
  private subgroups = 0;

  constructor(
    private readonly tuning: CycleDriftTuning,
    private readonly idealCycleTimeMs: number,
  ) {
    this.baseline = new NumberRing(tuning.baselineSubgroups);
    this.pending = new NumberRing(tuning.baselineLagSubgroups);
    this.cycles = new Float64Array(tuning.subgroupSize);
  }

  /**
   * A state change at wall ms `ts`: the cycle spanning it is not clean (after a wait it is timed
   * from the wait's end); after a long stop the machine warms up.
   */
  onState(state: StationState, ts = Number.NaN): void {
    if (state === 'running') {
      if (this.waiting) this.waitEndedAt = ts;
      return;
    }
    if (WAITS.has(state)) {
      this.waiting = true;
      this.waitEndedAt = Number.NaN;
      return;
    }
    this.waiting = false;
    // A breakdown ends with a repair: the chart starts again from the baseline rather than
    // carrying the evidence of the machine that was just fixed.
    if (state === 'down' && !Number.isNaN(this.ewma)) {
      this.ewma = Number.NaN;
      this.cusum = 0;
      this.recent.clear();
    }
    this.skip = Math.max(this.skip, LONG_STOPS.has(state) ? this.tuning.warmupCycles + 1 : 2);
  }

  /** Returns a verdict when a subgroup completes, else undefined. */
  onCycle(e: CycleEvent): Verdict | undefined {
    let ms = e.cycleTimeMs;
    if (this.waiting) {
      this.waiting = false;
      const from = this.waitEndedAt;
      this.waitEndedAt = Number.NaN;
      ms = from <= e.ts ? e.ts - from : undefined;
    }
    if (this.skip > 0) {
      this.skip--;
      return undefined;
    }
    // A cycle over twice the ideal hides a stop the state machine did not see (e.g. between polls);
    // a cycle without a time (the first after a start or a gap) says nothing.
    if (ms === undefined || !(ms > 0) || ms > 2 * this.idealCycleTimeMs) return undefined;
    if (this.count === 0) this.groupFrom = e.ts - ms;
    this.cycles[this.count++] = ms;
    if (this.count < this.tuning.subgroupSize) return undefined;
    const mean = trimmedMean(this.cycles, this.count, this.tuning.trim);
    this.count = 0;
    return this.subgroup(mean, this.groupFrom, e.ts);
  }

  private subgroup(mean: number, fromMs: number, toMs: number): Verdict {
    const t = this.tuning;
    this.subgroups++;
    if (this.baseline.length < t.minBaselineSubgroups) {
      this.baseline.push(mean);
      this.estimate = undefined;
      return 'unknown';
    }
    if (this.estimate === undefined) {
      this.estimate = robustOf(this.baseline);
      this.rho = lag1Autocorrelation(this.baseline);
    }
    const est = this.estimate;
    const center = est.median;
    // Quantised counters can make the MAD tiny: never assume better than 0.1 % repeatability.
    const sigma = Math.max(est.sigma, center * 0.001);
    if (Number.isNaN(this.ewma)) this.ewma = center;
    this.ewma = t.lambda * mean + (1 - t.lambda) * this.ewma;
    const u = (mean - center) / sigma;
    // The CUSUM sums subgroups: with wandering (autocorrelated) subgroups its steps are scaled by
    // the long-run sigma, so a wander is not mistaken for a shift.
    const uLongRun = u / Math.sqrt(longRunVarianceFactor(this.rho));
    // Capped so that, once the cause is gone, the sum comes back down in a few subgroups.
    this.cusum = Math.min(2 * t.cusumH, Math.max(0, this.cusum + uLongRun - t.cusumK));
    this.recent.push(u);
    const ewmaSigma = sigma * Math.sqrt(ewmaVariance(t.lambda, this.rho));
    const ucl = center + t.L * ewmaSigma;
    const rule = t.runRules ? this.runRule() : undefined;
    const relShift = (this.ewma - center) / center;
    const signal = (this.ewma > ucl || this.cusum > t.cusumH || rule !== undefined) && relShift >= t.minRelativeShift;

    if (signal) {
      this.pending.clear();
      if (Number.isNaN(this.excursionFrom)) this.excursionFrom = fromMs;
      const severity: Severity =
        relShift >= 0.15 ? 'critical' : relShift >= 2 * t.minRelativeShift ? 'warning' : 'info';
      return {
        severity,
        summary: `cycles ${round(relShift * 100, 1)} % slower than the baseline (${round(this.ewma / 1000, 2)} s vs ${round(center / 1000, 2)} s)`,
        evidence: {
          detector: 'cycle_drift',
          baselineCycleTimeMs: round(center, 1),
          baselineSigmaMs: round(sigma, 2),
          baselineSubgroups: est.n,
          baselineAutocorrelation: round(this.rho, 3),
          subgroupSize: t.subgroupSize,
          lastSubgroupMeanMs: round(mean, 1),
          ewmaMs: round(this.ewma, 1),
          ewmaUclMs: round(ucl, 1),
          lambda: t.lambda,
          L: t.L,
          cusum: round(this.cusum, 2),
          cusumH: t.cusumH,
          relativeIncrease: round(relShift, 4),
          ...(rule !== undefined ? { runRule: rule } : {}),
          window: windowOf(this.excursionFrom, toMs),
        },
      };
    }
    const clear =
      (this.ewma < center + 0.5 * (ucl - center) && this.cusum < t.cusumH / 2) || relShift < t.minRelativeShift / 2;
    if (clear) {
      this.excursionFrom = Number.NaN;
      if (this.pending.length >= this.pending.capacity) {
        this.baseline.push(this.pending.shift());
        this.estimate = undefined;
      }
      this.pending.push(mean);
      return 'clear';
    }
    return 'unknown';
  }

  /** Western Electric rules 2-4, upward side, on standardized subgroup means. */
  private runRule(): string | undefined {
    const n = this.recent.length;
    const countAbove = (last: number, limit: number): number => {
      let c = 0;
      for (let i = Math.max(0, n - last); i < n; i++) if (this.recent.at(i) > limit) c++;
      return c;
    };
    if (n >= 3 && countAbove(3, 2) >= 2) return 'WE2: 2 of 3 beyond 2 sigma';
    if (n >= 5 && countAbove(5, 1) >= 4) return 'WE3: 4 of 5 beyond 1 sigma';
    if (n >= 8 && countAbove(8, 0) >= 8) return 'WE4: 8 in a row above the center line';
    return undefined;
  }

  checkpoint(): CycleDriftCheckpoint {
    return { baseline: this.baseline.toArray(), pending: this.pending.toArray(), ewma: this.ewma, cusum: this.cusum };
  }

  restore(cp: CycleDriftCheckpoint): void {
    this.baseline.load(cp.baseline);
    this.pending.load(cp.pending);
    this.ewma = Number.isFinite(cp.ewma) ? cp.ewma : Number.NaN;
    this.cusum = Number.isFinite(cp.cusum) ? cp.cusum : 0;
    this.estimate = undefined;
    this.skip = this.tuning.warmupCycles + 1;
  }
}
