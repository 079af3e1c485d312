// @ts-check
// Losses by cause (docs/oee.md#waits): the Pareto's bars are causes, each station's downtime by
// reason with the starved and blocked time it caused elsewhere added to it, and the words a tile
// uses for who a waiting station waits for. Pure: no DOM, unit-tested.
import { formatDuration } from './format.js';

/** @import { StationView, WaitingForView } from '../server/view-model.js' */
/** @import { WaitShare } from '../core/events.js' */

/**
 * One bar: `ms` is its whole length (own downtime plus the waits it caused), `waitMs` the part
 * that other stations spent waiting for it; `waits` names them ("Packing starved 7m").
 * `outside`: a wait nobody in the line explains (no supply, no take-off).
 * @typedef {{ key: string, reason: string, label: string, ms: number, waitMs: number,
 *   waits: string[], outside: boolean }} CauseItem
 */

/** What a cause that is not a downtime was doing. */
const STATE_WORDS = /** @type {Readonly<Record<string, string>>} */ ({
  small_stop: 'small stops',
  running: 'slower (running)',
  comms_lost: 'comms lost',
  planned_stop: 'planned stop',
  starved: 'starved',
  blocked: 'blocked',
});

/**
 * "Spot weld down: Wire feed fault" — the cause of a wait in words, for a tile.
 * @param {WaitingForView} w
 * @param {'starved' | 'blocked'} kind
 */
export function waitingText(w, kind) {
  if (w.cause === undefined) return kind === 'starved' ? '← no supply into the line' : '← no take-off after the line';
  const name = w.causeName ?? w.cause;
  if (w.state === 'down') return `← ${name} down: ${w.reasonLabel ?? w.reason ?? 'reason not assigned yet'}`;
  if (w.state === 'planned_stop') return `← ${name} planned stop${w.reasonLabel ? `: ${w.reasonLabel}` : ''}`;
  return `← ${name} ${STATE_WORDS[w.state] ?? w.state}`;
}

/**
 * The Pareto of a line's stations (flow order): causes first, longest first; waits from outside
 * the line last.
 * @param {readonly StationView[]} stations
 * @param {(reason: string) => string} labelOf a reason's label
 * @returns {CauseItem[]}
 */
export function causesOf(stations, labelOf) {
  /** @type {Map<string, CauseItem>} */
  const items = new Map();
  const names = new Map(stations.map((s) => [s.id, s.name]));
  /**
   * @param {string} key
   * @param {() => Omit<CauseItem, 'ms' | 'waitMs' | 'waits'>} make
   */
  const itemOf = (key, make) => {
    let item = items.get(key);
    if (item === undefined) {
      item = { ...make(), ms: 0, waitMs: 0, waits: [] };
      items.set(key, item);
    }
    return item;
  };
  /** @param {string} station @param {string} reason */
  const downItem = (station, reason) =>
    itemOf(`${station}|${reason}`, () => ({
      key: `${station}|${reason}`,
      reason,
      label: `${names.get(station) ?? station} · ${labelOf(reason)}`,
      outside: false,
    }));

  for (const station of stations) {
    const figures = (station.oee ?? station.rollingOee)?.figures;
    if (figures === undefined) continue;
    for (const [reason, ms] of Object.entries(figures.downtimeByReason ?? {})) {
      if (reason === 'starved' || reason === 'blocked' || !(ms > 0)) continue;
      downItem(station.id, reason).ms += ms;
    }
    const waits = figures.waits;
    if (waits === undefined) {
      // Rolling figures and history from before the attribution: the wait without a cause.
      for (const kind of /** @type {const} */ (['starved', 'blocked'])) {
        const ms = figures.downtimeByReason?.[kind] ?? 0;
        if (ms > 0) addOutside(itemOf, kind, `${kind}|unknown`, labelOf(kind)).ms += ms;
      }
      continue;
    }
    for (const w of waits) addWait(itemOf, downItem, w, station, names);
  }
  const all = [...items.values()].filter((i) => i.ms > 0);
  return [...all.filter((i) => !i.outside), ...all.filter((i) => i.outside)].sort(
    (a, b) => Number(a.outside) - Number(b.outside) || b.ms - a.ms,
  );
}

/**
 * @param {(key: string, make: () => Omit<CauseItem, 'ms' | 'waitMs' | 'waits'>) => CauseItem} itemOf
 * @param {'starved' | 'blocked'} kind
 * @param {string} key
 * @param {string} label
 */
function addOutside(itemOf, kind, key, label) {
  return itemOf(key, () => ({ key, reason: kind, label, outside: true }));
}

/**
 * @param {(key: string, make: () => Omit<CauseItem, 'ms' | 'waitMs' | 'waits'>) => CauseItem} itemOf
 * @param {(station: string, reason: string) => CauseItem} downItem
 * @param {WaitShare} w
 * @param {StationView} waiting
 * @param {ReadonlyMap<string, string>} names
 */
function addWait(itemOf, downItem, w, waiting, names) {
  if (!(w.ms > 0)) return;
  let item;
  if (w.cause === undefined) {
    const label = w.kind === 'starved' ? 'Starved: no supply' : 'Blocked: no take-off';
    item = addOutside(itemOf, w.kind, `outside|${w.kind}`, label);
    item.ms += w.ms;
    return;
  }
  const cause = w.cause;
  if (w.state === 'down') item = downItem(cause, w.reason ?? 'unassigned');
  else {
    const what = w.state === 'planned_stop' && w.reason !== undefined ? w.reason : w.state;
    item = itemOf(`${cause}|${what}`, () => ({
      key: `${cause}|${what}`,
      reason: what,
      label: `${names.get(cause) ?? cause} · ${STATE_WORDS[w.state] ?? w.state}`,
      outside: false,
    }));
  }
  item.ms += w.ms;
  item.waitMs += w.ms;
  item.waits.push(`${waiting.name} ${w.kind} ${formatDuration(w.ms)}`);
}
