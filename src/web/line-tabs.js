// @ts-check
// The line selector: with several lines in one agent, a tab per line in the header, each naming
// its line and its status ("1 down"), so a line in trouble is seen from any line's page. Picking
// a tab (click, or Tab/arrow keys and Enter) shows that line's header, order, product, overview,
// tiles, charts and lists, and puts it in the address (`?line=…`), so a reload or a TV bookmark
// keeps it. With one line there are no tabs. An address naming a line the agent does not have
// says so in the header and shows the first line.
import { $, el } from './dom.js';
import { addressOfLine, lineFromAddress } from './line-choice.js';
import { lineStatus } from './line-status.js';
import { currentLine, model, ui, unknownLine } from './page-state.js';
import { invalidate } from './render-queue.js';
import { ensureSelection, reloadCycleChart } from './selected-station.js';

/** @type {Map<string, { button: HTMLButtonElement, name: HTMLElement, status: HTMLElement }>} */
const tabs = new Map();

/** @param {string} lineId */
function createTab(lineId) {
  const button = el('button', 'line-tab');
  button.type = 'button';
  button.dataset.line = lineId;
  const name = el('span', 'line-tab-name');
  const status = el('span', 'line-tab-status');
  button.append(name, status);
  button.addEventListener('click', () => showLine(lineId));
  return { button, name, status };
}

/** The tabs (several lines only) and the notice for an unknown line in the address. */
export function renderLineTabs() {
  const nav = $('line-tabs');
  const lines = [...model.lines.values()];
  const shown = currentLine();
  const unknown = unknownLine();
  const notice = $('line-notice');
  notice.hidden = unknown === null;
  notice.textContent =
    unknown === null ? '' : `This agent has no line “${unknown}”: showing ${shown?.name ?? 'the first line'}.`;
  $('line-name').hidden = lines.length > 1;
  nav.hidden = lines.length < 2;
  for (const [id, tab] of tabs) {
    if (!model.lines.has(id) || lines.length < 2) {
      tab.button.remove();
      tabs.delete(id);
    }
  }
  if (lines.length < 2) return;
  lines.forEach((line, index) => {
    let tab = tabs.get(line.id);
    if (tab === undefined) tabs.set(line.id, (tab = createTab(line.id)));
    if (nav.children[index] !== tab.button) nav.insertBefore(tab.button, nav.children[index] ?? null);
    const stations = line.stationIds.map((id) => model.stations.get(id)).filter((s) => s !== undefined);
    const status = lineStatus(stations, line.plannedStop);
    tab.name.textContent = line.name;
    tab.status.textContent = status.text;
    tab.status.className = `line-tab-status ${status.cls}`;
    const current = line.id === shown?.id;
    tab.button.classList.toggle('current', current);
    if (current) tab.button.setAttribute('aria-current', 'true');
    else tab.button.removeAttribute('aria-current');
    tab.button.setAttribute('aria-label', `${line.name}: ${status.text}${status.sub ? ` (${status.sub})` : ''}`);
  });
}

/**
 * Shows `lineId` and records it in the address (replacing it: switching lines on a TV should
 * not fill the history).
 * @param {string} lineId
 */
export function showLine(lineId) {
  if (ui.wantedLine === lineId) return;
  ui.wantedLine = lineId;
  window.history.replaceState(window.history.state, '', addressOfLine(location.href, lineId));
  lineChanged();
}

/** The header's History link opens the history of the line on screen (history.js reads ?line=). */
function updateHistoryLink() {
  const line = ui.wantedLine ?? lineFromAddress(location.search, location.hash);
  $('history-link', HTMLAnchorElement).href =
    line === null ? '/history' : `/history?${new URLSearchParams({ line }).toString()}`;
}

function lineChanged() {
  updateHistoryLink();
  // The cycle chart follows to a station of the new line.
  if (ensureSelection()) reloadCycleChart();
  invalidate('all');
}

/** Arrow keys move between the tabs, as in a tab list; Enter or Space picks one. */
export function setupLineTabs() {
  updateHistoryLink();
  const nav = $('line-tabs');
  nav.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const buttons = [...nav.querySelectorAll('button')];
    const at = buttons.findIndex((b) => b === document.activeElement);
    if (at < 0) return;
    const next = buttons[(at + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    event.preventDefault();
  });
  // An address typed or changed by hand (a kiosk script setting #line=…) is followed too.
  window.addEventListener('hashchange', () => {
    ui.wantedLine = lineFromAddress(location.search, location.hash);
    lineChanged();
  });
}
