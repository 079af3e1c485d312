/**
 * The streaming core's contract: what the agent, the dashboard server and the spool are built
 * against. Samples and comms changes go in synchronously (SampleSink); events come out
 * synchronously to listeners, in order, and the core never waits for a consumer.
 */
import type { CoreCheckpoint } from './checkpoint.js';
import type { ActionBy, EventListener } from './events.js';
import type { Clock, SampleSink } from './sample.js';
import type { OrderResult, OrderSpec } from './line-orders.js';
import type { LineSnapshot } from './snapshot.js';

/** Something the agent should log: clock jumps, counter resets, unknown fault codes, ... */
export interface CoreDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
}

export interface CoreDeps {
  readonly clock: Clock;
  /** A checkpoint from a previous run (validated here; an unusable one is reported and ignored). */
  readonly restore?: CoreCheckpoint;
  readonly onDiagnostic?: (d: CoreDiagnostic) => void;
  /** Receives every event, including those produced while restoring. */
  readonly onEvent?: EventListener;
  /** Wall-clock moves (relative to monotonic time) beyond this are jumps; default 2000 ms. */
  readonly clockJumpThresholdMs?: number;
}

export type AssignReasonResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'UNKNOWN_REASON'; message: string };

export type SetProductResult =
  | { ok: true; changed: readonly string[] }
  | { ok: false; code: 'NOT_FOUND' | 'UNKNOWN_PRODUCT'; message: string };

export type ScrapResult =
  | { ok: true; count: number }
  | { ok: false; code: 'NOT_FOUND' | 'UNKNOWN_SCRAP_REASON' | 'NOT_ENOUGH_GOOD'; message: string };

export type UnknownProduct = { ok: false; code: 'UNKNOWN_PRODUCT'; message: string };

export interface Core extends SampleSink {
  /**
   * Advances time-driven logic (stop detection, small stop -> downtime, shift and break
   * boundaries, final and periodic OEE snapshots) to clock.monoMs(). The agent calls it every
   * 100 ms - 1 s; tests call it after moving a virtual clock. Events carry the exact time things
   * happened, whatever the tick cadence.
   */
  tick(): void;
  /**
   * Operator command: assign or change the reason of a downtime that is open or belongs to the
   * current or previous shift. Emits a downtime "updated" event; shift and rolling figures move the
   * time to the new reason.
   */
  assignReason(downtimeId: string, reasonId: string, by?: ActionBy): AssignReasonResult;
  /**
   * Operator command: the product a line (every station of it) or one station runs from now on;
   * null for none. Stations whose product changes emit a `product` event (listed in `changed`).
   * A later change of a PLC product code register overrides it.
   */
  setProduct(target: { line: string; station?: string }, product: string | null, by?: ActionBy): SetProductResult;
  /**
   * Order command: start a new order on a line, or resume a stopped one (same id). Only one order
   * runs per line. An order with a product sets the line's product (as setProduct). Emits an
   * `order` event "started" or "resumed" (docs/oee.md#orders).
   */
  startOrder(line: string, spec: OrderSpec, by?: ActionBy): OrderResult | UnknownProduct;
  /** Order command: stop the line's running order (it can be resumed). Emits an `order` event "stopped". */
  stopOrder(line: string, by?: ActionBy): OrderResult;
  /**
   * Operator command: `count` parts a station counted good this shift were scrapped (found bad
   * later), for a scrap reason: the shift's quality and the running order follow. Emits a `scrap`
   * event. Refused when the shift has fewer good parts (NOT_ENOUGH_GOOD).
   */
  recordScrap(station: string, reason: string, count: number, by?: ActionBy): ScrapResult;
  /** Live picture per line. Cheap enough to call several times a second. */
  snapshot(): LineSnapshot[];
  /**
   * Restart state, JSON-serialisable. Applies pending samples first. `withRolling: false` leaves
   * the rolling-hour buckets out (saved less often; splitRolling / joinRolling).
   */
  checkpoint(options?: { withRolling?: boolean }): CoreCheckpoint;
  /** Subscribes to events (delivered synchronously; a listener must not block). Returns unsubscribe. */
  on(listener: EventListener): () => void;
}
