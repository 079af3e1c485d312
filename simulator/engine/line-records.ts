/**
 * The truth records of what happens on the simulated line (cycles, breakdowns, degradation
 * episodes, comms faults, orders) and the comms events sent to the PLC servers, built from the engine's
 * virtual times ("mono", ms since the run start) and the wall time of mono 0.
 */
import type { CommsFaultSpec, DegradationSpec } from '../scenario-schema.js';
import {
  iso,
  type BreakdownRecord,
  type CommsKind,
  type CommsRecord,
  type CycleRecord,
  type EpisodeRecord,
  type OrderRecord,
} from '../truth/records.js';
import type { SimOrder } from './product-runs.js';
import type { CommsOccurrence } from './schedules.js';
import type { CommsEvent } from './sim-line.js';
import type { BreakdownDone, CycleDone } from './station.js';

/** An order of the product runs as it starts (`endMono` undefined) or completes. */
export function orderRecord(order: SimOrder, endMono: number | undefined, startWallMs: number): OrderRecord {
  const startMs = startWallMs + order.startMono;
  const base = {
    type: 'order' as const,
    id: order.id,
    product: order.product.id,
    quantity: order.quantity,
    start: iso(startMs),
    startMs,
  };
  if (endMono === undefined) return { ...base, phase: 'started' };
  const endMs = startWallMs + endMono;
  return { ...base, phase: 'completed', end: iso(endMs), endMs, good: order.good, reject: order.reject };
}

export function cycleRecord(station: string, cycle: CycleDone, startWallMs: number, shift: string | null): CycleRecord {
  const startMs = startWallMs + cycle.startMono;
  const endMs = startWallMs + cycle.endMono;
  return {
    type: 'cycle',
    station,
    seq: cycle.seq,
    start: iso(startMs),
    startMs,
    end: iso(endMs),
    endMs,
    cycleTimeMs: cycle.endMono - cycle.startMono,
    processMs: cycle.processMs,
    good: cycle.good,
    counter: cycle.counter,
    shift,
  };
}

export function breakdownRecord(station: string, b: BreakdownDone, startWallMs: number): BreakdownRecord {
  const ep = b.episode;
  return {
    type: 'breakdown',
    station,
    faultCode: b.faultCode,
    reason: b.reason,
    origin: b.origin,
    start: iso(startWallMs + b.startMono),
    startMs: startWallMs + b.startMono,
    end: iso(startWallMs + b.endMono),
    endMs: startWallMs + b.endMono,
    repairMs: b.endMono - b.startMono,
    operatingMsSinceRepair: b.operatingMsSinceRepair,
    episode:
      ep !== undefined
        ? { id: ep.id, degradation: ep.spec.id, start: iso(ep.startMs), startMs: ep.startMs, rampMs: ep.spec.ramp }
        : null,
  };
}

export function episodeRecord(station: string, id: string, spec: DegradationSpec, startMs: number): EpisodeRecord {
  return {
    type: 'episode',
    station,
    id,
    degradation: spec.id,
    start: iso(startMs),
    startMs,
    rampMs: spec.ramp,
    cycleTimeIncrease: spec.cycleTimeIncrease,
    microStopRateFactor: spec.microStopRateFactor,
    conditions: spec.conditions,
    faultCode: spec.fault.code,
  };
}

/** A scenario comms fault, when its occurrence starts. */
export function scenarioCommsRecord(spec: CommsFaultSpec, occ: CommsOccurrence, startWallMs: number): CommsRecord {
  return {
    type: 'comms',
    plc: spec.plc,
    kind: spec.kind,
    origin: 'scenario',
    start: iso(startWallMs + occ.startMono),
    startMs: startWallMs + occ.startMono,
    end: iso(startWallMs + occ.endMono),
    endMs: startWallMs + occ.endMono,
    ...(spec.delay !== undefined ? { delayMs: spec.delay } : {}),
    ...(spec.exceptionCode !== undefined ? { exceptionCode: spec.exceptionCode } : {}),
  };
}

/** A scenario comms fault starting or ending, for the PLC servers. */
export function scenarioCommsEvent(spec: CommsFaultSpec, phase: 'start' | 'end'): CommsEvent {
  return {
    plc: spec.plc,
    kind: spec.kind,
    phase,
    ...(spec.delay !== undefined ? { delayMs: spec.delay } : {}),
    ...(spec.exceptionCode !== undefined ? { exceptionCode: spec.exceptionCode } : {}),
  };
}

/** A comms fault injected from outside the scenario, starting at wall `startMs`. */
export function injectedCommsRecord(
  plc: string,
  kind: CommsKind,
  startMs: number,
  durationMs: number | undefined,
  extra: { delayMs?: number; exceptionCode?: number },
): CommsRecord {
  const endMs = durationMs !== undefined ? startMs + durationMs : kind === 'drop' ? startMs : null;
  return {
    type: 'comms',
    plc,
    kind,
    origin: 'injected',
    start: iso(startMs),
    startMs,
    end: endMs !== null ? iso(endMs) : null,
    endMs,
    ...extra,
  };
}
