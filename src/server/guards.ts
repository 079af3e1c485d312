/**
 * The one onRequest hook that enforces `config.access` of every route, before any handler and
 * before a websocket upgrade: view auth, Origin, rate limit and operator auth.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { sendError } from './http-errors.js';

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
            await sendError(reply, 'ORIGIN_NOT_ALLOWED', `websocket from Origin ${String(request.headers.origin)} refused; add it to server.allowedOrigins if it is yours`);
          } else if (ctx.hub.full) {
            await sendError(reply, 'TOO_MANY_CLIENTS', `${ctx.options.maxClients} dashboard clients are connected already`);
          }
        }
        return;
      }
      ctx.counters.authFailures++;
      if (needsViewPage(request)) {
        await reply.code(401).type('text/html; charset=utf-8').send(LOGIN_PAGE);
        return;
      }
      await sendError(reply, 'UNAUTHORIZED', 'viewing needs the view token: Authorization: Bearer <token>, ?token=<token> or the view cookie');
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
      await sendError(reply, 'ORIGIN_NOT_ALLOWED', `request from Origin ${String(request.headers.origin)} refused; add it to server.allowedOrigins if it is yours`);
      return;
    }
    if (access === 'login') return;

    const check = ctx.auth.operator(request);
    if (check === 'ok') return;
    if (check === 'disabled') {
      await sendError(reply, 'OPERATOR_DISABLED', 'operator actions are off: set server.operatorToken (or server.operatorTokenFile) in the config and restart the agent');
      return;
    }
    ctx.counters.authFailures++;
    if (check === 'invalid') ctx.limiter.penalize(request.ip, ctx.clock.monoMs(), LOGIN_FAILURE_COST);
    await sendError(
      reply,
      'UNAUTHORIZED',
      check === 'missing' ? 'operator actions need the operator token: Authorization: Bearer <token>, or log in with POST /api/login' : 'wrong operator token or expired session',
    );
  };
}

export const LOGIN_FAILURE_PENALTY = LOGIN_FAILURE_COST;
