// @ts-check
// The page's frame around the panels: the header (line name, shift, window), the connection
// badge and the state legend.
import { legendItems, stateColor } from './chart-canvas.js';
import { $ } from './dom.js';
import { STATE_LABELS, formatDuration, formatTime } from './format.js';
import { agentNow } from './model.js';
import { model } from './page-state.js';

/** @import { LineView } from '../server/view-model.js' */
/** @import { LiveStatus } from './live.js' */

/** @param {LineView | undefined} line */
export function renderHeader(line) {
  $('line-name').textContent = line?.name ?? 'Lineside';
  document.title = `${line?.name ?? 'Lineside'} · Lineside`;
  const shift = $('shift');
  shift.replaceChildren();
  const now = agentNow(model);
  const strong = document.createElement('strong');
  if (line?.shift !== undefined) {
    strong.textContent = `${line.shift.name} shift`;
    shift.append(
      strong,
      ` ${formatTime(line.shift.start, model.timezone)}–${formatTime(line.shift.end, model.timezone)} · ${formatDuration(line.shift.end - now)} left`,
    );
  } else {
    strong.textContent = 'No shift';
    shift.append(strong, ' · last 8 hours');
  }
  if (line?.plannedStop !== undefined && line.plannedStop !== 'off_shift')
    shift.append(` · break: ${line.plannedStop}`);
  $('timeline-range').textContent =
    `${formatTime(model.window.from, model.timezone)}–${formatTime(model.window.to, model.timezone)}`;
}

/**
 * @param {LiveStatus} status
 * @param {number | null} offlineSince
 */
export function setConnection(status, offlineSince) {
  const conn = $('conn');
  const main = $('main');
  if (status === 'live') {
    conn.textContent = 'live';
    conn.className = 'conn conn-live';
    main.classList.remove('stale');
  } else if (status === 'connecting') {
    conn.textContent = 'connecting';
    conn.className = 'conn conn-connecting';
  } else {
    conn.textContent = offlineSince
      ? `offline since ${formatTime(offlineSince + model.skewMs, model.timezone)}`
      : 'offline';
    conn.className = 'conn conn-offline';
    main.classList.add('stale');
  }
}

export function setupLegend() {
  const legend = $('legend');
  /**
   * @param {string} color
   * @param {string} label
   */
  const item = (color, label) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'sw';
    sw.style.background = color;
    li.append(sw, label);
    legend.append(li);
  };
  for (const { state, color } of legendItems()) item(color, STATE_LABELS[state]);
  item(stateColor('changeover'), 'Changeover');
}
