/**
 * What the core emits. Outputs (spool -> MQTT/InfluxDB, history, live snapshot) consume these;
 * the MQTT payloads (docs/architecture.md#mqtt) are built from them. All timestamps are wall time
 * in ms since the epoch (serialised as ISO-8601 UTC by outputs); all durations come from the
 * monotonic clock. `seq` is per station, strictly increasing across restarts (checkpointed), so
 * consumers can order and deduplicate; `id` is unique per event across the agent's life.
 */
import type { LossCategory } from '../config/schema.js';

export type StationState = 'running' | 'small_stop' | 'down' | 'planned_stop' | 'starved' | 'blocked' | 'comms_lost';

interface EventBase {
  /** Unique event id, e.g. "press-000000123" (station + seq); stable across replays. */
  readonly id: string;
  readonly line: string;
  /** Absent on line-level events (line OEE). */
  readonly station?: string;
  /** Per-station (or per-line for line events) sequence number. */
  readonly seq: number;
  /** Wall time of the event, ms since the epoch. */
  readonly ts: number;
}

export interface CycleEvent extends EventBase {
  readonly type: 'cycle';
  readonly station: string;
  /**
   * Time since the previous cycle end (apportioned when several completed in one poll); absent
   * when unknown: the first cycle after start or after comms came back, whose previous end was
   * not seen (a 0 there skewed every consumer's average).
   */
  readonly cycleTimeMs?: number;
  readonly good: boolean;
  /** Counted in the shift that was active at ts (undefined outside shifts). */
  readonly shift?: string;
  /** The product the station ran (products[].id), when one is set. */
  readonly product?: string;
  /** A reject's scrap reason (scrapReasons[].id, or "unassigned" when no per-reason counter says). */
  readonly scrapReason?: string;
  /** A reject made in the start-up window after a changeover. */
  readonly startup?: boolean;
}

export interface StateEvent extends EventBase {
  readonly type: 'state';
  readonly station: string;
  readonly state: StationState;
  readonly previous: StationState;
  /** Wall time the state began (may precede ts: a small stop that became downtime starts back then). */
  readonly since: number;
  readonly reason?: string;
}

export interface DowntimeEvent extends EventBase {
  readonly type: 'downtime';
  readonly station: string;
  readonly phase: 'started' | 'updated' | 'ended';
  /** Downtime id, stable over started/updated/ended (operators assign reasons to it). */
  readonly downtimeId: string;
  readonly start: number;
  readonly end?: number;
  readonly durationMs?: number;
  /** Reason id from the config's reasons, or "unassigned". */
  readonly reason: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
  /**
   * Who assigned the reason (and their note), once an operator has: the audit trail of a reason
   * travels with the downtime's own events, so MQTT and history carry it, not only the log.
   */
  readonly assignedBy?: ActionBy;
}

/**
 * Who did an operator action: the login name and role at the time, how they authenticated, and
 * their note. `via` is "login" (a named user's session), "api-token" (a named user's script
 * token) or "operator-token" (the deprecated shared token: `user` is then only what the client
 * claimed). Roles are plain strings here; the server decides what they may do (src/users/roles.ts).
 */
export interface ActionBy {
  readonly user?: string;
  readonly role?: string;
  readonly via?: string;
  readonly note?: string;
}

export interface OeeFigures {
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
  readonly counts: { readonly total: number; readonly good: number; readonly reject: number };
  /**
   * Shift figures: the rejects split into start-up rejects (after a changeover) and production
   * rejects, and counted by scrap reason ("unassigned" when none is known). docs/oee.md#scrap-reasons
   */
  readonly rejects?: {
    readonly startup: number;
    readonly production: number;
    readonly byReason: Readonly<Record<string, number>>;
  };
  readonly runTimeMs: number;
  readonly plannedTimeMs: number;
  readonly downtimeMs: number;
  readonly smallStopMs: number;
  readonly commsLostMs: number;
  /** Starved and blocked time (inside planned time, outside run time), and planned stops (outside planned time). */
  readonly starvedMs: number;
  readonly blockedMs: number;
  readonly plannedStopMs: number;
  /** Σ count x ideal cycle time of each part's product: performance's numerator. */
  readonly idealMs: number;
  /**
   * Shift figures of a station that waited: its starved and blocked time by the station that
   * caused it (docs/oee.md#waits).
   */
  readonly waits?: readonly WaitShare[];
  readonly target?: number;
  /** Parts behind the pro-rata target so far (negative when ahead). */
  readonly behindBy?: number;
  readonly downtimeByReason: Readonly<Record<string, number>>;
  readonly mtbfMs?: number;
  readonly mttrMs?: number;
}

/**
 * Starved or blocked time of a station booked to its cause: the nearest station up- (starved) or
 * downstream (blocked) that was not itself waiting, in the state it was in then. `cause` is
 * absent when every station that way was waiting too: the wait came from outside the line.
 */
export interface WaitShare {
  readonly kind: 'starved' | 'blocked';
  readonly cause?: string;
  readonly state: StationState;
  /** The cause's downtime (or planned stop) reason, when it had one. */
  readonly reason?: string;
  readonly ms: number;
}

export interface OeeEvent extends EventBase {
  readonly type: 'oee';
  /** Shift name and start, or "rolling-1h". */
  readonly window: {
    readonly kind: 'shift' | 'rolling';
    readonly shift?: string;
    readonly start: number;
    readonly end: number;
  };
  /** True for the final snapshot at shift end. */
  readonly final: boolean;
  readonly figures: OeeFigures;
}

export interface AlertEvent extends EventBase {
  readonly type: 'alert';
  readonly station: string;
  readonly alertId: string;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly status: 'active' | 'acknowledged' | 'resolved';
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly predictedFailureAt?: number;
  /** Who acknowledged it, their note and when (ISO): from the acknowledgement on, on every later event of the alert. */
  readonly acknowledgedBy?: ActionBy & { readonly at: string };
}

/**
 * A part counter moved in a way the core did not simply count: a `jump` (more parts than the
 * station can make in the elapsed time: not counted, the new value becomes the base) or a `reset`
 * (the value went back: a PLC restart or a shift reset in the PLC program; `counted` parts made
 * since are counted when plausible). An audit record, so an auditor can see why the counts
 * differ from a counter's raw difference (docs/oee.md#counters).
 */
export interface CounterEvent extends EventBase, CounterMove {
  readonly type: 'counter';
  readonly station: string;
}

/** What a counter did that was not simply counted (the body of a CounterEvent). */
export interface CounterMove {
  readonly kind: 'jump' | 'reset';
  /** cycleCounter, cyclePulse, goodCount or rejectCount. */
  readonly role: string;
  readonly tag: string;
  readonly previous: number;
  readonly value: number;
  readonly counted: number;
  /** Monotonic time since the previous read, and the most parts the station could make in it. */
  readonly elapsedMs: number;
  readonly plausibleMax: number;
}

/**
 * The product a station runs changed: its PLC's product code register showed another code, or an
 * operator (or an order start) set it. From this event on, cycles count at the product's ideal
 * cycle time (docs/oee.md#products).
 */
export interface ProductEvent extends EventBase {
  readonly type: 'product';
  readonly station: string;
  /** The product now running; absent when none is (or the PLC shows a code no product has). */
  readonly product?: string;
  readonly previous?: string;
  readonly source: 'plc' | 'operator';
  /** The code the PLC showed (source "plc"). */
  readonly code?: string;
  /** Who set it (source "operator"). */
  readonly by?: ActionBy;
}

/**
 * A changeover (setup) started or ended: from a product change to the first good part of the new
 * product, or while the PLC's changeover bit is on (docs/oee.md#changeovers). Its time is booked
 * as downtime with reason "changeover" (or planned stop, by config) like any other state.
 */
export interface ChangeoverEvent extends EventBase {
  readonly type: 'changeover';
  readonly station: string;
  readonly phase: 'started' | 'ended';
  /** Stable over started/ended: the id of the started event. */
  readonly changeoverId: string;
  /** The product changed from and to (absent: none, or a PLC bit without a product change). */
  readonly from?: string;
  readonly to?: string;
  readonly start: number;
  readonly end?: number;
  /** Wall time from start to end (breaks included). */
  readonly durationMs?: number;
  /** The target of a changeover to `to` (products[].changeoverTarget). */
  readonly targetMs?: number;
  readonly planned: boolean;
  /** What started it: a product change, or the PLC's changeover bit. */
  readonly trigger: 'product' | 'plc';
}

/**
 * A production order of a line (docs/oee.md#orders): started, resumed after a stop, stopped,
 * completed (its good parts reached the quantity) or, while it runs, its progress every
 * oeeInterval. A line event: no station, the line's own id sequence. Counts are the output
 * station's parts since the order started (resumes included).
 */
export interface OrderEvent extends EventBase {
  readonly type: 'order';
  readonly phase: 'started' | 'resumed' | 'progress' | 'stopped' | 'completed';
  readonly orderId: string;
  readonly product?: string;
  readonly quantity: number;
  /** Wall time the order is due, when given. */
  readonly due?: number;
  readonly good: number;
  readonly reject: number;
  /** quantity - good, never below 0. */
  readonly remaining: number;
  /** Wall time the order first started. */
  readonly start: number;
  /** Wall time it stopped or completed (phases "stopped" and "completed"). */
  readonly end?: number;
  /** While it runs: the forecast of its completion (docs/oee.md#orders). */
  readonly forecast?: OrderForecast;
  /** Who started or stopped it. */
  readonly by?: ActionBy;
}

/** When a running order will be done, at the line's current pace, skipping planned stops. */
export interface OrderForecast {
  /** Wall time the last part is expected; absent when it lies beyond the calendar's next 14 days. */
  readonly eta?: number;
  /** Production time per good part the forecast uses, ms. */
  readonly paceMs: number;
  /**
   * "rolling-oee": the order's ideal cycle time over the output station's OEE of the rolling hour;
   * "ideal": the ideal cycle time (less than 10 minutes of production in the rolling hour yet).
   */
  readonly basis: 'rolling-oee' | 'ideal';
  /** The ETA is before the current shift ends (absent outside shifts). */
  readonly finishesThisShift?: boolean;
  /** The ETA is at or before the due time (absent without a due time). */
  readonly onTime?: boolean;
}

/**
 * An operator scrapped parts the station had counted good (found bad at inspection): the current
 * shift's good count drops by `count`, its rejects rise, under `reason` (docs/oee.md#scrap-reasons).
 */
export interface ScrapEvent extends EventBase {
  readonly type: 'scrap';
  readonly station: string;
  /** scrapReasons[].id */
  readonly reason: string;
  readonly count: number;
  /** The shift the parts were taken from. */
  readonly shift?: string;
  readonly by?: ActionBy;
}

/**
 * A line's shift ledger (docs/mqtt.md#ledger-retained-line): the shift's times and counts of every
 * station, in flow order, and of the line (its output station), for consumers that sum OEE over
 * lines and shifts. A line event, sent with the line's OEE every oeeInterval, and once more with
 * `final` when the shift ends (again after a reason in that shift is re-assigned).
 */
export interface LedgerEvent extends EventBase {
  readonly type: 'ledger';
  readonly agentId: string;
  readonly window: { readonly shift: string; readonly start: number; readonly end: number };
  readonly final: boolean;
  readonly outputStation: string;
  readonly stations: readonly { readonly station: string; readonly figures: OeeFigures }[];
}

export type CoreEvent =
  | CycleEvent
  | StateEvent
  | DowntimeEvent
  | OeeEvent
  | AlertEvent
  | CounterEvent
  | ProductEvent
  | ChangeoverEvent
  | OrderEvent
  | ScrapEvent
  | LedgerEvent;

/** Consumers of core events. Called synchronously; must not throw and must not block. */
export type EventListener = (event: CoreEvent) => void;
