// @ts-check
// What the operator's buttons in the downtime and alert lists do: assign a reason, acknowledge an
// alert, then update the model from the answer (or log out on a 401) and say so in a toast.
import * as api from './actions.js';
import { claimedName, setSession } from './login.js';
import { model } from './page-state.js';
import { invalidate } from './render-queue.js';
import { messageOf, toast } from './toast.js';

/**
 * @param {string} downtimeId
 * @param {string} reason
 * @param {HTMLButtonElement} button
 */
export async function onAssign(downtimeId, reason, button) {
  button.disabled = true;
  try {
    const result = await api.assignReason(downtimeId, reason, claimedName());
    if (result.downtime !== undefined) model.downtime.set(result.downtime.id, result.downtime);
    toast(`Reason saved: ${model.reasons.find((r) => r.id === reason)?.label ?? reason}`);
    invalidate('downtime');
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    toast(`Not saved: ${messageOf(err)}`);
  } finally {
    button.disabled = false;
  }
}

/**
 * @param {string} alertId
 * @param {HTMLButtonElement} button
 */
export async function onAck(alertId, button) {
  button.disabled = true;
  try {
    const result = await api.acknowledgeAlert(alertId, claimedName());
    if (result.alert !== undefined) model.alerts.set(result.alert.id, result.alert);
    toast('Alert acknowledged');
    invalidate('alerts');
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) setSession(null);
    toast(`Not acknowledged: ${messageOf(err)}`);
  } finally {
    button.disabled = false;
  }
}
