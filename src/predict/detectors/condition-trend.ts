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
 * This file is the state machine (settling, binning, baseline learning, verdicts); the window's
 * statistics are in condition-stats.ts, the wording of a finding in condition-finding.ts.
 */
import type { ConditionSignal } from '../../config/schema.js';
import type { ConditionTuning } from '../presets.js';
import { robustOf, type RobustEstimate } from '../stats/robust.js';
import { NumberRing } from '../stats/ring.js';
import { SEVERITY_RANK, type Finding, type Verdict } from '../types.js';
import { ConditionFindings } from './condition-finding.js';
import { BinWindow } from './condition-stats.js';

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
  private readonly window: BinWindow;
  private readonly findings: ConditionFindings;
  private readonly baseline: NumberRing;
  private readonly pending: NumberRing;
  private estimate: RobustEstimate | undefined;
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
    this.window = new BinWindow(tuning);
    this.findings = new ConditionFindings(signal, this.sign, tuning, this.window);
    this.baseline = new NumberRing(tuning.baselineBins);
    this.pending = new NumberRing(tuning.baselineLagBins);
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
    this.window.push(x, mean, wallMs);
    this.last = this.evaluate(mean, runningMs, wallMs);
    if (this.last !== 'unknown') this.settled = this.last;
    return true;
  }

  private evaluate(binMean: number, runningMs: number, wallMs: number): Verdict {
    const t = this.tuning;
    const n = this.window.length;
    if (n < t.levelBins) return 'unknown';
    const level = this.window.level(t.levelBins);

    const armed = this.baseline.length >= t.minBaselineBins;
    const est = armed ? (this.estimate ??= robustOf(this.baseline)) : undefined;
    const limit = this.alarm ?? this.warn;
    const trend = n >= t.minBins ? this.window.trend(runningMs, wallMs, limit) : undefined;

    let finding: Finding | undefined;
    if (this.alarm !== undefined && level >= this.alarm) {
      finding = this.findings.make('critical', 'alarm limit reached', level, est, trend, wallMs, wallMs);
    } else if (this.warn !== undefined && level >= this.warn) {
      finding = this.findings.make('warning', 'warning limit reached', level, est, trend, wallMs, trend?.predictedAt);
    } else if (trend !== undefined && est !== undefined && trend.significant && limit !== undefined) {
      const sigma = Math.max(est.sigma, 1e-9);
      const dev = level - est.median;
      const share = this.warn !== undefined && this.warn > est.median ? dev / (this.warn - est.median) : 1;
      if (dev >= t.minDeviationSigmas * sigma && share >= t.minDeviationShare && trend.runMsToLimit <= t.horizonMs) {
        finding = this.findings.make(
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
        finding = this.findings.make('info', 'rising away from its baseline', level, est, trend, wallMs, undefined);
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

  checkpoint(): ConditionCheckpoint {
    return { baseline: this.baseline.toArray(), pending: this.pending.toArray() };
  }

  restore(cp: ConditionCheckpoint): void {
    this.baseline.load(cp.baseline ?? []);
    this.pending.load(cp.pending ?? []);
    this.estimate = undefined;
  }
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
