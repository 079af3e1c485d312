// @ts-check
// The page's state: the model the live feed keeps up to date, and what the page itself remembers
// (who is logged in, which station's cycle chart is shown).
import { createModel } from './model.js';

/** @import { Session } from './actions.js' */

export const model = createModel();
export const ui = {
  /** Logged in (a named user or the operator token). */
  operator: false,
  operatorEnabled: false,
  /** Named users: the login asks for name and password, and actions carry the login. */
  usersEnabled: false,
  /** @type {string | null} */
  user: null,
  /** @type {string | null} */
  role: null,
  /** @type {Session['via'] | null} */
  via: null,
  /** @type {readonly string[]} */
  permissions: [],
  /** With the shared operator token only: the name typed at login, sent as `by`. */
  operatorName: localStorage.getItem('lineside.operatorName') ?? '',
  /** @type {string | null} */
  selected: localStorage.getItem('lineside.station') ?? null,
};

export function firstLine() {
  return model.lines.values().next().value;
}
