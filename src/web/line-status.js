// @ts-check
// One sentence a manager reads from across the hall: all running, or what is not. The overview
// shows it for the line on screen; each line's tab (line-tabs.js) shows it for its line, so a
// line that went down is seen from any line's page.
import { STATE_LABELS } from './format.js';

/** @import { LineView, StationView } from '../server/view-model.js' */

const STOPPED = new Set(['small_stop', 'starved', 'blocked']);

/**
 * @typedef {object} LineStatus
 * @property {'good' | 'bad' | 'warn' | ''} cls colour class; the text says it all
 * @property {string} text "All running", "2 down", "1 without data", "1 stopped", "Planned stop"
 * @property {string} sub the stations named, or the break
 */

/**
 * @param {readonly StationView[]} stations the line's stations
 * @param {LineView['plannedStop']} plannedStop
 * @returns {LineStatus}
 */
export function lineStatus(stations, plannedStop) {
  const down = stations.filter((s) => s.state === 'down');
  const blind = stations.filter((s) => s.state === 'comms_lost');
  const stopped = stations.filter((s) => STOPPED.has(s.state));
  const planned = stations.filter((s) => s.state === 'planned_stop');
  if (down.length > 0) return { cls: 'bad', text: `${down.length} down`, sub: names(down) };
  if (blind.length > 0) return { cls: 'warn', text: `${blind.length} without data`, sub: names(blind) };
  if (stopped.length > 0)
    return {
      cls: 'warn',
      text: `${stopped.length} stopped`,
      sub: stopped.map((s) => `${s.name} (${STATE_LABELS[s.state].toLowerCase()})`).join(', '),
    };
  if (planned.length === stations.length && stations.length > 0)
    return {
      cls: '',
      text: plannedStop === 'off_shift' ? 'Off shift' : 'Planned stop',
      sub: plannedStop !== undefined && plannedStop !== 'off_shift' ? plannedStop : '',
    };
  return { cls: 'good', text: 'All running', sub: `${stations.length} stations` };
}

/** @param {readonly StationView[]} stations */
function names(stations) {
  return stations.map((s) => s.name).join(', ');
}
