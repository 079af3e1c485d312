/**
 * Writes a condition signal's finding: the summary line and the evidence (level, limits, baseline,
 * trend, forecast), with mirrored values turned back into the signal's own units.
 */
import type { ConditionSignal } from '../../config/schema.js';
import type { ConditionTuning } from '../presets.js';
import type { RobustEstimate } from '../stats/robust.js';
import { round, windowOf, type Finding } from '../types.js';
import type { BinWindow, TrendForecast } from './condition-stats.js';

export class ConditionFindings {
  constructor(
    private readonly signal: ConditionSignal,
    /** +1: bad when rising; -1: bad when falling (values are mirrored). */
    private readonly sign: number,
    private readonly tuning: ConditionTuning,
    private readonly window: BinWindow,
  ) {}

  /** The finding for a (mirrored) `level` at `wallMs`; `predictedAt` becomes predictedFailureAt. */
  make(
    severity: Finding['severity'],
    what: string,
    level: number,
    est: RobustEstimate | undefined,
    trend: TrendForecast | undefined,
    wallMs: number,
    predictedAt: number | undefined,
  ): Finding {
    const s = this.signal;
    const walls = this.window.walls;
    const shown = (v: number): number => round(this.sign * v, 3);
    const unitsPerHour = trend !== undefined ? round(this.sign * trend.slopePerHour, 4) : undefined;
    const forecast =
      trend !== undefined && Number.isFinite(trend.runMsToLimit)
        ? {
            limit: s.alarm !== undefined ? 'alarm' : 'warning',
            limitValue: s.alarm !== undefined ? s.alarm : s.warning,
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
        window: windowOf(trend?.fromWall ?? walls.at(Math.max(0, walls.length - this.tuning.levelBins)), wallMs),
      },
      ...(predictedAt !== undefined && Number.isFinite(predictedAt)
        ? { predictedFailureAt: Math.round(predictedAt) }
        : {}),
    };
  }
}
