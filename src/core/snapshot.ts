/**
 * The live picture the dashboard and the REST API read: per line, its shift, its OEE (the output
 * station's, docs/oee.md) and every station's state, counts, target and open downtime. Built on
 * demand from the stations' accumulators: a few dozen additions per station, no history scan.
 */
import type { LossCategory } from '../config/schema.js';
import type { CalendarSegment, ShiftCalendar } from './calendar.js';
import type { OeeFigures, StationState } from './events.js';
import { rollingView, shiftFigures, shiftWindowOf, type OeeView } from './figures.js';
import type { LineConstraint } from './line-constraint.js';
import type { OrderView } from './line-orders.js';
import type { WaitCause } from './line-waits.js';
import type { Station } from './station.js';
import type { ChangeoverView } from './station-changeover.js';

export type { OeeView } from './figures.js';

export interface OpenDowntimeView {
  readonly downtimeId: string;
  /** Wall ms. */
  readonly start: number;
  readonly durationMs: number;
  readonly reason: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
}

export interface StationSnapshot {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly state: StationState;
  /** Wall ms the state began. */
  readonly since: number;
  readonly reason?: string;
  /** False while any device the station depends on is not answering. */
  readonly commsOk: boolean;
  /** The ideal cycle time now: the running product's, else the station's own. */
  readonly idealCycleTimeMs: number;
  /** The product the station runs (products[].id), when one is set. */
  readonly product?: string;
  readonly lastCycleTimeMs?: number;
  /** Wall ms of the last completed cycle. */
  readonly lastCycleAt?: number;
  /** Counts of the current shift (of the rolling hour outside shifts). */
  readonly counts: OeeFigures['counts'];
  readonly target?: number;
  readonly behindBy?: number;
  readonly oee: { readonly shift?: OeeView; readonly rolling: OeeView; readonly previousShift?: OeeView };
  readonly openDowntime?: OpenDowntimeView;
  /** The changeover under way (wall ms start, product ids, target ms). */
  readonly changeover?: ChangeoverView;
  /**
   * While starved or blocked: who it waits for (docs/oee.md#waits); no `cause` when the wait comes
   * from outside the line.
   */
  readonly waitingFor?: { readonly cause?: string; readonly state: StationState; readonly reason?: string };
}

export interface LineSnapshot {
  readonly id: string;
  readonly name: string;
  readonly outputStation: string;
  /** Wall ms the snapshot describes. */
  readonly ts: number;
  readonly shift?: {
    readonly name: string;
    readonly key: string;
    readonly start: number;
    readonly end: number;
    readonly target?: number;
  };
  /** Set during a break or outside shifts: the break's name or "off_shift". */
  readonly plannedStop?: string;
  /** The order running on the line, with its progress and forecast (docs/oee.md#orders). */
  readonly order?: OrderView;
  /** The line's OEE: its output station's figures (docs/oee.md). */
  readonly oee: { readonly shift?: OeeView; readonly rolling: OeeView };
  /** The station that constrains the line now (docs/oee.md#constraint). */
  readonly constraint?: LineConstraint;
  readonly stations: readonly StationSnapshot[];
}

export interface SnapshotContext {
  readonly nowMono: number;
  readonly calendar: ShiftCalendar;
  readonly segment: CalendarSegment;
  readonly wallOf: (mono: number) => number;
  readonly previousShift: (st: Station) => OeeView | undefined;
  readonly orderOf: (line: string) => OrderView | undefined;
}

export function stationSnapshot(st: Station, ctx: SnapshotContext): StationSnapshot {
  const now = Math.max(ctx.nowMono, st.nowMono);
  const nowWall = ctx.wallOf(now);
  const w = st.currentShift;
  const shift: OeeView | undefined =
    w !== undefined
      ? { window: shiftWindowOf(w), figures: shiftFigures(st, w, now, nowWall, ctx.calendar, false) }
      : undefined;
  const rolling = rollingView(st, now, ctx.wallOf);
  const previousShift = ctx.previousShift(st);
  const interval = st.interval;
  const d = interval.downtime;
  const changeover = st.changeoverView;
  return {
    id: st.spec.id,
    name: st.spec.name,
    line: st.spec.line,
    state: interval.state,
    since: interval.sinceWall,
    ...(interval.reason !== undefined ? { reason: interval.reason } : {}),
    commsOk: st.commsOk,
    idealCycleTimeMs: st.idealMs,
    ...(st.productId !== undefined ? { product: st.productId } : {}),
    ...(st.lastCycleTimeMs !== undefined ? { lastCycleTimeMs: st.lastCycleTimeMs } : {}),
    ...(st.lastCycleWall !== undefined ? { lastCycleAt: st.lastCycleWall } : {}),
    counts: (shift ?? rolling).figures.counts,
    ...(shift?.figures.target !== undefined ? { target: shift.figures.target, behindBy: shift.figures.behindBy } : {}),
    oee: {
      ...(shift !== undefined ? { shift } : {}),
      rolling,
      ...(previousShift !== undefined ? { previousShift } : {}),
    },
    ...(d !== undefined
      ? {
          openDowntime: {
            downtimeId: d.id,
            start: d.startWall,
            durationMs: Math.max(0, now - d.startMono),
            reason: d.reason,
            category: d.category,
            ...(d.faultCode !== undefined ? { faultCode: d.faultCode } : {}),
          },
        }
      : {}),
    ...(changeover !== undefined ? { changeover } : {}),
    ...waitingField(interval.wait),
  };
}

function waitingField(wait: WaitCause | undefined): Pick<StationSnapshot, 'waitingFor'> {
  if (wait === undefined) return {};
  return {
    waitingFor: {
      ...(wait.cause !== undefined ? { cause: wait.cause } : {}),
      state: wait.state,
      ...(wait.reason !== undefined ? { reason: wait.reason } : {}),
    },
  };
}
