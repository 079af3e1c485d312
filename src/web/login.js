// @ts-check
// The login and session UI: the log-in / log-out button, the login dialog (named users or the
// shared operator token) and what the page knows of the session.
import * as api from './actions.js';
import { $ } from './dom.js';
import { model, ui } from './page-state.js';
import { invalidate } from './render-queue.js';
import { messageOf, toast } from './toast.js';

/** @import { Session } from './actions.js' */

/** With the shared operator token the server cannot tell who acts, so the typed name goes along. */
export function claimedName() {
  return ui.via === 'operator-token' && ui.operatorName ? ui.operatorName : undefined;
}

/**
 * What /api/session or /api/login said; null after a logout or an expired session.
 * @param {Session | null} s
 */
export function setSession(s) {
  ui.operator = s?.operator === true || (s?.permissions?.length ?? 0) > 0;
  ui.user = s?.user ?? null;
  ui.role = s?.role ?? null;
  ui.via = s?.via ?? null;
  ui.permissions = s?.permissions ?? [];
  if (s?.operatorEnabled !== undefined) ui.operatorEnabled = s.operatorEnabled === true;
  if (s?.usersEnabled !== undefined) ui.usersEnabled = s.usersEnabled === true;
  if (ui.user === null) ui.operator = false;
  invalidate('operator');
}

export function renderOperatorButton() {
  const button = $('operator-btn');
  button.hidden = !model.operatorEnabled;
  const loggedIn = ui.user !== null;
  const who =
    ui.via === 'operator-token'
      ? `Operator${ui.operatorName ? `: ${ui.operatorName}` : ''}`
      : `${ui.user} (${ui.role})`;
  button.textContent = loggedIn ? `${who} · log out` : 'Log in';
  button.classList.toggle('on', loggedIn);
}

/**
 * An input of the login form.
 * @param {string} id
 */
function field(id) {
  return $(id, HTMLInputElement);
}

function showLoginFields() {
  const named = ui.usersEnabled;
  for (const id of ['login-help-users', 'login-user-row', 'login-password-row']) $(id).hidden = !named;
  for (const id of ['login-help-token', 'login-token-row', 'login-name-row']) $(id).hidden = named;
  field('login-user').required = named;
  field('login-password').required = named;
  field('login-token').required = !named;
}

export function openLogin() {
  $('login-error').textContent = '';
  field('login-name').value = ui.operatorName;
  field('login-user').value = localStorage.getItem('lineside.user') ?? '';
  showLoginFields();
  $('login-dialog', HTMLDialogElement).showModal();
  if (!ui.usersEnabled) $('login-token').focus();
  else if (field('login-user').value === '') $('login-user').focus();
  else $('login-password').focus();
}

export function setupLogin() {
  $('operator-btn').addEventListener('click', async () => {
    if (ui.user === null) return openLogin();
    await api.logout().catch(() => undefined);
    setSession(null);
  });
  $('login-cancel').addEventListener('click', () => $('login-dialog', HTMLDialogElement).close());
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const credentials = ui.usersEnabled
        ? { user: field('login-user').value.trim(), password: field('login-password').value }
        : { token: field('login-token').value };
      const s = await api.login(credentials);
      if (ui.usersEnabled) localStorage.setItem('lineside.user', s.user ?? '');
      else {
        ui.operatorName = field('login-name').value.trim();
        localStorage.setItem('lineside.operatorName', ui.operatorName);
      }
      field('login-token').value = '';
      field('login-password').value = '';
      $('login-dialog', HTMLDialogElement).close();
      setSession(s);
      toast(s.via === 'operator-token' ? 'Logged in as operator' : `Logged in as ${s.user} (${s.role})`);
    } catch (err) {
      $('login-error').textContent = messageOf(err);
    }
  });
}
