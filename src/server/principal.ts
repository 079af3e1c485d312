/**
 * Who is acting: a named user from the users file (logged in, or with their API token), or the
 * deprecated shared operator token. The role decides what they may do (src/users/roles.ts).
 */
import type { ActionBy } from '../core/events.js';
import type { Role } from '../users/roles.js';

export type Via = 'login' | 'api-token' | 'operator-token';

export interface Principal {
  readonly user: string;
  readonly role: Role;
  readonly via: Via;
}

/**
 * The shared operator token acts as user "operator". It keeps the rights it always had (assign
 * and change any reason, acknowledge alerts), which are a supervisor's, so no plant loses a
 * working setup by upgrading; docs/users.md tells them to move to named users.
 */
export const TOKEN_PRINCIPAL: Principal = { user: 'operator', role: 'supervisor', via: 'operator-token' };

/**
 * The record an action carries into the core's event. With the shared token nobody is known, so
 * the name the client sent in `by` (as before named users) is kept, marked by `via`.
 */
export function actionBy(principal: Principal, claimedName: string | undefined, note: string | undefined): ActionBy {
  const user = principal.via === 'operator-token' ? (claimedName ?? principal.user) : principal.user;
  return { user, role: principal.role, via: principal.via, ...(note !== undefined ? { note } : {}) };
}
