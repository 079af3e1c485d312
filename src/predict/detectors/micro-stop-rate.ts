/**
 * Micro-stop rate: a machine that hesitates more and more often. Micro-stops (small stops) are
 * counted over a sliding window of running time and compared with the station's own baseline
 * rate by a Poisson test: the alert says "k stops in the last 2 h of running where about m were
 * expected, a count this high happens by chance with probability p".
 *
 * The baseline is everything older than the window (per running hour), learnt only while the
 * detector is quiet, so a worsening period does not raise its own reference.
 */
import type { MicroStopTuning } from '../presets.js';
import { poissonUpperTail } from '../stats/poisson.js';
import { NumberRing } from '../stats/ring.js';
import { round, type Verdict } from '../types.js';

const HOUR = 3_600_000;

export interface MicroStopCheckpoint {
  readonly baselineEvents: number;
  readonly baselineRunMs: number;
}

export class MicroStopRateDetector {
  /** Running-time positions (ms) of recent micro-stops, oldest first. */
  private readonly stops = new NumberRing(4096);
  /** Wall times of the same stops, for the evidence window. */
  private readonly stopWall = new NumberRing(4096);
  private baselineEvents = 0;
  private baselineRunMs = 0;
  /** Running time already accounted into the baseline (or discarded). */
  private settledRunMs = Number.NaN;
  private signalling = false;
  /** Running time when this detector started watching (the window is shorter before it is full). */
  private originRunMs = Number.NaN;

  constructor(private readonly tuning: MicroStopTuning) {}

  onMicroStop(runningMs: number, wallMs: number): void {
    this.stops.push(runningMs);
    this.stopWall.push(wallMs);
  }

  /** The last micro-stop turned out to be a downtime (it outlasted the threshold): not a micro-stop. */
  retractLast(): void {
    this.stops.pop();
    this.stopWall.pop();
  }

  evaluate(runningMs: number, wallMs: number): Verdict {
    const t = this.tuning;
    if (Number.isNaN(this.settledRunMs)) {
      this.settledRunMs = runningMs;
      this.originRunMs = runningMs;
    }
    const windowStart = runningMs - t.windowRunMs;
    // Move what left the window into the baseline (or drop it while we are signalling).
    while (this.stops.length > 0 && this.stops.at(0) <= windowStart) {
      this.stops.shift();
      this.stopWall.shift();
      if (!this.signalling) this.baselineEvents++;
    }
    if (windowStart > this.settledRunMs) {
      if (!this.signalling) this.baselineRunMs += windowStart - this.settledRunMs;
      this.settledRunMs = windowStart;
    }
    if (this.baselineRunMs < t.minBaselineRunMs || this.baselineEvents < t.minBaselineEvents) return 'unknown';
    const rate = this.baselineEvents / this.baselineRunMs;
    const exposure = Math.min(t.windowRunMs, Math.max(0, runningMs - this.originRunMs));
    if (exposure < t.windowRunMs / 4) return 'unknown';
    const k = this.stops.length;
    const expected = rate * exposure;
    const p = poissonUpperTail(k, expected);
    if (k >= t.minCount && k >= t.minRatio * expected && p < t.alpha) {
      this.signalling = true;
      const perHour = (k / exposure) * HOUR;
      return {
        severity: 'warning',
        summary: `${k} micro-stops in the last ${round(exposure / HOUR, 1)} h of running, about ${round(expected, 1)} expected (${round(perHour, 1)}/h vs ${round(rate * HOUR, 2)}/h)`,
        evidence: {
          detector: 'micro_stop_rate',
          count: k,
          expected: round(expected, 2),
          ratePerRunHour: round(perHour, 2),
          baselineRatePerRunHour: round(rate * HOUR, 3),
          baselineRunHours: round(this.baselineRunMs / HOUR, 1),
          pValue: p < 1e-12 ? 0 : Number(p.toPrecision(3)),
          alpha: t.alpha,
          test: 'poisson upper tail',
          windowRunHours: round(exposure / HOUR, 2),
          window: {
            from: new Date(this.stopWall.length > 0 ? this.stopWall.at(0) : wallMs).toISOString(),
            to: new Date(wallMs).toISOString(),
          },
        },
      };
    }
    if (p > t.clearAlpha || k <= 1.2 * expected) {
      this.signalling = false;
      return 'clear';
    }
    return 'unknown';
  }

  checkpoint(): MicroStopCheckpoint {
    return { baselineEvents: this.baselineEvents, baselineRunMs: this.baselineRunMs };
  }

  restore(cp: MicroStopCheckpoint): void {
    if (Number.isFinite(cp.baselineEvents) && Number.isFinite(cp.baselineRunMs)) {
      this.baselineEvents = cp.baselineEvents;
      this.baselineRunMs = cp.baselineRunMs;
    }
  }
}
