/**
 * Regression guard for `npm run eval:alerts`: a small fixed-seed run of the simulator's
 * `degrading` and `steady` scenarios through the real core and the predictor (virtual time, no
 * sockets), scored against the simulator's ground truth. The full evaluation runs many seeds;
 * this one keeps a detector change from silently losing the warnings or crying wolf.
 */
import { describe, expect, it } from 'vitest';
import { runEvalJob } from '../../../scripts/eval-job.js';
import { score } from '../../../scripts/eval-score.js';

const MIN_LEAD_MS = 30 * 60_000;

describe('predictive alerts against simulator ground truth (fixed seeds)', () => {
  it('warns every wear-out breakdown of 3 degrading days at least 30 min ahead', () => {
    const result = runEvalJob({ scenario: 'degrading', seed: 1, days: 3, sensitivity: 'medium' });
    const overall = score([result], 'overall', MIN_LEAD_MS);
    // Seed 1, 3 days: press bearing fails twice, weld cooling once.
    expect(overall.degradationBreakdowns).toBe(3);
    expect(overall.warnedInTime).toBe(3);
    expect(overall.p10LeadMs).toBeGreaterThan(2 * 3_600_000);
    const condition = score([result], 'condition_trend', MIN_LEAD_MS);
    expect(condition.warnedInTime).toBe(3);
    // Every alert carries its evidence window; condition alerts a forecast.
    expect(result.alerts.every((a) => a.openedAt >= result.startMs)).toBe(true);
    expect(result.alerts.filter((a) => a.kind === 'condition_trend').every((a) => a.predictedFailureAt !== null)).toBe(
      true,
    );
  });

  it('raises at most one alert per station-week on 3 steady days', () => {
    const result = runEvalJob({ scenario: 'steady', seed: 1, days: 3, sensitivity: 'medium' });
    const overall = score([result], 'overall', MIN_LEAD_MS);
    expect(overall.steadyStationWeeks).toBeGreaterThan(1);
    expect(overall.steadyAlerts / overall.steadyStationWeeks).toBeLessThanOrEqual(1);
    expect(result.alerts.filter((a) => a.kind === 'condition_trend' || a.kind === 'cycle_drift')).toEqual([]);
  });

  it('warns most rough wear-out breakdowns of 5 days from part counters alone (no condition signals)', () => {
    const result = runEvalJob({
      scenario: 'degrading-rough',
      seed: 1,
      days: 5,
      sensitivity: 'medium',
      conditions: false,
    });
    const overall = score([result], 'overall', MIN_LEAD_MS);
    // Seed 1, 5 days: nine wear-out breakdowns on the three stations; the first days also teach
    // the baselines, so not all can be warned.
    expect(overall.degradationBreakdowns).toBe(9);
    expect(overall.warnedInTime).toBeGreaterThanOrEqual(6);
    expect(result.alerts.filter((a) => a.kind === 'condition_trend')).toEqual([]);
  });

  it('stays quiet on the same rough line without wear', () => {
    const result = runEvalJob({
      scenario: 'degrading-rough',
      wear: false,
      seed: 1,
      days: 5,
      sensitivity: 'medium',
      conditions: false,
    });
    expect(result.alerts.filter((a) => a.kind === 'cycle_drift')).toEqual([]);
  });
});
