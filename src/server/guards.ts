/**
 * The one onRequest hook that enforces `config.access` of every route, before any handler and
 * before a websocket upgrade: view auth, Origin, rate limit and operator auth.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { can, rolesWith, type Permission } from '../users/roles.js';
import { sendError } from './http-errors.js';
import type { Principal } from './principal.js';

const LOGIN_FAILURE_COST = 5;

function needsViewPage(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.url === '/' || request.url.startsWith('/?'));
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lineside - token needed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="background:#0b0f14;color:#e8eef5;font:20px system-ui,sans-serif;padding:2em;max-width:40em">
<h1>This dashboard needs a view token</h1>
<p>Open it as <code>http://&lt;agent&gt;:&lt;port&gt;/?token=&lt;view token&gt;</code> once; the browser then remembers it.
The token is <code>server.viewToken</code> in the agent's config.</p></body></html>`;

export function accessGuard(ctx: ServerContext) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const access = request.routeOptions.config.access ?? 'view';
    if (access === 'open') return;

    if (access === 'view') {
      if (ctx.auth.viewer(request)) {
        if (request.ws) {
          if (!ctx.auth.originAllowed(request)) {
            ctx.counters.authFailures++;
            await sendError(
              reply,
              'ORIGIN_NOT_ALLOWED',
              `websocket from Origin ${String(request.headers.origin)} refused; add it to server.allowedOrigins if it is yours`,
            );
          } else if (ctx.hub.full) {
            await sendError(
              reply,
              'TOO_MANY_CLIENTS',
              `${ctx.options.maxClients} dashboard clients are connected already`,
            );
          }
        }
        return;
      }
      ctx.counters.authFailures++;
      if (needsViewPage(request)) {
        await reply.code(401).type('text/html; charset=utf-8').send(LOGIN_PAGE);
        return;
      }
      await sendError(
        reply,
        'UNAUTHORIZED',
        'viewing needs the view token: Authorization: Bearer <token>, ?token=<token> or the view cookie',
      );
      return;
    }

    // POST routes: rate limit first, so guessing tokens is slow too.
    const retryAfterS = ctx.limiter.take(request.ip, ctx.clock.monoMs());
    if (retryAfterS > 0) {
      ctx.counters.rateLimited++;
      reply.header('retry-after', String(retryAfterS));
      await sendError(reply, 'RATE_LIMITED', `too many requests from ${request.ip}; try again in ${retryAfterS} s`);
      return;
    }
    // A page on another site could ride on the operator's cookie (or plant a login): refuse it.
    // A bearer token cannot be ridden on, so a script elsewhere that holds the token may act.
    if ((access === 'login' || ctx.auth.usesCookie(request)) && !ctx.auth.originAllowed(request)) {
      ctx.counters.authFailures++;
      await sendError(
        reply,
        'ORIGIN_NOT_ALLOWED',
        `request from Origin ${String(request.headers.origin)} refused; add it to server.allowedOrigins if it is yours`,
      );
      return;
    }
    if (access === 'login') return;

    const check = ctx.auth.principal(request);
    if (check.kind === 'ok') {
      const permission = request.routeOptions.config.permission;
      if (permission !== undefined && !can(check.principal.role, permission)) {
        const { user, role } = check.principal;
        ctx.logger.warn(
          { user, role, permission, route: request.routeOptions.url, remote: request.ip },
          'action refused: role lacks the permission',
        );
        await sendError(
          reply,
          'FORBIDDEN',
          `${user} is ${article(role)} ${role}; ${PERMISSION_WORDS[permission]} needs the role ${rolesWith(permission).join(', ')}`,
        );
        return;
      }
      principals.set(request, check.principal);
      return;
    }
    if (check.kind === 'disabled') {
      await sendError(reply, 'OPERATOR_DISABLED', ACTIONS_OFF);
      return;
    }
    ctx.counters.authFailures++;
    if (check.kind === 'invalid') ctx.limiter.penalize(request.ip, ctx.clock.monoMs(), LOGIN_FAILURE_COST);
    await sendError(
      reply,
      'UNAUTHORIZED',
      check.kind === 'missing'
        ? 'actions need a login (POST /api/login) or a token: Authorization: Bearer <token>'
        : 'wrong token or expired session; log in again',
    );
  };
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who the guard let through on an action route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined)
    throw new Error(`no principal on ${request.method} ${request.url}: the route lacks access 'operator'`);
  return principal;
}

export const ACTIONS_OFF =
  'operator actions are off: add users (lineside user add NAME --role R, with server.usersFile in the config) or set server.operatorToken, then restart the agent';

export const PERMISSION_WORDS: Readonly<Record<Permission, string>> = {
  assignReason: 'assigning a downtime reason',
  editReason: 'changing a reason somebody else assigned',
  acknowledgeAlert: 'acknowledging an alert',
  setProduct: 'setting the product a line runs',
  runOrders: 'starting or stopping an order',
  recordScrap: 'recording scrap',
  makeReports: 'making a report on demand',
};

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

export const LOGIN_FAILURE_PENALTY = LOGIN_FAILURE_COST;
