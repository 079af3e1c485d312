/**
 * One evaluation job: a scenario and seed run through the real core and the predictor, reduced
 * to what scoring needs (ground-truth breakdowns and episodes, alert openings and resolutions).
 * Runs in-process (tests) or in a forked worker (`npm run eval:alerts`).
 */
import type { AlertEvent } from '../src/core/events.js';
import type { LinesideConfig } from '../src/config/schema.js';
import { createPredictor, type Sensitivity } from '../src/predict/index.js';
import type { BreakdownRecord, EpisodeRecord } from '../simulator/truth/records.js';
import type { Scenario } from '../simulator/scenario-schema.js';
import { runScenario } from './eval-harness.js';

export interface EvalJob {
  /** A bundled scenario with wear ('degrading', 'degrading-rough'), 'steady' or 'changeovers'. */
  readonly scenario: 'degrading' | 'degrading-rough' | 'steady' | 'changeovers';
  /** false: the scenario's degradation list is dropped, leaving its healthy line (a steady reference). */
  readonly wear?: boolean;
  /** false: the agent config watches no condition signal (a line with part counters only). */
  readonly conditions?: boolean;
  readonly seed: number;
  readonly days: number;
  readonly sensitivity: Sensitivity;
}

export interface AlertSpan {
  readonly alertId: string;
  readonly station: string;
  readonly kind: string;
  readonly openedAt: number;
  /** Wall ms of resolution; null while still open at the end of the run. */
  readonly resolvedAt: number | null;
  readonly maxSeverity: AlertEvent['severity'];
  readonly predictedFailureAt: number | null;
}

export interface EvalJobResult {
  readonly job: EvalJob;
  readonly stations: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
  readonly breakdowns: readonly Pick<BreakdownRecord, 'station' | 'startMs' | 'origin' | 'faultCode' | 'episode'>[];
  readonly episodes: readonly Pick<EpisodeRecord, 'station' | 'id' | 'startMs'>[];
  readonly alerts: readonly AlertSpan[];
  /** Product changeovers of the line (counted at its first station). */
  readonly changeovers: number;
  /** Wall ms each changeover of the line started (its first station's). */
  readonly changeoverStarts: readonly number[];
  readonly cpuMs: number;
}

const DAY = 86_400_000;
const RANK = { info: 0, warning: 1, critical: 2 } as const;

export function runEvalJob(job: EvalJob): EvalJobResult {
  const cpu0 = process.cpuUsage();
  const breakdowns: EvalJobResult['breakdowns'][number][] = [];
  const episodes: EvalJobResult['episodes'][number][] = [];
  const spans = new Map<string, { -readonly [K in keyof AlertSpan]: AlertSpan[K] }>();
  const changeoverStations = new Map<string, number[]>();
  let predictor: ReturnType<typeof createPredictor> | undefined;
  const run = runScenario({
    scenario: job.scenario,
    seed: job.seed,
    durationMs: job.days * DAY,
    ...(job.wear === false ? { editScenario: (s: Scenario) => ({ ...s, degradation: [] }) } : {}),
    // OEE snapshots every 10 s are for dashboards; the predictors do not read them.
    editConfig: (c) => {
      const config = { ...c, agent: { ...c.agent, oeeInterval: 3_600_000 } };
      return job.conditions === false ? withoutConditions(config) : config;
    },
    onTruth: (r) => {
      if (r.type === 'breakdown')
        breakdowns.push({
          station: r.station,
          startMs: r.startMs,
          origin: r.origin,
          faultCode: r.faultCode,
          episode: r.episode,
        });
      else if (r.type === 'episode') episodes.push({ station: r.station, id: r.id, startMs: r.startMs });
      else if (r.type === 'changeover')
        changeoverStations.set(r.station, [...(changeoverStations.get(r.station) ?? []), r.startMs]);
    },
    onEvent: (e) => predictor?.onEvent(e),
    onSample: (s) => predictor?.onSample(s),
    afterPoll: () => predictor?.tick(),
    onStart: (config, clock) => {
      predictor = createPredictor(config, { clock, sensitivity: job.sensitivity });
      predictor.on((e) => {
        const span = spans.get(e.alertId);
        if (span === undefined) {
          spans.set(e.alertId, {
            alertId: e.alertId,
            station: e.station,
            kind: e.kind,
            openedAt: e.ts,
            resolvedAt: e.status === 'resolved' ? e.ts : null,
            maxSeverity: e.severity,
            predictedFailureAt: e.predictedFailureAt ?? null,
          });
          return;
        }
        if (RANK[e.severity] > RANK[span.maxSeverity]) span.maxSeverity = e.severity;
        if (e.status === 'resolved') span.resolvedAt = e.ts;
        if (e.predictedFailureAt !== undefined) span.predictedFailureAt = e.predictedFailureAt;
      });
    },
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    job,
    stations: run.config.lines.flatMap((l) => l.stations.map((s) => s.id)),
    startMs: run.line.startWallMs,
    endMs: run.line.startWallMs + job.days * DAY,
    breakdowns,
    episodes,
    alerts: [...spans.values()],
    changeovers: changeoverStations.get(run.config.lines[0]?.stations[0]?.id ?? '')?.length ?? 0,
    changeoverStarts: changeoverStations.get(run.config.lines[0]?.stations[0]?.id ?? '') ?? [],
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The config with no condition signal on any station: the detectors never see one. */
function withoutConditions(config: LinesideConfig): LinesideConfig {
  return {
    ...config,
    lines: config.lines.map((line) => ({
      ...line,
      stations: line.stations.map((station) => ({ ...station, conditions: [] })),
    })),
  };
}
