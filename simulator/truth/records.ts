/**
 * Ground-truth records: what really happened on the virtual line, as the agent should see it
 * through the signals the register maps expose, classified by the simulator's own bookkeeping
 * (docs/oee.md; independent of src/core). One JSON object per line; records appear when they
 * are complete (a state interval when it ends, a cycle when its part is done), so the file is in
 * completion order. Every timestamp is given twice: ISO-8601 UTC string and wall ms.
 * simulator/README.md documents every field.
 */

export type TruthState = 'running' | 'small_stop' | 'down' | 'planned_stop' | 'starved' | 'blocked';

/** What physically happened at the start of a state interval. */
export type Cause =
  | 'processing'
  | 'micro_stop'
  | 'breakdown'
  | 'starved'
  | 'blocked'
  | 'changeover'
  | 'break'
  | 'off_shift';

export interface RunRecord {
  readonly type: 'run';
  readonly format: 1;
  readonly scenario: string;
  readonly seed: number;
  readonly timezone: string;
  readonly start: string;
  readonly startMs: number;
  readonly line: string;
  readonly outputStation: string;
  readonly stations: readonly {
    readonly id: string;
    readonly idealCycleTimeMs: number;
    readonly microStopThresholdMs: number;
    readonly stoppedAfterIdealCycles: number;
    readonly stopDetection: StopDetection;
    /** Signals the register maps expose for this station (what the truth assumes the agent sees). */
    readonly observed: readonly string[];
  }[];
}

/**
 * How the agent tells stopped from running: the running bit alone (trustRunningBit), gaps between
 * cycles (no running bit mapped), or both (a running bit the agent does not trust on its own).
 */
export type StopDetection = 'running-bit' | 'cycle-gap' | 'running-bit+cycle-gap';

export interface CycleRecord {
  readonly type: 'cycle';
  readonly station: string;
  /** 1, 2, 3, ... per station. */
  readonly seq: number;
  readonly start: string;
  readonly startMs: number;
  readonly end: string;
  readonly endMs: number;
  /** end - start, including any stop that interrupted the cycle. */
  readonly cycleTimeMs: number;
  /** Pure processing time of the part (the drawn cycle time). */
  readonly processMs: number;
  readonly good: boolean;
  /** Parts made so far including this one, plus the scenario's partStart (before any wrap). */
  readonly counter: number;
  /** Shift instance the cycle counts in ("early@2025-01-06"), null outside every shift. */
  readonly shift: string | null;
}

export interface StateRecord {
  readonly type: 'state';
  readonly station: string;
  readonly state: TruthState;
  /** down: reason id or "unassigned"; planned_stop: "off_shift", the break name or "plc_planned_stop"; starved/blocked: same as state. */
  readonly reason: string | null;
  readonly cause: Cause;
  readonly start: string;
  readonly startMs: number;
  readonly end: string;
  readonly endMs: number;
  readonly durationMs: number;
  readonly faultCode?: number;
  /** Degradation episode active at the start of a breakdown interval. */
  readonly episode?: string;
}

export interface EpisodeInfo {
  readonly id: string;
  readonly degradation: string;
  readonly start: string;
  readonly startMs: number;
  readonly rampMs: number;
}

export interface EpisodeRecord extends EpisodeInfo {
  readonly type: 'episode';
  readonly station: string;
  readonly cycleTimeIncrease: number;
  readonly microStopRateFactor: number;
  readonly conditions: Readonly<Record<string, number>>;
  readonly faultCode: number;
}

export type BreakdownOrigin = 'random' | 'wear' | 'injected';

export interface BreakdownRecord {
  readonly type: 'breakdown';
  readonly station: string;
  readonly faultCode: number;
  readonly reason: string;
  /** random: drawn from MTBF; wear: the end of a degradation episode; injected: from a test or REPL. */
  readonly origin: BreakdownOrigin;
  readonly start: string;
  readonly startMs: number;
  readonly end: string;
  readonly endMs: number;
  readonly repairMs: number;
  /** Processing time since the previous repair (or the run start). */
  readonly operatingMsSinceRepair: number;
  readonly episode: EpisodeInfo | null;
}

export type CommsKind = 'drop' | 'delay' | 'exception' | 'silent' | 'gone' | 'restart';

export interface CommsRecord {
  readonly type: 'comms';
  readonly plc: string;
  readonly kind: CommsKind;
  readonly origin: 'scenario' | 'injected';
  readonly start: string;
  readonly startMs: number;
  /** Planned end (simulated time); equal to start for drop. Null for an injected fault with no end. */
  readonly end: string | null;
  readonly endMs: number | null;
  readonly delayMs?: number;
  readonly exceptionCode?: number;
}

export interface ShiftFigures {
  readonly counts: { readonly total: number; readonly good: number; readonly reject: number };
  /** Window length minus planned stop (comms faults are not subtracted: see README). */
  readonly plannedTimeMs: number;
  /** running + small_stop */
  readonly runTimeMs: number;
  readonly runningMs: number;
  readonly smallStopMs: number;
  readonly downtimeMs: number;
  readonly starvedMs: number;
  readonly blockedMs: number;
  readonly plannedStopMs: number;
  readonly downtimeByReason: Readonly<Record<string, number>>;
  /** down intervals that overlap the window. */
  readonly downIntervals: number;
  readonly availability: number | null;
  readonly performance: number | null;
  readonly quality: number | null;
  readonly oee: number | null;
  readonly mtbfMs: number | null;
  readonly mttrMs: number | null;
}

export interface ShiftRecord {
  readonly type: 'shift';
  readonly shift: string;
  readonly key: string;
  readonly date: string;
  /** The accounting window: the shift, cut to the run's start and end. */
  readonly start: string;
  readonly startMs: number;
  readonly end: string;
  readonly endMs: number;
  /** True when the run started after the shift began or ended before the shift did. */
  readonly partial: boolean;
  readonly stations: Readonly<Record<string, ShiftFigures>>;
  readonly line: ShiftFigures & { readonly outputStation: string; readonly target: number };
}

/**
 * A product changeover as the agent should report it (docs/oee.md#changeovers): from the product
 * change to the start of the first good part of the new product (its end minus its ideal cycle
 * time); 0 when that part completed within one ideal cycle of the change.
 */
export interface ChangeoverRecord {
  readonly type: 'changeover';
  readonly station: string;
  readonly from: string;
  readonly to: string;
  readonly start: string;
  readonly startMs: number;
  readonly end: string;
  readonly endMs: number;
  readonly durationMs: number;
}

/** An order of the product runs (productRuns.orders), written when it starts and when it completes. */
export interface OrderRecord {
  readonly type: 'order';
  readonly phase: 'started' | 'completed';
  readonly id: string;
  readonly product: string;
  readonly quantity: number;
  /** The product change that began it (the run start for the first). */
  readonly start: string;
  readonly startMs: number;
  /** The output station's good part that completed it (phase "completed"). */
  readonly end?: string;
  readonly endMs?: number;
  readonly good?: number;
  readonly reject?: number;
}

export interface EndRecord {
  readonly type: 'end';
  readonly end: string;
  readonly endMs: number;
  readonly cycles: Readonly<Record<string, number>>;
}

export type TruthRecord =
  | RunRecord
  | CycleRecord
  | StateRecord
  | EpisodeRecord
  | BreakdownRecord
  | CommsRecord
  | ShiftRecord
  | ChangeoverRecord
  | OrderRecord
  | EndRecord;

export function iso(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}
