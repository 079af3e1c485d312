// @ts-check
// Rejects of the selected station this shift, beside its cycle chart: split start-up / production
// and by scrap reason (a bar list whose text says it all), and for a login allowed to record
// scrap (operator, supervisor, engineer) the "Record scrap" form. Recording only asks the server;
// the delta that follows the core's scrap event moves the tile and the list, so the page never
// shows scrap the core did not take.
import * as api from './actions.js';
import { $, el } from './dom.js';
import { claimedName, setSession } from './login.js';
import { model, ui } from './page-state.js';
import { qualityText, rejectsSummary, scrapRequest } from './scrap-format.js';
import { reloadCycleChart } from './selected-station.js';
import { messageOf, toast } from './toast.js';

/** @import { StationView } from '../server/view-model.js' */

const NONE = '';

const mayRecordScrap = () => ui.permissions.includes('recordScrap') && model.scrapReasons.length > 0;

/** The selected station's shift rejects, and the Record scrap button when allowed. */
export function renderRejects() {
  const station = ui.selected === null ? undefined : model.stations.get(ui.selected);
  // The shift's figures only: outside a shift there is nothing to scrap from, and the rolling
  // hour is not corrected by scrap entries (docs/oee.md#scrap-reasons).
  const summary = station === undefined ? null : rejectsSummary(station.oee?.figures, model.scrapReasons);
  const allowed = station !== undefined && mayRecordScrap();
  const panel = $('rejects-panel');
  const hidden = summary === null && !allowed;
  if (panel.hidden !== hidden) {
    panel.hidden = hidden;
    // The list sits beside the cycle chart: the chart's width, and so its buckets, changed.
    reloadCycleChart();
  }
  $('rejects-quality').textContent = qualityText(station?.oee?.figures);
  $('rejects-none').hidden = summary !== null;
  $('rejects-split').hidden = summary === null;
  $('rejects-split').textContent = summary === null ? '' : `${summary.totalText}: ${summary.split}`;
  $('rejects').replaceChildren(
    ...(summary?.rows ?? []).map((row) => {
      const li = el('li', 'reject-row');
      li.dataset.reason = row.reason;
      li.setAttribute('aria-label', row.text);
      const bar = el('span', 'reject-bar');
      bar.setAttribute('aria-hidden', 'true');
      const fill = el('span', 'reject-fill');
      // CSSOM, not a style attribute: the page's CSP allows no inline styles.
      fill.style.width = `${row.width}%`;
      bar.append(fill);
      li.append(
        el('span', 'reject-label', row.label),
        el('span', 'reject-count', `${row.count} · ${row.share} %`),
        bar,
      );
      return li;
    }),
  );
  const open = $('scrap-open', HTMLButtonElement);
  open.hidden = !allowed;
  // The station's name is in the panel's heading; a screen reader reaching the button alone needs it.
  open.setAttribute('aria-label', `Record scrap on ${station?.name ?? ''}`);
}

/** @param {StationView} station */
function openScrapDialog(station) {
  const dialog = $('scrap-dialog', HTMLDialogElement);
  // The form records on the station it was opened for, whatever is selected meanwhile.
  dialog.dataset.station = station.id;
  $('scrap-station').textContent = station.name;
  $('scrap-error').textContent = '';
  $('scrap-reason', HTMLSelectElement).replaceChildren(
    new Option('Choose a reason', NONE),
    ...model.scrapReasons.map((r) => new Option(r.label, r.id)),
  );
  $('scrap-count', HTMLInputElement).value = '';
  $('scrap-note', HTMLInputElement).value = '';
  dialog.showModal();
  $('scrap-reason').focus();
}

/** @param {SubmitEvent} event */
async function onRecord(event) {
  event.preventDefault();
  const dialog = $('scrap-dialog', HTMLDialogElement);
  const stationId = dialog.dataset.station ?? '';
  const name = model.stations.get(stationId)?.name ?? stationId;
  const error = $('scrap-error');
  const request = scrapRequest({
    reason: $('scrap-reason', HTMLSelectElement).value,
    count: $('scrap-count', HTMLInputElement).value,
    note: $('scrap-note', HTMLInputElement).value,
  });
  if (typeof request === 'string') {
    error.textContent = request;
    return;
  }
  const submit = $('scrap-submit', HTMLButtonElement);
  submit.disabled = true;
  try {
    await api.recordScrap(stationId, request, claimedName());
    dialog.close();
    const label = model.scrapReasons.find((r) => r.id === request.reason)?.label ?? request.reason;
    toast(`Scrap recorded on ${name}: ${request.count} × ${label}`);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    // The form stays open with what was typed: the server's message says what to change.
    const message = messageOf(err);
    error.textContent = message;
    toast(`Scrap not recorded: ${message}`);
  } finally {
    submit.disabled = false;
  }
}

export function setupScrap() {
  $('scrap-open').addEventListener('click', () => {
    const station = ui.selected === null ? undefined : model.stations.get(ui.selected);
    if (station !== undefined) openScrapDialog(station);
  });
  $('scrap-cancel').addEventListener('click', () => $('scrap-dialog', HTMLDialogElement).close());
  $('scrap-form').addEventListener('submit', onRecord);
}
