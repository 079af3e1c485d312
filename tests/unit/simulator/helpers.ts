import { loadScenarioText } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import { createSimLine } from '../../../simulator/engine/line.js';
import type { TruthRecord } from '../../../simulator/truth/records.js';

/** Parses a scenario or fails the test with the issues. */
export function scenarioOf(yaml: string): Scenario {
  const result = loadScenarioText(yaml);
  if (!result.ok)
    throw new Error(`scenario invalid:\n${result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return result.scenario as Scenario;
}

/** Runs a scenario in virtual time for `durationMs` and returns every truth record. */
export function runTruth(scenario: Scenario, durationMs: number, seed = 1): TruthRecord[] {
  const records: TruthRecord[] = [];
  const line = createSimLine(scenario, { seed, onTruth: (r) => records.push(r) });
  line.finish(durationMs);
  return records;
}

export function ofType<T extends TruthRecord['type']>(
  records: readonly TruthRecord[],
  type: T,
): Extract<TruthRecord, { type: T }>[] {
  return records.filter((r): r is Extract<TruthRecord, { type: T }> => r.type === type);
}

export const HOUR = 3_600_000;
export const MIN = 60_000;
