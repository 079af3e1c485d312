/**
 * Sensitivity presets: every detector's thresholds for `alerts.sensitivity` low | medium | high.
 * High warns earlier and on weaker evidence, at the price of more false alarms; low only speaks
 * when it is sure. docs/alerts.md has the measured trade-off (eval:alerts) for each preset.
 *
 * These are constants rather than config on purpose: the presets are what the evaluation
 * measured. Per-station overrides would be the next config to add.
 */
import type { Severity } from './types.js';
export type { Severity };

export type Sensitivity = 'low' | 'medium' | 'high';

export interface CycleDriftTuning {
  /** Clean cycles per subgroup; the charts run on subgroup (trimmed) means. */
  readonly subgroupSize: number;
  /** Share of a subgroup's cycles dropped at each end before averaging (cycles that hid a short stop). */
  readonly trim: number;
  /** Cycles skipped after a stop longer than a small stop (warm-up). */
  readonly warmupCycles: number;
  /** Subgroups needed before the chart is armed. */
  readonly minBaselineSubgroups: number;
  /** Subgroups kept in the baseline (older ones drop out). */
  readonly baselineSubgroups: number;
  /** A subgroup joins the baseline only after this many later subgroups stayed in control (slow drift is not learnt). */
  readonly baselineLagSubgroups: number;
  readonly lambda: number;
  readonly L: number;
  /** CUSUM reference value and decision interval, in baseline sigmas. */
  readonly cusumK: number;
  readonly cusumH: number;
  /** Western Electric rules 2-4 on subgroup means (upward side). */
  readonly runRules: boolean;
  /** Ignore shifts smaller than this share of the baseline cycle time, however significant. */
  readonly minRelativeShift: number;
}

export interface MicroStopTuning {
  /** Sliding window of running time. */
  readonly windowRunMs: number;
  /** Running time before the baseline rate is trusted. */
  readonly minBaselineRunMs: number;
  readonly minBaselineEvents: number;
  /** Poisson tail probability below which the window's count is an alert. */
  readonly alpha: number;
  /** ... and above which it is clear again (hysteresis). */
  readonly clearAlpha: number;
  readonly minCount: number;
  /** The window rate must also be at least this multiple of the baseline. */
  readonly minRatio: number;
}

export interface FaultRecurrenceTuning {
  /** Window of running time in which the same fault code is counted. */
  readonly windowRunMs: number;
  /** The same code this many times within the window ... */
  readonly minCount: number;
  /** ... and that count is improbable at the code's own baseline rate (Poisson). */
  readonly alpha: number;
  readonly minBaselineRunMs: number;
}

export interface ConditionTuning {
  /** Samples are averaged per bin of running time. */
  readonly binMs: number;
  /** Bins in the trend window (regression). */
  readonly windowBins: number;
  readonly minBins: number;
  /** Bins averaged for the current level. */
  readonly levelBins: number;
  /** Forecast horizon: a trend reaching the alarm limit within it is a warning. */
  readonly horizonMs: number;
  /** Slope t statistic needed for a trend to count. */
  readonly minTrendT: number;
  /** Level must have left the baseline by this many baseline sigmas (of bin means) for a trend alert. */
  readonly minDeviationSigmas: number;
  /** ... and by this share of the baseline-to-warning distance. */
  readonly minDeviationShare: number;
  /** Without limits: deviation in baseline sigmas that is an alert. */
  readonly noLimitSigmas: number;
  readonly baselineBins: number;
  readonly minBaselineBins: number;
  readonly baselineLagBins: number;
  /** Confidence of the forecast interval. */
  readonly confidence: number;
}

export interface MtbfTuning {
  readonly minIntervals: number;
  /** Lower 95 % bound of the Weibull shape needed: below it failures may be random and age is no risk. */
  readonly minShape: number;
  /** The conditional probability must also be this multiple of a random-failure station's at the same MTBF. */
  readonly minRiskRatio: number;
  readonly horizonMs: number;
  /** Conditional probability of failing within the horizon that raises an alert. */
  readonly probability: number;
}

export interface AlertTiming {
  /** A finding must persist this long (evaluation time) before an alert opens. */
  readonly raiseAfterMs: number;
  /** Clear evaluations for this long resolve the alert. */
  readonly clearAfterMs: number;
  /** Evidence-only updates are published at most this often (severity changes at once). */
  readonly minUpdateIntervalMs: number;
}

export interface PredictTuning {
  readonly sensitivity: Sensitivity;
  readonly cycleDrift: CycleDriftTuning;
  readonly microStop: MicroStopTuning;
  readonly fault: FaultRecurrenceTuning;
  readonly condition: ConditionTuning;
  readonly mtbf: MtbfTuning;
  readonly timing: Readonly<
    Record<'cycle_drift' | 'micro_stop_rate' | 'fault_recurrence' | 'condition_trend' | 'mtbf_risk', AlertTiming>
  >;
  /** Lowest severity each detector raises on its own evidence (critical is reached on limits). */
  readonly baseSeverity: Severity;
}

const MIN = 60_000;
const HOUR = 3_600_000;

const mediumCycle: CycleDriftTuning = {
  subgroupSize: 30,
  trim: 0.1,
  warmupCycles: 5,
  minBaselineSubgroups: 40,
  baselineSubgroups: 400,
  baselineLagSubgroups: 30,
  lambda: 0.2,
  L: 3.3,
  cusumK: 0.5,
  cusumH: 8,
  runRules: false,
  minRelativeShift: 0.015,
};

const mediumTiming = (raise: number, clear: number): AlertTiming => ({
  raiseAfterMs: raise,
  clearAfterMs: clear,
  minUpdateIntervalMs: 15 * MIN,
});

export const PRESETS: Readonly<Record<Sensitivity, PredictTuning>> = {
  medium: {
    sensitivity: 'medium',
    cycleDrift: mediumCycle,
    microStop: {
      windowRunMs: 2 * HOUR,
      minBaselineRunMs: 8 * HOUR,
      minBaselineEvents: 10,
      alpha: 2e-4,
      clearAlpha: 0.05,
      minCount: 5,
      minRatio: 2,
    },
    fault: { windowRunMs: 8 * HOUR, minCount: 3, alpha: 1e-4, minBaselineRunMs: 24 * HOUR },
    condition: {
      binMs: MIN,
      windowBins: 60,
      minBins: 20,
      levelBins: 5,
      horizonMs: 8 * HOUR,
      minTrendT: 5,
      minDeviationSigmas: 6,
      minDeviationShare: 0.15,
      noLimitSigmas: 8,
      baselineBins: 600,
      minBaselineBins: 60,
      baselineLagBins: 120,
      confidence: 0.9,
    },
    mtbf: { minIntervals: 5, minShape: 1.3, minRiskRatio: 1.5, horizonMs: 4 * HOUR, probability: 0.5 },
    timing: {
      cycle_drift: mediumTiming(10 * MIN, 30 * MIN),
      micro_stop_rate: mediumTiming(0, 30 * MIN),
      fault_recurrence: mediumTiming(0, 0),
      condition_trend: mediumTiming(5 * MIN, 20 * MIN),
      mtbf_risk: mediumTiming(0, 0),
    },
    baseSeverity: 'warning',
  },
  high: {
    sensitivity: 'high',
    cycleDrift: { ...mediumCycle, L: 3.2, cusumH: 8, runRules: true, minRelativeShift: 0.013 },
    microStop: {
      windowRunMs: 2 * HOUR,
      minBaselineRunMs: 6 * HOUR,
      minBaselineEvents: 8,
      alpha: 2e-3,
      clearAlpha: 0.1,
      minCount: 4,
      minRatio: 1.7,
    },
    fault: { windowRunMs: 8 * HOUR, minCount: 3, alpha: 1e-3, minBaselineRunMs: 16 * HOUR },
    condition: {
      binMs: MIN,
      windowBins: 60,
      minBins: 15,
      levelBins: 5,
      horizonMs: 12 * HOUR,
      minTrendT: 4,
      minDeviationSigmas: 5,
      minDeviationShare: 0.1,
      noLimitSigmas: 6,
      baselineBins: 600,
      minBaselineBins: 45,
      baselineLagBins: 120,
      confidence: 0.9,
    },
    mtbf: { minIntervals: 4, minShape: 1.15, minRiskRatio: 1.3, horizonMs: 6 * HOUR, probability: 0.4 },
    timing: {
      cycle_drift: mediumTiming(10 * MIN, 30 * MIN),
      micro_stop_rate: mediumTiming(0, 30 * MIN),
      fault_recurrence: mediumTiming(0, 0),
      condition_trend: mediumTiming(3 * MIN, 20 * MIN),
      mtbf_risk: mediumTiming(0, 0),
    },
    baseSeverity: 'warning',
  },
  low: {
    sensitivity: 'low',
    cycleDrift: { ...mediumCycle, L: 3.5, cusumH: 9, minRelativeShift: 0.025 },
    microStop: {
      windowRunMs: 2 * HOUR,
      minBaselineRunMs: 12 * HOUR,
      minBaselineEvents: 15,
      alpha: 1e-4,
      clearAlpha: 0.02,
      minCount: 6,
      minRatio: 2.5,
    },
    fault: { windowRunMs: 8 * HOUR, minCount: 4, alpha: 2e-5, minBaselineRunMs: 32 * HOUR },
    condition: {
      binMs: MIN,
      windowBins: 60,
      minBins: 30,
      levelBins: 5,
      horizonMs: 4 * HOUR,
      minTrendT: 6,
      minDeviationSigmas: 8,
      minDeviationShare: 0.25,
      noLimitSigmas: 10,
      baselineBins: 600,
      minBaselineBins: 90,
      baselineLagBins: 120,
      confidence: 0.9,
    },
    mtbf: { minIntervals: 6, minShape: 1.5, minRiskRatio: 2, horizonMs: 3 * HOUR, probability: 0.6 },
    timing: {
      cycle_drift: mediumTiming(20 * MIN, 30 * MIN),
      micro_stop_rate: mediumTiming(10 * MIN, 30 * MIN),
      fault_recurrence: mediumTiming(0, 0),
      condition_trend: mediumTiming(10 * MIN, 20 * MIN),
      mtbf_risk: mediumTiming(0, 0),
    },
    baseSeverity: 'warning',
  },
};

export function presetFor(sensitivity: Sensitivity): PredictTuning {
  return PRESETS[sensitivity];
}
