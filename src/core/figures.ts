/**
 * Live and final OEE figures of a station for a shift window or the rolling hour: committed
 * time plus the still-open interval up to now. Reading them changes nothing.
 */
import { computeFigures, type OpenPortion } from './accumulator.js';
import type { ShiftCalendar } from './calendar.js';
import type { OeeEvent, OeeFigures } from './events.js';
import type { Station } from './station.js';
import { StationAccounts, type ShiftWindowView } from './station-accounts.js';

export type OeeWindow = OeeEvent['window'];

export interface OeeView {
  readonly window: OeeWindow;
  readonly figures: OeeFigures;
}

export function shiftWindowOf(w: ShiftWindowView): OeeWindow {
  return { kind: 'shift', shift: w.instance.name, start: w.instance.startWall, end: w.instance.endWall };
}

/**
 * Figures of a shift window. `final`: the window is closed and fully booked (no open portion, no
 * scheduled time left for the target).
 */
export function shiftFigures(
  st: Station,
  w: ShiftWindowView,
  nowMono: number,
  nowWall: number,
  calendar: ShiftCalendar,
  final: boolean,
): OeeFigures {
  let open: OpenPortion | undefined;
  let remainingScheduledMs = 0;
  if (!final) {
    const interval = st.interval;
    const from = Math.max(interval.bookedUntil, w.startMono);
    const to = Math.min(nowMono, w.endMono);
    const ms = to > from ? to - from : 0;
    open = {
      state: interval.state,
      reason: interval.reason,
      ms,
      extraDownIntervals: interval.state === 'down' && ms > 0 ? StationAccounts.uncounted(w, interval.downtime) : 0,
      ...(interval.wait !== undefined ? { wait: interval.wait } : {}),
    };
    remainingScheduledMs = Math.max(0, w.instance.scheduledMs - calendar.scheduledElapsedMs(w.instance, nowWall));
  }
  return computeFigures(w.acc, st.idealMs, open, {
    ...(w.instance.target !== undefined ? { configured: w.instance.target } : {}),
    remainingScheduledMs,
  });
}

export function rollingView(st: Station, nowMono: number, wallOf: (mono: number) => number): OeeView {
  const rolling = st.rolling;
  const interval = st.interval;
  const start = rolling.windowStart(nowMono);
  const from = Math.max(interval.bookedUntil, start);
  const totals = rolling.totals;
  const figures = computeFigures(
    {
      timeMs: totals.timeMs,
      total: totals.total,
      good: totals.good,
      idealMs: totals.idealMs,
      downByReason: totals.downByReason,
      downIntervals: st.downtimesOverlapping(start, nowMono),
    },
    st.idealMs,
    { state: interval.state, reason: interval.reason, ms: nowMono > from ? nowMono - from : 0, extraDownIntervals: 0 },
  );
  return { window: { kind: 'rolling', start: wallOf(start), end: wallOf(nowMono) }, figures };
}
