/**
 * A period's downtime by cause, the data of the dashboard's Pareto (src/web/causes.js does the
 * same for the page, docs/oee.md#waits): each station's own downtime by reason, with the starved
 * and blocked time it caused elsewhere added to it; waits nobody in the line explains (no supply,
 * no take-off, or history from before the attribution) are causes of their own, `outside`.
 * Pure: no I/O, unit-tested.
 */
import type { PeriodFigures } from './period.js';

export interface CauseShare {
  /** The station that caused it; absent for an outside cause. */
  readonly station?: string;
  /** A downtime reason id, or what a cause that was not down did (small_stop, running, …), or starved/blocked (outside). */
  readonly reason: string;
  /** Its whole length: own downtime plus the waits it caused, ms. */
  readonly ms: number;
  /** The part of `ms` other stations spent starved or blocked by it. */
  readonly waitMs: number;
  readonly outside: boolean;
}

/**
 * @param stations the line's stations in flow order with their period figures
 * @returns causes, longest first, outside causes last
 */
export function causesOfPeriod(
  stations: readonly { readonly station: string; readonly figures: PeriodFigures }[],
): CauseShare[] {
  const items = new Map<string, { -readonly [K in keyof CauseShare]: CauseShare[K] }>();
  const add = (station: string | undefined, reason: string, ms: number, waited: boolean): void => {
    if (!(ms > 0)) return;
    const key = JSON.stringify([station ?? null, reason]);
    let item = items.get(key);
    if (item === undefined) {
      item = {
        ...(station !== undefined ? { station } : {}),
        reason,
        ms: 0,
        waitMs: 0,
        outside: station === undefined,
      };
      items.set(key, item);
    }
    item.ms += ms;
    if (waited) item.waitMs += ms;
  };
  for (const { station, figures } of stations) {
    for (const [reason, ms] of Object.entries(figures.downtimeByReason))
      if (reason !== 'starved' && reason !== 'blocked') add(station, reason, ms, false);
    if (figures.waits === undefined) {
      // No attribution stored (rolling figures, history from before it): the wait has no cause.
      add(undefined, 'starved', figures.downtimeByReason.starved ?? 0, true);
      add(undefined, 'blocked', figures.downtimeByReason.blocked ?? 0, true);
      continue;
    }
    for (const w of figures.waits) {
      if (w.cause === undefined) add(undefined, w.kind, w.ms, true);
      else if (w.state === 'down') add(w.cause, w.reason ?? 'unassigned', w.ms, true);
      else add(w.cause, w.state === 'planned_stop' && w.reason !== undefined ? w.reason : w.state, w.ms, true);
    }
  }
  return [...items.values()].sort((a, b) => Number(a.outside) - Number(b.outside) || b.ms - a.ms);
}
