/**
 * The statistics of one condition signal: the window of closed bins (running-time midpoint, mean,
 * wall time), the current level, and the least-squares trend with the forecast of when it reaches
 * a limit (interval from the slope's confidence interval). Values are mirrored: bad is "up".
 */
import type { ConditionTuning } from '../presets.js';
import { fitLine, studentTQuantile } from '../stats/regression.js';
import { NumberRing } from '../stats/ring.js';

const HOUR = 3_600_000;

export interface TrendForecast {
  readonly slopePerHour: number;
  readonly slopeSe: number;
  readonly tStat: number;
  readonly r2: number;
  readonly n: number;
  readonly significant: boolean;
  readonly current: number;
  readonly runMsToLimit: number;
  readonly predictedAt: number | undefined;
  readonly earliest: number;
  readonly latest: number;
  readonly fromWall: number;
}

export class BinWindow {
  /** Running-time midpoint of each bin. */
  readonly xs: NumberRing;
  /** Mean of each bin (mirrored). */
  readonly ys: NumberRing;
  /** Wall time each bin closed. */
  readonly walls: NumberRing;
  private readonly xScratch: Float64Array;
  private readonly yScratch: Float64Array;

  constructor(private readonly tuning: ConditionTuning) {
    this.xs = new NumberRing(tuning.windowBins);
    this.ys = new NumberRing(tuning.windowBins);
    this.walls = new NumberRing(tuning.windowBins);
    this.xScratch = new Float64Array(tuning.windowBins);
    this.yScratch = new Float64Array(tuning.windowBins);
  }

  get length(): number {
    return this.ys.length;
  }

  push(x: number, mean: number, wallMs: number): void {
    this.xs.push(x);
    this.ys.push(mean);
    this.walls.push(wallMs);
  }

  /** Mean of the last `bins` bin means (call with at least that many bins). */
  level(bins: number): number {
    const n = this.ys.length;
    let level = 0;
    for (let i = n - bins; i < n; i++) level += this.ys.at(i);
    level /= bins;
    return level;
  }

  /** Least-squares trend over the window and the forecast to `limit` (mirrored; none: no forecast). */
  trend(runningMs: number, wallMs: number, limit: number | undefined): TrendForecast | undefined {
    const n = this.ys.length;
    const x0 = this.xs.at(n - 1);
    for (let i = 0; i < n; i++) {
      this.xScratch[i] = (this.xs.at(i) - x0) / HOUR;
      this.yScratch[i] = this.ys.at(i);
    }
    const fit = fitLine(this.xScratch, this.yScratch, n);
    if (fit === undefined) return undefined;
    const tStat = fit.slopeSe > 0 ? fit.slope / fit.slopeSe : fit.slope > 0 ? Infinity : 0;
    const significant = fit.slope > 0 && tStat >= this.tuning.minTrendT;
    const current = fit.intercept + fit.slope * ((runningMs - x0) / HOUR);
    const q = studentTQuantile((1 + this.tuning.confidence) / 2, n - 2);
    const fast = fit.slope + q * fit.slopeSe;
    const slow = fit.slope - q * fit.slopeSe;
    let runMsToLimit = Infinity;
    let earliest = Number.NaN;
    let latest = Number.NaN;
    if (limit !== undefined && fit.slope > 0) {
      const gap = Math.max(0, limit - current);
      runMsToLimit = (gap / fit.slope) * HOUR;
      earliest = wallMs + (gap / fast) * HOUR;
      latest = slow > 0 ? wallMs + (gap / slow) * HOUR : Infinity;
    }
    return {
      slopePerHour: fit.slope,
      slopeSe: fit.slopeSe,
      tStat,
      r2: fit.r2,
      n,
      significant,
      current,
      runMsToLimit,
      predictedAt: Number.isFinite(runMsToLimit) ? wallMs + runMsToLimit : undefined,
      earliest,
      latest,
      fromWall: this.walls.at(0),
    };
  }
}
