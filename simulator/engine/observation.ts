/**
 * What the agent can see of each station, derived from the scenario's register maps: the truth
 * classifies states from exactly these signals (see truth/observer.ts).
 */
import { parseSignal } from '../plc/signals.js';
import type { Scenario } from '../scenario-schema.js';
import type { Observation } from '../truth/observer.js';

/** Signal names bound for each station in any PLC map, plus "partSensor" for GPIO inputs. */
export function boundSignals(scenario: Scenario): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(scenario.line.stations.map((s) => [s.id, new Set<string>()]));
  for (const plc of scenario.plcs) {
    for (const entry of plc.registers) {
      const sig = entry.signal !== undefined ? parseSignal(entry.signal) : undefined;
      if (sig?.kind !== 'station') continue;
      out.get(sig.station)?.add(sig.signal === 'condition' ? `condition.${sig.condition}` : sig.signal);
    }
  }
  for (const input of scenario.gpio.inputs) out.get(input.station)?.add('partSensor');
  return out;
}

/** Fault code -> reason id for a station, from its breakdown faults and degradation episodes. */
export function faultReasons(scenario: Scenario, stationId: string): Map<number, string> {
  const map = new Map<number, string>();
  const station = scenario.line.stations.find((s) => s.id === stationId);
  for (const f of station?.breakdowns?.faults ?? []) map.set(f.code, f.reason);
  for (const d of scenario.degradation) if (d.station === stationId) map.set(d.fault.code, d.fault.reason);
  return map;
}

export function observations(scenario: Scenario): Observation[] {
  const bound = boundSignals(scenario);
  return scenario.line.stations.map((s) => {
    const b = bound.get(s.id) ?? new Set<string>();
    return {
      station: s.id,
      idealCycleTimeMs: s.idealCycleTime,
      microStopThresholdMs: s.microStopThreshold,
      stoppedAfterIdealCycles: s.stoppedAfterIdealCycles,
      stopDetection: !b.has('running') ? 'cycle-gap' : s.trustRunningBit ? 'running-bit' : 'running-bit+cycle-gap',
      faultCode: b.has('faultCode'),
      starved: b.has('starved'),
      blocked: b.has('blocked'),
      plannedStop: b.has('plannedStop'),
      faultReasons: faultReasons(scenario, s.id),
      changeoverPlanned: scenario.productRuns?.planned ?? false,
    };
  });
}
