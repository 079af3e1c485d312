/**
 * Scores alerts against the simulator's ground truth, knowing nothing of how the detectors work.
 *
 * - A degradation-driven breakdown (truth origin "wear") is *warned* by an alert of the same
 *   station that opened inside the breakdown's degradation episode (at or after the episode
 *   start) and was still open (not resolved) when the breakdown started. Its lead time is the
 *   breakdown start minus the earliest such opening. It counts as warned in time when the lead
 *   is at least `minLeadMs` (30 min).
 * - Random breakdowns (no episode) are scored the same way, without the episode condition, and
 *   reported on their own line: they are not expected to be predicted.
 * - False alerts: on steady runs (the steady scenario, or a wear scenario run without its wear)
 *   every alert that opened; per station-week.
 *   On degrading runs, alerts opened on a station outside all of its episodes are reported too.
 * Leads of missed breakdowns count as 0 in the median and 10th percentile.
 */
import type { AlertSpan, EvalJob, EvalJobResult } from './eval-job.js';

const WEEK = 7 * 86_400_000;

export interface DetectorScore {
  readonly detector: string;
  readonly degradationBreakdowns: number;
  readonly warnedInTime: number;
  readonly warnedAtAll: number;
  readonly medianLeadMs: number;
  readonly p10LeadMs: number;
  readonly randomBreakdowns: number;
  readonly randomWarned: number;
  readonly steadyAlerts: number;
  readonly steadyStationWeeks: number;
  readonly degradingStationWeeks: number;
  readonly alertsOutsideEpisodes: number;
}

/** A run with no wear: every alert on it is a false alert. */
export function isSteadyRun(job: EvalJob): boolean {
  return job.scenario === 'steady' || job.wear === false;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Lead (ms) of the earliest qualifying alert before `startMs`, or undefined. */
export function leadFor(
  alerts: readonly AlertSpan[],
  station: string,
  startMs: number,
  notBeforeMs: number,
): number | undefined {
  let earliest = Infinity;
  for (const a of alerts) {
    if (a.station !== station || a.openedAt < notBeforeMs || a.openedAt > startMs) continue;
    if (a.resolvedAt !== null && a.resolvedAt < startMs) continue;
    if (a.openedAt < earliest) earliest = a.openedAt;
  }
  return Number.isFinite(earliest) ? startMs - earliest : undefined;
}

export function score(
  results: readonly EvalJobResult[],
  detector: string | 'overall',
  minLeadMs: number,
): DetectorScore {
  const pick = (r: EvalJobResult): readonly AlertSpan[] =>
    detector === 'overall' ? r.alerts : r.alerts.filter((a) => a.kind === detector);
  const leads: number[] = [];
  let degradation = 0;
  let inTime = 0;
  let atAll = 0;
  let random = 0;
  let randomWarned = 0;
  let steadyAlerts = 0;
  let steadyWeeks = 0;
  let degradingWeeks = 0;
  let outside = 0;
  for (const r of results) {
    const alerts = pick(r);
    const weeks = ((r.endMs - r.startMs) / WEEK) * r.stations.length;
    if (isSteadyRun(r.job)) {
      steadyWeeks += weeks;
      steadyAlerts += alerts.length;
    } else {
      degradingWeeks += weeks;
      for (const a of alerts) {
        const inEpisode = r.breakdowns.some(
          (b) =>
            b.station === a.station && b.episode !== null && a.openedAt >= b.episode.startMs && a.openedAt <= b.startMs,
        );
        const openEpisode = r.episodes.some(
          (e) =>
            e.station === a.station && a.openedAt >= e.startMs && !r.breakdowns.some((b) => b.episode?.id === e.id),
        );
        if (!inEpisode && !openEpisode) outside++;
      }
    }
    for (const b of r.breakdowns) {
      if (b.origin === 'wear' && b.episode !== null) {
        degradation++;
        const lead = leadFor(alerts, b.station, b.startMs, b.episode.startMs);
        leads.push(lead ?? 0);
        if (lead !== undefined) atAll++;
        if (lead !== undefined && lead >= minLeadMs) inTime++;
      } else if (b.origin === 'random') {
        random++;
        const lead = leadFor(alerts, b.station, b.startMs, -Infinity);
        if (lead !== undefined && lead >= minLeadMs) randomWarned++;
      }
    }
  }
  leads.sort((a, b) => a - b);
  return {
    detector,
    degradationBreakdowns: degradation,
    warnedInTime: inTime,
    warnedAtAll: atAll,
    medianLeadMs: quantile(leads, 0.5),
    p10LeadMs: quantile(leads, 0.1),
    randomBreakdowns: random,
    randomWarned,
    steadyAlerts,
    steadyStationWeeks: steadyWeeks,
    degradingStationWeeks: degradingWeeks,
    alertsOutsideEpisodes: outside,
  };
}

function pct(n: number, d: number): string {
  return d === 0 ? '—' : `${((100 * n) / d).toFixed(1)} %`;
}

function hours(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 3_600_000).toFixed(2)} h` : '—';
}

/** A Markdown table: one row per detector and the overall row, then random breakdowns on their own. */
export function formatTable(scores: readonly DetectorScore[], minLeadMs: number): string {
  const head = `| detector | degradation breakdowns | warned >= ${minLeadMs / 60_000} min ahead | warned at all | median lead | p10 lead | false alerts / station-week (steady) | alerts outside episodes / station-week (degrading) |`;
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const rows = scores.map(
    (s) =>
      `| ${s.detector} | ${s.degradationBreakdowns} | ${s.warnedInTime} (${pct(s.warnedInTime, s.degradationBreakdowns)}) | ${pct(s.warnedAtAll, s.degradationBreakdowns)} | ${hours(s.medianLeadMs)} | ${hours(s.p10LeadMs)} | ` +
      `${s.steadyStationWeeks > 0 ? (s.steadyAlerts / s.steadyStationWeeks).toFixed(3) : '—'} (${s.steadyAlerts} in ${s.steadyStationWeeks.toFixed(0)}) | ${s.degradingStationWeeks > 0 ? (s.alertsOutsideEpisodes / s.degradingStationWeeks).toFixed(3) : '—'} |`,
  );
  const overall = scores.find((s) => s.detector === 'overall');
  const random =
    overall !== undefined
      ? `\nRandom breakdowns (no degradation; not expected to be predicted): ${overall.randomBreakdowns}, of which ${overall.randomWarned} (${pct(overall.randomWarned, overall.randomBreakdowns)}) had an open alert opened >= ${minLeadMs / 60_000} min before.`
      : '';
  return [head, rule, ...rows].join('\n') + random;
}
