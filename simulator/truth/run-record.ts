import type { Scenario } from '../scenario-schema.js';
import type { Observation } from './observer.js';
import { iso, type RunRecord } from './records.js';

/** The first truth record: what was simulated and what the agent is assumed to see. */
export function runRecord(
  scenario: Scenario,
  seed: number,
  startWallMs: number,
  outputStation: string,
  obs: readonly Observation[],
): RunRecord {
  return {
    type: 'run',
    format: 1,
    scenario: scenario.name,
    seed,
    timezone: scenario.shifts.timezone,
    start: iso(startWallMs),
    startMs: startWallMs,
    line: scenario.line.id,
    outputStation,
    stations: obs.map((o) => ({
      id: o.station,
      idealCycleTimeMs: o.idealCycleTimeMs,
      microStopThresholdMs: o.microStopThresholdMs,
      stoppedAfterIdealCycles: o.stoppedAfterIdealCycles,
      stopDetection: o.stopDetection,
      observed: [
        ...(o.stopDetection !== 'cycle-gap' ? ['running'] : []),
        ...(['faultCode', 'starved', 'blocked', 'plannedStop'] as const).filter((k) => o[k]),
      ],
    })),
  };
}
