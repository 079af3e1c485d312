/**
 * MTBF-based risk, per failure mode: time since a fault code last struck against that code's own
 * history of times between occurrences. A part that wears out (a bearing, an electrode) fails at
 * a typical age; a jam strikes at random. For each fault code with enough history a Weibull
 * distribution is fitted to the uptimes between its occurrences. Only when the fit shows wear-out
 * with confidence (the shape's lower 95 % bound above `minShape`) does age mean risk; the alert
 * fires when the probability of that failure within the horizon, given the uptime since its last
 * occurrence, passes the preset's level and is clearly above what a random failure at the same
 * MTBF would give. The alert names the failure mode and forecasts the median remaining life with
 * its 10-90 % range.
 */
import type { MtbfTuning } from '../presets.js';
import { conditionalFailureProbability, fitWeibull, residualLifeQuantile, type WeibullFit } from '../stats/weibull.js';
import { round, type Finding, type Verdict } from '../types.js';

const HOUR = 3_600_000;
const KEEP_INTERVALS = 40;

interface FailureMode {
  readonly code: string;
  reason: string;
  intervals: number[];
  fit: WeibullFit | undefined;
  /** Station uptime at the last occurrence; NaN before the first. */
  lastUptime: number;
  /** Age carried over a restart (uptime since the last occurrence at checkpoint time). */
  restoredAge: number;
}

export interface MtbfCheckpoint {
  readonly modes: Readonly<
    Record<string, { readonly reason: string; readonly intervalsMs: number[]; readonly ageMs: number | null }>
  >;
}

export class MtbfRiskDetector {
  private readonly modes = new Map<string, FailureMode>();

  constructor(private readonly tuning: MtbfTuning) {}

  /** A breakdown started: `code` is the fault code (or the reason when the PLC gives none). */
  onBreakdown(code: string, reason: string, uptimeMs: number): void {
    let mode = this.modes.get(code);
    if (mode === undefined) {
      mode = { code, reason, intervals: [], fit: undefined, lastUptime: Number.NaN, restoredAge: Number.NaN };
      this.modes.set(code, mode);
    }
    mode.reason = reason;
    const age = ageOf(mode, uptimeMs);
    if (Number.isFinite(age) && age > 0) {
      mode.intervals.push(age);
      if (mode.intervals.length > KEEP_INTERVALS) mode.intervals.shift();
      mode.fit = undefined;
    }
    mode.lastUptime = uptimeMs;
    mode.restoredAge = Number.NaN;
  }

  evaluate(uptimeMs: number, wallMs: number): Verdict {
    const t = this.tuning;
    let armed = false;
    let best: { p: number; finding: Finding } | undefined;
    let holding = false;
    for (const mode of this.modes.values()) {
      const n = mode.intervals.length;
      if (n < t.minIntervals || Number.isNaN(mode.lastUptime)) continue;
      armed = true;
      const fit = (mode.fit ??= fitWeibull(mode.intervals));
      if (fit === undefined) continue;
      // Wear-out must be established, not suggested by a few intervals: the lower 95 % bound of
      // the shape (large-sample SE of the Weibull shape MLE ~ 0.78 k / sqrt(n)) must pass minShape.
      const shapeLower = fit.shape * (1 - (1.645 * 0.78) / Math.sqrt(n));
      if (shapeLower < t.minShape) continue;
      const age = ageOf(mode, uptimeMs);
      const p = conditionalFailureProbability(fit, age, t.horizonMs);
      const mtbf = mode.intervals.reduce((s, v) => s + v, 0) / n;
      // Compared with a failure that strikes at random at the same MTBF: is age raising the risk?
      const riskRatio = p / (1 - Math.exp(-t.horizonMs / mtbf));
      if (p < t.probability || riskRatio < t.minRiskRatio) {
        if (p >= 0.8 * t.probability) holding = true;
        continue;
      }
      if (best !== undefined && best.p >= p) continue;
      const median = residualLifeQuantile(fit, age, 0.5);
      const early = residualLifeQuantile(fit, age, 0.1);
      const late = residualLifeQuantile(fit, age, 0.9);
      best = {
        p,
        finding: {
          severity: 'warning',
          summary: `${mode.reason} (${mode.code}): ${round(age / HOUR, 1)} h running since it last failed (typical ${round(mtbf / HOUR, 1)} h), ${round(p * 100, 0)} % chance it fails within ${round(t.horizonMs / HOUR, 1)} h`,
          predictedFailureAt: Math.round(wallMs + median),
          evidence: {
            detector: 'mtbf_risk',
            faultCode: mode.code,
            reason: mode.reason,
            uptimeSinceLastHours: round(age / HOUR, 2),
            occurrences: n + 1,
            mtbfHours: round(mtbf / HOUR, 2),
            weibull: {
              shape: round(fit.shape, 2),
              shapeLower95: round(shapeLower, 2),
              scaleHours: round(fit.scale / HOUR, 2),
            },
            horizonHours: round(t.horizonMs / HOUR, 2),
            probabilityWithinHorizon: round(p, 3),
            riskRatioVsRandom: round(riskRatio, 2),
            threshold: t.probability,
            forecast: {
              predictedAt: new Date(wallMs + median).toISOString(),
              earliest: new Date(wallMs + early).toISOString(),
              latest: new Date(wallMs + late).toISOString(),
              confidence: 0.8,
              basis: 'Weibull fit of uptime between occurrences of this fault; assumes the station keeps running',
            },
          },
        },
      };
    }
    if (best !== undefined) return best.finding;
    if (!armed) return 'unknown';
    return holding ? 'unknown' : 'clear';
  }

  checkpoint(uptimeMs: number): MtbfCheckpoint {
    const modes: Record<string, { reason: string; intervalsMs: number[]; ageMs: number | null }> = {};
    for (const m of this.modes.values()) {
      const age = ageOf(m, uptimeMs);
      modes[m.code] = { reason: m.reason, intervalsMs: [...m.intervals], ageMs: Number.isFinite(age) ? age : null };
    }
    return { modes };
  }

  restore(cp: MtbfCheckpoint, uptimeMs: number): void {
    for (const [code, m] of Object.entries(cp.modes ?? {})) {
      const intervals = (m.intervalsMs ?? []).filter((v) => Number.isFinite(v) && v > 0).slice(-KEEP_INTERVALS);
      const hasAge = m.ageMs !== null && Number.isFinite(m.ageMs);
      this.modes.set(code, {
        code,
        reason: String(m.reason),
        intervals,
        fit: undefined,
        lastUptime: hasAge ? uptimeMs : Number.NaN,
        restoredAge: hasAge ? (m.ageMs as number) : Number.NaN,
      });
    }
  }
}

function ageOf(mode: FailureMode, uptimeMs: number): number {
  if (!Number.isNaN(mode.restoredAge)) return mode.restoredAge + (uptimeMs - mode.lastUptime);
  return uptimeMs - mode.lastUptime;
}
