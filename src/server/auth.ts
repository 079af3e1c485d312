/**
 * Who may look and who may act.
 * - Viewing (the page, the API's GET routes, the websocket, /metrics) is open on the plant LAN
 *   unless `server.viewToken` is set; then it needs the token as `Authorization: Bearer`, as
 *   `?token=` (what a TV's bookmark carries; the page then gets a cookie and a clean URL), or the
 *   view cookie. The operator token (or session) also grants viewing.
 * - Acting (POST routes) needs `server.operatorToken` as a bearer token or the operator session
 *   cookie from `POST /api/login`. Without a configured operator token every POST is refused.
 * Cookies are stateless HMACs of the token: they survive an agent restart (the TV stays logged
 * in) and die when the token is changed. Tokens are compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const VIEW_COOKIE = 'lineside_view';
export const OPERATOR_COOKIE = 'lineside_op';
/** Browsers cap cookie lifetimes at 400 days; the TV should not have to log in again. */
const VIEW_COOKIE_MAX_AGE_S = 400 * 24 * 3600;

export type OperatorCheck = 'ok' | 'disabled' | 'missing' | 'invalid';

export interface AuthSettings {
  readonly viewToken?: string;
  readonly operatorToken?: string;
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

  get operatorEnabled(): boolean {
    return this.operatorToken !== undefined;
  }

  /** True when the request may view. */
  viewer(request: FastifyRequest): boolean {
    if (this.viewToken === undefined) return true;
    const token = bearer(request) ?? queryToken(request);
    if (token !== undefined && (tokensEqual(token, this.viewToken) || (this.operatorToken !== undefined && tokensEqual(token, this.operatorToken)))) {
      return true;
    }
    const cookies = parseCookies(request.headers.cookie);
    const view = cookies.get(VIEW_COOKIE);
    if (view !== undefined && tokensEqual(view, hmac(this.viewToken, 'lineside-view-v1'))) return true;
    return this.operatorSession(cookies.get(OPERATOR_COOKIE));
  }

  /** True when `?token=` carried a valid view token (the page then sets the cookie and drops it from the URL). */
  viewTokenInQuery(request: FastifyRequest): boolean {
    const token = queryToken(request);
    return token !== undefined && this.viewToken !== undefined && tokensEqual(token, this.viewToken);
  }

  operator(request: FastifyRequest): OperatorCheck {
    if (this.operatorToken === undefined) return 'disabled';
    const token = bearer(request);
    if (token !== undefined) return tokensEqual(token, this.operatorToken) ? 'ok' : 'invalid';
    const session = parseCookies(request.headers.cookie).get(OPERATOR_COOKIE);
    if (session === undefined) return 'missing';
    return this.operatorSession(session) ? 'ok' : 'invalid';
  }

  /** Whether the request authenticated by cookie (then a cross-site Origin must be refused). */
  usesCookie(request: FastifyRequest): boolean {
    return bearer(request) === undefined && parseCookies(request.headers.cookie).size > 0;
  }

  checkOperatorToken(candidate: string): boolean {
    return this.operatorToken !== undefined && tokensEqual(candidate, this.operatorToken);
  }

  private operatorSession(value: string | undefined): boolean {
    if (value === undefined || this.operatorToken === undefined) return false;
    const dot = value.indexOf('.');
    if (dot <= 0) return false;
    const expiry = Number(value.slice(0, dot));
    if (!Number.isSafeInteger(expiry) || expiry <= this.wallMs()) return false;
    return tokensEqual(value.slice(dot + 1), hmac(this.operatorToken, `lineside-op-v1:${expiry}`));
  }

  viewCookie(secure: boolean): string {
    const value = this.viewToken === undefined ? '' : hmac(this.viewToken, 'lineside-view-v1');
    return `${VIEW_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${VIEW_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
  }

  operatorCookie(secure: boolean): string {
    if (this.operatorToken === undefined) throw new Error('operator sessions need server.operatorToken');
    // Whole ms: the value is "<expiry>.<mac>", and the demo's simulator clock has fractional ms,
    // whose decimal point made every session cookie of `lineside demo` unreadable (401 on POST).
    const expiry = Math.floor(this.wallMs()) + this.settings.sessionTtlMs;
    const value = `${expiry}.${hmac(this.operatorToken, `lineside-op-v1:${expiry}`)}`;
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
