/**
 * When will a running order be done? Its remaining good parts times the line's pace, laid onto
 * the shift calendar: production time only accrues outside planned stops (breaks, off shift), so
 * an order that needs 20 more minutes at 11:50 with a 12:00-12:30 lunch break ends at 12:40.
 * Pure: the calendar and the inputs decide (docs/oee.md#orders).
 */
import type { ShiftCalendar } from './calendar.js';
import { addDays, localDateAt } from './zoned.js';
import type { OrderForecast } from './events.js';

/** How far ahead the forecast looks before it gives up on an ETA, in local days. */
const HORIZON_DAYS = 14;

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

/**
 * The wall time at which `needMs` of production time, counted from `fromWall`, has passed: walks
 * the shift instances day by day (breaks and the time between shifts skipped). Time covered by two
 * overlapping shifts counts once.
 */
export function etaOf(calendar: ShiftCalendar, fromWall: number, needMs: number): number | undefined {
  if (!Number.isFinite(needMs) || !Number.isFinite(fromWall)) return undefined;
  let need = needMs;
  let t = fromWall;
  const today = localDateAt(calendar.timeZone, fromWall);
  // Yesterday's shift may run past midnight into today.
  for (let day = -1; day <= HORIZON_DAYS; day++) {
    for (const shift of calendar.instancesOn(addDays(today, day))) {
      if (shift.endWall <= t) continue;
      let cursor = Math.max(shift.startWall, t);
      for (const b of shift.breaks) {
        if (b.endWall <= cursor) continue;
        const until = Math.min(b.startWall, shift.endWall);
        if (until > cursor) {
          if (until - cursor >= need) return Math.round(cursor + need);
          need -= until - cursor;
        }
        cursor = Math.max(cursor, b.endWall);
      }
      if (shift.endWall > cursor) {
        if (shift.endWall - cursor >= need) return Math.round(cursor + need);
        need -= shift.endWall - cursor;
      }
      t = Math.max(t, shift.endWall);
    }
  }
  return undefined;
}
