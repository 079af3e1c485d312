/** What `GET /api/session` and the login routes tell the page about who is acting. */
import { permissionsOf, type Permission, type Role } from '../users/roles.js';
import type { ServerContext } from './context.js';
import type { Principal } from './principal.js';

export interface SessionView {
  readonly viewer: true;
  /** True when logged in with any action allowed (kept for pages and scripts of before named users). */
  readonly operator: boolean;
  /** Whether anyone can act here (named users or the operator token configured). */
  readonly operatorEnabled: boolean;
  /** Whether the login asks for a name and password (server.usersFile) rather than the token. */
  readonly usersEnabled: boolean;
  readonly user?: string;
  readonly role?: Role;
  readonly via?: Principal['via'];
  readonly permissions: readonly Permission[];
}

export function sessionView(ctx: ServerContext, principal: Principal | undefined): SessionView {
  const permissions = principal === undefined ? [] : permissionsOf(principal.role);
  return {
    viewer: true,
    operator: permissions.length > 0,
    operatorEnabled: ctx.auth.operatorEnabled,
    usersEnabled: ctx.auth.usersEnabled,
    ...(principal !== undefined ? { user: principal.user, role: principal.role, via: principal.via } : {}),
    permissions,
  };
}
