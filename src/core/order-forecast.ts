/**
 * When will a running order be done? Its remaining good parts times the line's pace, laid onto
 * the shift calendar: production time only accrues outside planned stops (breaks, off shift), so
 * an order that needs 20 more minutes at 11:50 with a 12:00-12:30 lunch break ends at 12:40.
 * Pure: the calendar and the inputs decide (docs/oee.md#orders).
 */
import type { ShiftCalendar } from './calendar.js';
import type { OrderForecast } from './events.js';

/** How far ahead the forecast looks before it gives up on an ETA. */
const HORIZON_MS = 14 * 24 * 3600_000;
/** Calendar segments walked at most (a break or a shift edge each): 14 days of 3 shifts with breaks. */
const MAX_SEGMENTS = 1_000;

export interface ForecastInput {
  readonly remaining: number;
  readonly nowWall: number;
  readonly paceMs: number;
  readonly basis: OrderForecast['basis'];
  readonly due?: number;
}

export function orderForecast(calendar: ShiftCalendar, input: ForecastInput): OrderForecast {
  const eta = etaOf(calendar, input.nowWall, Math.max(0, input.remaining) * input.paceMs);
  const shift = calendar.shiftAt(input.nowWall);
  return {
    ...(eta !== undefined ? { eta } : {}),
    paceMs: Math.round(input.paceMs),
    basis: input.basis,
    ...(shift !== undefined ? { finishesThisShift: eta !== undefined && eta <= shift.endWall } : {}),
    ...(input.due !== undefined ? { onTime: eta !== undefined && eta <= input.due } : {}),
  };
}

/** The wall time at which `needMs` of production time, counted from `fromWall`, has passed. */
export function etaOf(calendar: ShiftCalendar, fromWall: number, needMs: number): number | undefined {
  if (!Number.isFinite(needMs)) return undefined;
  let need = needMs;
  let t = fromWall;
  for (let i = 0; i < MAX_SEGMENTS && t - fromWall <= HORIZON_MS; i++) {
    const segment = calendar.segmentAt(t);
    const until = segment.untilWall;
    if (segment.planned === undefined) {
      if (until - t >= need) return Math.round(t + need);
      need -= until - t;
    }
    if (!Number.isFinite(until) || until <= t) return undefined;
    t = until;
  }
  return undefined;
}
