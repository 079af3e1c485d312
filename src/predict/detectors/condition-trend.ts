/**
 * Condition signals (vibration, temperature, motor current, ...): the value itself, its trend and
 * a forecast of when it reaches the configured limits.
 *
 * Samples taken while the station runs are averaged into bins of running time (a machine at rest
 * reads differently). Each closed bin is checked:
 * - the current level (mean of the last few bins) past the alarm limit: critical;
 * - past the warning limit: warning;
 * - a significant rising trend (least squares over the last hour of running, slope t statistic)
 *   that has moved the level clearly away from the learnt baseline and that reaches the alarm
 *   limit within the forecast horizon: warning, with the predicted time and its interval (from the
 *   slope's confidence interval);
 * - with no limits configured: a significant trend far from the baseline: info.
 * "direction: below" signals (pressure dropping, ...) are mirrored so that bad is always "up".
 */
import type { ConditionSignal } from '../../config/schema.js';
import type { ConditionTuning } from '../presets.js';
import { robustOf, type RobustEstimate } from '../stats/robust.js';
import { fitLine, studentTQuantile } from '../stats/regression.js';
import { NumberRing } from '../stats/ring.js';
import { round, SEVERITY_RANK, windowOf, type Finding, type Verdict } from '../types.js';

const HOUR = 3_600_000;
/** Samples this soon after the station started running are skipped (motor inrush, warm-up). */
const SETTLE_MS = 5_000;

export interface ConditionCheckpoint {
  readonly baseline: number[];
  readonly pending: number[];
}

export class ConditionTracker {
  /** +1: bad when rising; -1: bad when falling (values are mirrored). */
  private readonly sign: number;
  private readonly warn: number | undefined;
  private readonly alarm: number | undefined;
  private readonly xs: NumberRing;
  private readonly ys: NumberRing;
  private readonly walls: NumberRing;
  private readonly baseline: NumberRing;
  private readonly pending: NumberRing;
  private estimate: RobustEstimate | undefined;
  private readonly xScratch: Float64Array;
  private readonly yScratch: Float64Array;
  /**
   * The newest sample is held back until the next one arrives with the station still running:
   * when a poll reads the condition register before the running bit, the sample taken at the
   * moment the machine stopped would otherwise be binned as a running value.
   */
  private pendingValue = Number.NaN;
  private pendingRun = 0;
  private pendingWall = 0;
  private binSum = 0;
  private binCount = 0;
  private binStartRun = 0;
  private binStartWall = 0;
  samples = 0;
  /** Verdict of the last closed bin. */
  last: Verdict = 'unknown';
  /**
   * The last finding or clear: 'unknown' bins (in the hysteresis band, too little data) keep the
   * previous one. A signal that never reported (report-by-exception sends nothing for a constant
   * value) counts as clear, so it cannot hold another signal's alert open forever.
   */
  settled: Verdict = 'clear';

  constructor(
    readonly signal: ConditionSignal,
    private readonly tuning: ConditionTuning,
  ) {
    this.sign = signal.direction === 'below' ? -1 : 1;
    this.warn = signal.warning !== undefined ? this.sign * signal.warning : undefined;
    this.alarm = signal.alarm !== undefined ? this.sign * signal.alarm : undefined;
    this.xs = new NumberRing(tuning.windowBins);
    this.ys = new NumberRing(tuning.windowBins);
    this.walls = new NumberRing(tuning.windowBins);
    this.baseline = new NumberRing(tuning.baselineBins);
    this.pending = new NumberRing(tuning.baselineLagBins);
    this.xScratch = new Float64Array(tuning.windowBins);
    this.yScratch = new Float64Array(tuning.windowBins);
  }

  /**
   * One sample taken while the station runs. Returns true when a bin closed and `last` holds a
   * fresh verdict. Allocation-free unless a bin closes.
   */
  add(value: number, runningMs: number, wallMs: number, runningSinceWall: number): boolean {
    if (wallMs - runningSinceWall < SETTLE_MS) return false;
    const held = this.pendingValue;
    const heldRun = this.pendingRun;
    const heldWall = this.pendingWall;
    this.pendingValue = value;
    this.pendingRun = runningMs;
    this.pendingWall = wallMs;
    return Number.isNaN(held) ? false : this.bin(held, heldRun, heldWall);
  }

  /** The station stopped: the held sample may already show the stopped machine. */
  dropPending(): void {
    this.pendingValue = Number.NaN;
  }

  private bin(value: number, runningMs: number, wallMs: number): boolean {
    this.samples++;
    if (this.binCount === 0) {
      this.binStartRun = runningMs;
      this.binStartWall = wallMs;
    }
    this.binSum += this.sign * value;
    this.binCount++;
    if (runningMs - this.binStartRun < this.tuning.binMs) return false;
    const mean = this.binSum / this.binCount;
    const x = (this.binStartRun + runningMs) / 2;
    this.binSum = 0;
    this.binCount = 0;
    this.xs.push(x);
    this.ys.push(mean);
    this.walls.push(wallMs);
    this.last = this.evaluate(mean, runningMs, wallMs);
    if (this.last !== 'unknown') this.settled = this.last;
    return true;
  }

  private evaluate(binMean: number, runningMs: number, wallMs: number): Verdict {
    const t = this.tuning;
    const n = this.ys.length;
    if (n < t.levelBins) return 'unknown';
    let level = 0;
    for (let i = n - t.levelBins; i < n; i++) level += this.ys.at(i);
    level /= t.levelBins;

    const armed = this.baseline.length >= t.minBaselineBins;
    const est = armed ? (this.estimate ??= robustOf(this.baseline)) : undefined;
    const trend = n >= t.minBins ? this.trend(runningMs, wallMs) : undefined;
    const limit = this.alarm ?? this.warn;

    let finding: Finding | undefined;
    if (this.alarm !== undefined && level >= this.alarm) {
      finding = this.finding('critical', 'alarm limit reached', level, est, trend, wallMs, wallMs);
    } else if (this.warn !== undefined && level >= this.warn) {
      finding = this.finding('warning', 'warning limit reached', level, est, trend, wallMs, trend?.predictedAt);
    } else if (trend !== undefined && est !== undefined && trend.significant && limit !== undefined) {
      const sigma = Math.max(est.sigma, 1e-9);
      const dev = level - est.median;
      const share = this.warn !== undefined && this.warn > est.median ? dev / (this.warn - est.median) : 1;
      if (dev >= t.minDeviationSigmas * sigma && share >= t.minDeviationShare && trend.runMsToLimit <= t.horizonMs) {
        finding = this.finding(
          'warning',
          `trending to the ${this.alarm !== undefined ? 'alarm' : 'warning'} limit`,
          level,
          est,
          trend,
          wallMs,
          trend.predictedAt,
        );
      }
    } else if (limit === undefined && trend !== undefined && est !== undefined && trend.significant) {
      const sigma = Math.max(est.sigma, 1e-9);
      if (level - est.median >= t.noLimitSigmas * sigma)
        finding = this.finding('info', 'rising away from its baseline', level, est, trend, wallMs, undefined);
    }

    if (finding !== undefined) {
      this.pending.clear();
      return finding;
    }
    // Healthy enough to learn from: it joins the baseline once later bins confirm it (lag).
    const nearBaseline =
      est === undefined ||
      level <=
        est.median + Math.max(3 * est.sigma, this.warn !== undefined ? 0.5 * (this.warn - est.median) : 3 * est.sigma);
    const belowWarning = this.warn === undefined || level < this.warn;
    if (!armed) {
      if (belowWarning) this.baseline.push(binMean);
      this.estimate = undefined;
    } else if (nearBaseline && belowWarning) {
      if (this.pending.length >= this.pending.capacity) {
        this.baseline.push(this.pending.shift());
        this.estimate = undefined;
      }
      this.pending.push(binMean);
    }
    const forecastSoon = trend !== undefined && trend.significant && trend.runMsToLimit <= 2 * t.horizonMs;
    return nearBaseline && belowWarning && !forecastSoon ? 'clear' : 'unknown';
  }

  /** Least-squares trend over the window and the forecast to the alarm (else warning) limit. */
  private trend(runningMs: number, wallMs: number): TrendForecast | undefined {
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
    const limit = this.alarm ?? this.warn;
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

  private finding(
    severity: Finding['severity'],
    what: string,
    level: number,
    est: RobustEstimate | undefined,
    trend: TrendForecast | undefined,
    wallMs: number,
    predictedAt: number | undefined,
  ): Finding {
    const s = this.signal;
    const shown = (v: number): number => round(this.sign * v, 3);
    const unitsPerHour = trend !== undefined ? round(this.sign * trend.slopePerHour, 4) : undefined;
    const forecast =
      trend !== undefined && Number.isFinite(trend.runMsToLimit)
        ? {
            limit: this.alarm !== undefined ? 'alarm' : 'warning',
            limitValue: this.alarm !== undefined ? s.alarm : s.warning,
            predictedAt: new Date(wallMs + trend.runMsToLimit).toISOString(),
            earliest: Number.isFinite(trend.earliest) ? new Date(trend.earliest).toISOString() : null,
            latest: Number.isFinite(trend.latest) ? new Date(trend.latest).toISOString() : null,
            confidence: this.tuning.confidence,
            basis: 'linear trend over running time; assumes the station keeps running',
          }
        : undefined;
    const kindLabel = s.kind === 'other' ? s.tag : s.kind;
    const rising =
      unitsPerHour !== undefined && trend?.significant === true
        ? `, ${unitsPerHour > 0 ? '+' : ''}${unitsPerHour}/h`
        : '';
    return {
      severity,
      summary: `${kindLabel} ${shown(level)} (${what}${rising})`,
      evidence: {
        detector: 'condition_trend',
        tag: s.tag,
        kind: s.kind,
        direction: s.direction,
        level: shown(level),
        ...(s.warning !== undefined ? { warning: s.warning } : {}),
        ...(s.alarm !== undefined ? { alarm: s.alarm } : {}),
        ...(est !== undefined
          ? { baseline: { median: shown(est.median), sigma: round(est.sigma, 4), bins: est.n } }
          : {}),
        ...(trend !== undefined
          ? {
              trend: {
                slopePerRunHour: unitsPerHour,
                slopeSe: round(trend.slopeSe, 4),
                tStat: round(trend.tStat, 1),
                r2: round(trend.r2, 3),
                bins: trend.n,
                binMs: this.tuning.binMs,
              },
            }
          : {}),
        ...(forecast !== undefined ? { forecast } : {}),
        window: windowOf(
          trend?.fromWall ?? this.walls.at(Math.max(0, this.walls.length - this.tuning.levelBins)),
          wallMs,
        ),
      },
      ...(predictedAt !== undefined && Number.isFinite(predictedAt)
        ? { predictedFailureAt: Math.round(predictedAt) }
        : {}),
    };
  }

  checkpoint(): ConditionCheckpoint {
    return { baseline: this.baseline.toArray(), pending: this.pending.toArray() };
  }

  restore(cp: ConditionCheckpoint): void {
    this.baseline.load(cp.baseline ?? []);
    this.pending.load(cp.pending ?? []);
    this.estimate = undefined;
  }
}

interface TrendForecast {
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

/** All condition signals of one station, reported as one alert (one per station and kind). */
export class ConditionDetector {
  constructor(readonly trackers: readonly ConditionTracker[]) {}

  verdict(): Verdict {
    let worst: Finding | undefined;
    const others: { tag: string; summary: string }[] = [];
    let allClear = true;
    for (const tr of this.trackers) {
      const v = tr.settled;
      if (v === 'clear') continue;
      allClear = false;
      if (v === 'unknown') continue;
      if (
        worst === undefined ||
        SEVERITY_RANK[v.severity] > SEVERITY_RANK[worst.severity] ||
        (v.severity === worst.severity && (v.predictedFailureAt ?? Infinity) < (worst.predictedFailureAt ?? Infinity))
      ) {
        if (worst !== undefined) others.push({ tag: String(worst.evidence['tag']), summary: worst.summary });
        worst = v;
      } else {
        others.push({ tag: String(v.evidence['tag']), summary: v.summary });
      }
    }
    if (worst !== undefined)
      return others.length > 0 ? { ...worst, evidence: { ...worst.evidence, otherSignals: others } } : worst;
    return allClear ? 'clear' : 'unknown';
  }
}
