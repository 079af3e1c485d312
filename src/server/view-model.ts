/**
 * The dashboard's view model: what `GET /api/snapshot` returns and what the websocket sends
 * (`{type: "snapshot", data}` on connect, then `{type: "delta", ...}`). The page is written
 * against these types only, so the core's internal snapshot can change without touching it;
 * `view-build.ts` holds the one adapter from the core's snapshot.
 *
 * Times are wall ms since the epoch in the agent's clock; `at` lets the page correct for a
 * browser whose clock differs. Durations are ms. Ratios are 0..1 (performance may exceed 1 when
 * the configured ideal cycle time is too slow; the page caps it for display only).
 */
import type { LossCategory } from '../config/schema.js';
import type { OeeEvent, OeeFigures, StationState } from '../core/events.js';
import type { OrderView } from '../core/line-orders.js';
import type { CycleBucket, StateSpan } from '../outputs/history/types.js';

/**
 * Bumped when a field changes meaning or disappears; the page reloads itself on a mismatch. One
 * constant for page and server: src/web/protocol.js, which the browser loads as it is, reached
 * through package.json "imports" so the built server (dist/) finds it at the package root too.
 */
export { PROTOCOL_VERSION } from '#web/protocol.js';

export interface OeeView {
  readonly window: OeeEvent['window'];
  readonly figures: OeeFigures;
}

/** A product a line runs (the config's products). */
export interface ProductView {
  readonly id: string;
  readonly name: string;
}

/** Why parts are scrapped (the config's scrapReasons): the page labels rejects by reason with it. */
export interface ScrapReasonView {
  readonly id: string;
  readonly label: string;
}

export interface OpenDowntimeView {
  readonly id: string;
  readonly start: number;
  readonly reason: string;
  readonly reasonLabel: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
}

/** One andon tile. */
export interface StationView {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly state: StationState;
  /** When the state began (the page shows "time in state" from it). */
  readonly since: number;
  /** Reason id of a down state, and its label from the config. */
  readonly reason?: string;
  readonly reasonLabel?: string;
  /** False while a device the station reads is not answering. */
  readonly commsOk: boolean;
  /** The ideal cycle time now: the running product's, else the station's own. */
  readonly idealCycleTimeMs: number;
  /** The product the station runs, when one is set. */
  readonly product?: ProductView;
  readonly lastCycleTimeMs?: number;
  readonly lastCycleAt?: number;
  /** Counts of the current shift (the rolling hour outside shifts). */
  readonly counts: OeeFigures['counts'];
  /** Shift target of this station and parts behind the pro-rata target (negative: ahead). */
  readonly target?: number;
  readonly behindBy?: number;
  readonly oee?: OeeView;
  readonly rollingOee: OeeView;
  readonly openDowntime?: OpenDowntimeView;
  /** The changeover under way: since when, from and to which product, its target (ms). */
  readonly changeover?: {
    readonly start: number;
    readonly from?: ProductView;
    readonly to?: ProductView;
    readonly targetMs?: number;
  };
  /** Devices this station reads (for its comms badge). */
  readonly devices: readonly string[];
  /** While starved or blocked: who it waits for (docs/oee.md#waits); no cause: outside the line. */
  readonly waitingFor?: WaitingForView;
}

export interface WaitingForView {
  readonly cause?: string;
  readonly causeName?: string;
  readonly state: StationState;
  readonly reason?: string;
  readonly reasonLabel?: string;
}

/** The station that constrains the line now (docs/oee.md#constraint). */
export interface ConstraintView {
  readonly station: string;
  readonly stationName: string;
  /** Its state, or "slowest" (everyone runs; it works longest per part). */
  readonly why: StationState | 'slowest';
  readonly reason?: string;
  readonly reasonLabel?: string;
  readonly since?: number;
  /** Stations waiting for it now. */
  readonly waiting: readonly string[];
}

export interface LineView {
  readonly id: string;
  readonly name: string;
  readonly outputStation: string;
  readonly stationIds: readonly string[];
  /** The product the output station runs, when one is set. */
  readonly product?: ProductView;
  readonly shift?: { readonly name: string; readonly start: number; readonly end: number; readonly target?: number };
  /** During a break or outside shifts: the break's name or "off_shift". */
  readonly plannedStop?: string;
  /** The order running on the line: progress and forecast (docs/oee.md#orders). */
  readonly order?: OrderView;
  /** The line's OEE: its output station's figures. */
  readonly oee?: OeeView;
  readonly rollingOee: OeeView;
  /** The station that constrains the line now, while a shift runs. */
  readonly constraint?: ConstraintView;
}

export interface DowntimeView {
  readonly id: string;
  readonly line: string;
  readonly station: string;
  readonly start: number;
  readonly end?: number;
  readonly durationMs?: number;
  readonly reason: string;
  readonly reasonLabel: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
  readonly reasonBy?: string;
}

export interface AlertView {
  readonly id: string;
  readonly line: string;
  readonly station: string;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly status: 'active' | 'acknowledged' | 'resolved';
  readonly ts: number;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly predictedFailureAt?: number;
  readonly ackBy?: string;
}

export interface DeviceView {
  readonly device: string;
  readonly endpoint: string;
  readonly connected: boolean;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  readonly requests: number;
  readonly errors: number;
  readonly latencyP50Ms?: number;
  readonly latencyP99Ms?: number;
}

export interface ReasonView {
  readonly id: string;
  readonly label: string;
  readonly category: LossCategory;
}

export type SpanView = StateSpan;

/** The whole page, sent on connect and by `GET /api/snapshot`. */
export interface DashboardView {
  readonly protocol: number;
  /** Agent wall time when this was built. */
  readonly at: number;
  /** Deltas with a higher seq follow this snapshot. */
  readonly seq: number;
  readonly site: { readonly enterprise: string; readonly site: string; readonly area?: string };
  /** IANA zone of the shift calendar: the page shows plant time, whatever the browser's zone. */
  readonly timezone: string;
  readonly reasons: readonly ReasonView[];
  /** The products operators may choose from (empty: the config has none). */
  readonly products: readonly ProductView[];
  /** The scrap reasons operators may record scrap under (empty: the config has none). */
  readonly scrapReasons: readonly ScrapReasonView[];
  /** Whether operator actions are configured (server.operatorToken). */
  readonly operatorEnabled: boolean;
  /** The period the timeline and downtime list cover: the current shift, else the last 8 h. */
  readonly window: { readonly from: number; readonly to: number };
  readonly lines: readonly LineView[];
  readonly stations: readonly StationView[];
  /** State spans per station over `window`, at most one per pixel of a 1920 px chart. */
  readonly timeline: Readonly<Record<string, readonly SpanView[]>>;
  readonly downtime: readonly DowntimeView[];
  readonly alerts: readonly AlertView[];
  readonly devices: readonly DeviceView[];
}

/** A state change for the timeline: spans from `since` on are replaced by this state. */
export interface SpanChange {
  readonly station: string;
  readonly state: StationState;
  readonly since: number;
  readonly reason?: string;
}

/** Cycles of one station coalesced over one broadcast window. */
export interface CycleBatch {
  readonly station: string;
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly good: number;
  /** Cycles with a cycle time (the first after a start or a gap has none); min, max and sum are theirs. */
  readonly timed: number;
  readonly minMs: number | null;
  readonly maxMs: number | null;
  readonly sumMs: number;
  readonly lastMs: number | null;
}

/** Changes since the previous message; every list holds each id at most once (the latest). */
export interface DeltaView {
  readonly seq: number;
  readonly at: number;
  readonly stations?: readonly StationView[];
  readonly lines?: readonly LineView[];
  readonly spans?: readonly SpanChange[];
  readonly cycles?: readonly CycleBatch[];
  readonly downtime?: readonly DowntimeView[];
  readonly alerts?: readonly AlertView[];
  readonly devices?: readonly DeviceView[];
}

export type ServerMessage =
  | { readonly type: 'snapshot'; readonly data: DashboardView }
  | ({ readonly type: 'delta' } & DeltaView);

export type { CycleBucket, StateSpan };
