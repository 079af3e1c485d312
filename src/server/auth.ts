/**
 * Who may look and who may act.
 * - Viewing (the page, the API's GET routes, the websocket, /metrics) is open on the plant LAN
 *   unless `server.viewToken` is set; then it needs the token as `Authorization: Bearer`, as
 *   `?token=` (what a TV's bookmark carries; the page then gets a cookie and a clean URL), or the
 *   view cookie. Anyone who may act (a named user's session or token, the operator token) may view.
 * - Acting (POST routes) needs a principal: a named user from `server.usersFile` (session cookie
 *   from `POST /api/login {user, password}`, or their API token as a bearer token), or the
 *   deprecated shared `server.operatorToken`. What they may do is their role's (guards.ts).
 * Cookies are stateless HMACs: they survive an agent restart (the TV stays logged in). A named
 * user's session dies when their password or role changes or they are removed; a token session
 * when the token changes. Tokens are compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { UserDirectory } from '../users/directory.js';
import { verifyAgainstNobody, verifyPassword } from '../users/password.js';
import type { UserRecord } from '../users/users-file.js';
import { TOKEN_PRINCIPAL, type Principal } from './principal.js';

export const VIEW_COOKIE = 'lineside_view';
export const OPERATOR_COOKIE = 'lineside_op';
/** Browsers cap cookie lifetimes at 400 days; the TV should not have to log in again. */
const VIEW_COOKIE_MAX_AGE_S = 400 * 24 * 3600;
const USER_SESSION = 'u1';

export type PrincipalCheck =
  | { readonly kind: 'ok'; readonly principal: Principal }
  | { readonly kind: 'disabled' | 'missing' | 'invalid' };

export interface AuthSettings {
  readonly viewToken?: string;
  readonly operatorToken?: string;
  /** Named users (server.usersFile) and the key that signs their sessions. */
  readonly users?: { readonly directory: UserDirectory; readonly sessionKey: Buffer };
  readonly allowedOrigins: readonly string[];
  readonly sessionTtlMs: number;
}
/** Equal-length digests make `timingSafeEqual` usable for tokens of any length, and leak no length. */
export function tokensEqual(candidate: string, secret: string): boolean {
  const a = createHash('sha256').update(candidate, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function hmac(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest('base64url');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const raw of header.split(';')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' ? token : undefined;
}

const nonEmpty = (s: string | undefined): string | undefined => (s !== undefined && s !== '' ? s : undefined);

export class Auth {
  readonly viewToken: string | undefined;
  readonly operatorToken: string | undefined;

  constructor(
    private readonly settings: AuthSettings,
    private readonly wallMs: () => number,
  ) {
    // "${LINESIDE_OPERATOR_TOKEN:-}" in the config yields "": that means "not set".
    this.viewToken = nonEmpty(settings.viewToken);
    this.operatorToken = nonEmpty(settings.operatorToken);
  }

  /** Whether anyone can act at all (named users or the operator token are configured). */
  get operatorEnabled(): boolean {
    return this.operatorToken !== undefined || this.settings.users !== undefined;
  }

  get usersEnabled(): boolean {
    return this.settings.users !== undefined;
  }

  /** True when the request may view. */
  viewer(request: FastifyRequest): boolean {
    if (this.viewToken === undefined) return true;
    const token = bearer(request) ?? queryToken(request);
    if (token !== undefined && (tokensEqual(token, this.viewToken) || this.tokenPrincipal(token) !== undefined))
      return true;
    const cookies = parseCookies(request.headers.cookie);
    const view = cookies.get(VIEW_COOKIE);
    if (view !== undefined && tokensEqual(view, hmac(this.viewToken, 'lineside-view-v1'))) return true;
    return this.sessionPrincipal(cookies.get(OPERATOR_COOKIE)) !== undefined;
  }

  /** True when `?token=` carried a valid view token (the page then sets the cookie and drops it from the URL). */
  viewTokenInQuery(request: FastifyRequest): boolean {
    const token = queryToken(request);
    return token !== undefined && this.viewToken !== undefined && tokensEqual(token, this.viewToken);
  }

  /** Who is acting: a bearer token first (scripts), then the session cookie (the page). */
  principal(request: FastifyRequest): PrincipalCheck {
    if (!this.operatorEnabled) return { kind: 'disabled' };
    const token = bearer(request);
    if (token !== undefined) {
      const principal = this.tokenPrincipal(token);
      return principal === undefined ? { kind: 'invalid' } : { kind: 'ok', principal };
    }
    const session = parseCookies(request.headers.cookie).get(OPERATOR_COOKIE);
    if (session === undefined) return { kind: 'missing' };
    const principal = this.sessionPrincipal(session);
    return principal === undefined ? { kind: 'invalid' } : { kind: 'ok', principal };
  }

  /** Whether the request authenticated by cookie (then a cross-site Origin must be refused). */
  usesCookie(request: FastifyRequest): boolean {
    return bearer(request) === undefined && parseCookies(request.headers.cookie).size > 0;
  }

  checkOperatorToken(candidate: string): boolean {
    return this.operatorToken !== undefined && tokensEqual(candidate, this.operatorToken);
  }

  /** A named user's password login; as slow for an unknown name as for a wrong password. */
  async login(name: string, password: string): Promise<Principal | undefined> {
    const user = this.settings.users?.directory.find(name);
    if (user?.password === undefined) return verifyAgainstNobody(password).then(() => undefined);
    if (!(await verifyPassword(password, user.password))) return undefined;
    // Read again: the file may have changed during the hash (a role change, a removal).
    const now = this.settings.users?.directory.find(name);
    return now?.password === user.password ? { user: now.name, role: now.role, via: 'login' } : undefined;
  }

  private tokenPrincipal(token: string): Principal | undefined {
    return tokenPrincipal(token, this.operatorToken, this.settings.users?.directory);
  }

  /** `u1.<name>.<expiry>.<mac>` for a named user; `<expiry>.<mac>` for the operator token. */
  private sessionPrincipal(value: string | undefined): Principal | undefined {
    if (value === undefined) return undefined;
    const parts = value.split('.');
    if (parts[0] === USER_SESSION && parts.length === 4 && this.settings.users !== undefined) {
      const name = Buffer.from(parts[1] ?? '', 'base64url').toString('utf8');
      const expiry = Number(parts[2]);
      if (!Number.isSafeInteger(expiry) || expiry <= this.wallMs()) return undefined;
      const user = this.settings.users.directory.find(name);
      if (user === undefined || !tokensEqual(parts[3] ?? '', this.userMac(user, expiry))) return undefined;
      return { user: user.name, role: user.role, via: 'login' };
    }
    if (parts.length !== 2 || this.operatorToken === undefined) return undefined;
    const expiry = Number(parts[0]);
    if (!Number.isSafeInteger(expiry) || expiry <= this.wallMs()) return undefined;
    return tokensEqual(parts[1] ?? '', hmac(this.operatorToken, `lineside-op-v1:${expiry}`))
      ? TOKEN_PRINCIPAL
      : undefined;
  }

  /** Signs the user's name, role and password hash: changing either ends their sessions. */
  private userMac(user: UserRecord, expiry: number): string {
    const stamp = createHash('sha256')
      .update(`${user.role}\n${user.password ?? ''}`)
      .digest('base64url');
    return createHmac('sha256', this.settings.users?.sessionKey ?? '')
      .update(`lineside-user-v1:${user.name.toLowerCase()}:${expiry}:${stamp}`)
      .digest('base64url');
  }

  viewCookie(secure: boolean): string {
    const value = this.viewToken === undefined ? '' : hmac(this.viewToken, 'lineside-view-v1');
    return `${VIEW_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${VIEW_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
  }

  /** The session cookie for a principal that just logged in (by password, or with the operator token). */
  sessionCookie(principal: Principal, secure: boolean): string {
    // Whole ms: the value carries "<expiry>", and the demo's simulator clock has fractional ms,
    // whose decimal point made every session cookie of `lineside demo` unreadable (401 on POST).
    const expiry = Math.floor(this.wallMs()) + this.settings.sessionTtlMs;
    let value: string;
    if (principal.via === 'login') {
      const user = this.settings.users?.directory.find(principal.user);
      if (user === undefined) throw new Error(`no user ${principal.user} to make a session for`);
      value = [
        USER_SESSION,
        Buffer.from(user.name, 'utf8').toString('base64url'),
        expiry,
        this.userMac(user, expiry),
      ].join('.');
    } else {
      if (this.operatorToken === undefined) throw new Error('operator sessions need server.operatorToken');
      value = `${expiry}.${hmac(this.operatorToken, `lineside-op-v1:${expiry}`)}`;
    }
    return `${OPERATOR_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.settings.sessionTtlMs / 1000)}${secure ? '; Secure' : ''}`;
  }

  clearOperatorCookie(): string {
    return `${OPERATOR_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /**
   * Same-origin requests and configured `server.allowedOrigins` pass. A request without Origin
   * is not from a browser page (curl, Prometheus, a script) and cannot ride on someone's cookie.
   */
  originAllowed(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (this.settings.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }
}

/**
 * Who a bearer token is: the shared operator token, or a named user's API token (the users file
 * keeps only its digest). Also the MQTT command channel's check (src/agent/mqtt-commands.ts).
 */
export function tokenPrincipal(
  token: string,
  operatorToken: string | undefined,
  directory: Pick<UserDirectory, 'byToken'> | undefined,
): Principal | undefined {
  if (operatorToken !== undefined && operatorToken !== '' && tokensEqual(token, operatorToken)) return TOKEN_PRINCIPAL;
  const user = directory?.byToken(token);
  return user === undefined ? undefined : { user: user.name, role: user.role, via: 'api-token' };
}
