/** GET / (the page), GET /history (the history page) and GET /static/:name (their scripts and styles). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { sendError } from './http-errors.js';
import { PAGE_SECURITY_HEADERS, type StaticFile } from './static.js';

function serve(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply.headers({ ...PAGE_SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag });
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/**
 * Where a `?token=` bookmark lands: the page, keeping only the `line` it shows (a TV pointed at
 * one line of the agent, docs/dashboard.md#several-lines). Always a path on this host.
 */
export function pageWithoutToken(url: string): string {
  const line = new URL(url, 'http://page').searchParams.get('line');
  return line === null ? '/' : `/?${new URLSearchParams({ line }).toString()}`;
}

export function pageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/', { config: { access: 'view' } }, async (request, reply) => {
    // A bookmark with ?token=: remember it in a cookie and drop it from the address bar, so it
    // is neither shown on the TV nor kept in the history.
    if (ctx.auth.viewTokenInQuery(request)) {
      return reply
        .header('set-cookie', ctx.auth.viewCookie(request.protocol === 'https'))
        .redirect(pageWithoutToken(request.url), 303);
    }
    const index = ctx.files.get('index.html');
    if (index === undefined) return sendError(reply, 'NOT_FOUND', 'index.html missing');
    return serve(request, reply, index);
  });

  // The history page (docs/dashboard.md#history): a page of its own, with the same access as `/`.
  app.get('/history', { config: { access: 'view' } }, async (request, reply) => {
    const page = ctx.files.get('history.html');
    if (page === undefined) return sendError(reply, 'NOT_FOUND', 'history.html missing');
    return serve(request, reply, page);
  });

  // Assets are not secret (the page without data is empty), and a login prompt needs its styles.
  app.get<{ Params: { name: string } }>('/static/:name', { config: { access: 'open' } }, async (request, reply) => {
    const file = ctx.files.get(request.params.name);
    if (file === undefined || request.params.name === 'index.html' || request.params.name === 'history.html')
      return sendError(reply, 'NOT_FOUND', `no file ${request.params.name}`);
    return serve(request, reply, file);
  });
}
