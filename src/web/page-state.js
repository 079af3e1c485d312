// @ts-check
// The page's state: the model the live feed keeps up to date, and what the page itself remembers
// (who is logged in, which line and which station's cycle chart are shown).
import { chooseLine, lineFromAddress } from './line-choice.js';
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
  /**
   * The line the address asks for (line-choice.js); null: the first line. Kept as asked even
   * when the agent has no such line, so the page can say so.
   * @type {string | null}
   */
  wantedLine: lineFromAddress(location.search, location.hash),
};

/** The line on screen: the one the address asks for, else the config's first. */
export function currentLine() {
  const { id } = chooseLine([...model.lines.keys()], ui.wantedLine);
  return id === undefined ? undefined : model.lines.get(id);
}

/** The line the address asks for when the agent has no such line, else null. */
export function unknownLine() {
  return model.lines.size === 0 ? null : chooseLine([...model.lines.keys()], ui.wantedLine).unknown;
}
