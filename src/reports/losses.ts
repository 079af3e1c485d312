/**
 * The report's top losses: each station's downtime by reason, and its starved and blocked time
 * booked to the station that caused it when the figures carry `waits` (docs/oee.md#waits), so
 * the list names causes, not symptoms. Pure.
 */
import type { OeeFigures } from '../core/events.js';
import type { Loss } from './types.js';

const WAIT_KEYS = new Set(['starved', 'blocked']);

export function topLosses(
  stations: readonly { readonly station: string; readonly figures: OeeFigures }[],
  names: ReadonlyMap<string, string>,
  reasonLabel: (reason: string) => string,
  count: number,
): Loss[] {
  const name = (id: string): string => names.get(id) ?? id;
  const byLabel = new Map<string, Loss>();
  const add = (loss: Loss): void => {
    const seen = byLabel.get(loss.label);
    byLabel.set(loss.label, seen === undefined ? loss : { ...seen, ms: seen.ms + loss.ms });
  };
  for (const { station, figures } of stations) {
    for (const [reason, ms] of Object.entries(figures.downtimeByReason)) {
      if (WAIT_KEYS.has(reason) || ms <= 0) continue;
      add({ kind: 'down', station, reason, ms, label: `${name(station)}: ${reasonLabel(reason)}` });
    }
    if (figures.waits !== undefined) {
      for (const w of figures.waits) {
        if (w.ms <= 0) continue;
        const why = w.reason !== undefined ? `${w.state}, ${reasonLabel(w.reason)}` : w.state;
        const label =
          w.cause !== undefined
            ? `${name(station)} ${w.kind} by ${name(w.cause)} (${why})`
            : `${name(station)} ${w.kind} (outside the line)`;
        add({
          kind: w.kind,
          station,
          ...(w.cause !== undefined ? { cause: w.cause } : {}),
          ...(w.reason !== undefined ? { reason: w.reason } : {}),
          ms: w.ms,
          label,
        });
      }
    } else {
      // Figures without waits (no starved/blocked signals, or an older record): the bare totals.
      for (const kind of ['starved', 'blocked'] as const) {
        const ms = figures.downtimeByReason[kind] ?? 0;
        if (ms > 0) add({ kind, station, ms, label: `${name(station)} ${kind}` });
      }
    }
  }
  return [...byLabel.values()].sort((a, b) => b.ms - a.ms || a.label.localeCompare(b.label)).slice(0, count);
}
