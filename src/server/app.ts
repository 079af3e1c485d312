/**
 * `buildApp(deps)`: the dashboard's Fastify app, without listening (tests use `inject()` and
 * `injectWS()`; `startServer` in start.ts listens). Routes:
 *   GET  /                          the page               GET /ws        live feed (snapshot, then deltas)
 *   GET  /api/snapshot              the page's view model  GET /healthz   liveness
 *   GET  /api/stations/:id/history  states, cycles, downtime over a range (downsampled)
 *   GET  /api/oee?line&shift&start  live or recorded shift OEE
 *   GET  /api/alerts, /api/downtime, /api/session          GET /readyz    sources, spool, history
 *   GET  /api/history/shifts, /api/history/period          past shifts, days, weeks (routes-history.ts)
 *   POST /api/downtime/:id/reason, /api/alerts/:id/ack    GET /metrics   Prometheus text
 *   POST /api/login, /api/logout
 * Every response carries BASELINE_HEADERS (nosniff); every 4xx/5xx, Fastify's and Node's own
 * refusals included, is the coded shape of http-errors.ts; bodies and path parameters are
 * limited as request-limits.ts says, and a refused upload is drained before the connection closes.
 */
import { join, resolve } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { UserDirectory } from '../users/directory.js';
import { Auth } from './auth.js';
import type { ResolvedOptions, ServerContext } from './context.js';
import { buildDashboardView } from './dashboard-view.js';
import type { AppDeps } from './deps.js';
import { accessGuard } from './guards.js';
import { BASELINE_HEADERS, errorFor, sendError } from './http-errors.js';
import { registerWebsocketAndHeaders } from './websocket-setup.js';
import { startLiveBroadcast } from './live-broadcast.js';
import { LiveFeed } from './live-feed.js';
import { LoopLag } from './loop-lag.js';
import { RateLimiter } from './rate-limit.js';
import { loadSessionKey } from './session-key.js';
import { BODY_LIMIT_BYTES, declaredTooLarge, MAX_PARAM_LENGTH } from './request-limits.js';
import { actionRoutes } from './routes-actions.js';
import { apiRoutes } from './routes-api.js';
import { historyRoutes } from './routes-history.js';
import { opsRoutes } from './routes-ops.js';
import { pageRoutes } from './routes-page.js';
import { reportRoutes } from './routes-reports.js';
import { answerClientError, installRawRefusals } from './socket-refusals.js';
import { defaultWebDir, loadStaticFiles } from './static.js';
import { viewContext } from './view-build.js';
import { WsHub } from './ws-hub.js';

/** Test and bench handles on the live machinery (the agent never needs them). */
export interface DashboardControls {
  /** Sends what is pending now instead of when the broadcast window ends. */
  flush(): void;
  /** Runs one heartbeat round now. */
  heartbeat(): void;
  readonly hub: WsHub;
  readonly feed: LiveFeed;
}

declare module 'fastify' {
  interface FastifyInstance {
    lineside: DashboardControls;
  }
}

/** Websocket frames from the page are tiny commands; anything bigger is hostile. */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

/** A route schema would need the compilers left out in buildApp: refuse it when the route is added. */
function noRouteSchemas(): () => never {
  return () => {
    throw new Error('route schemas are not used here: validate with zod (src/server/params.ts)');
  };
}

function resolveOptions(deps: AppDeps): ResolvedOptions {
  const o = deps.options ?? {};
  return {
    broadcastIntervalMs: o.broadcastIntervalMs ?? 250,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? 15_000,
    slowClientBytes: o.slowClientBytes ?? 512 * 1024,
    slowClientTimeoutMs: o.slowClientTimeoutMs ?? 10_000,
    maxClients: o.maxClients ?? 200,
    healthIntervalMs: o.healthIntervalMs ?? 2_000,
    rateLimit: o.rateLimit ?? { burst: 20, perSecond: 2 },
    sessionTtlMs: o.sessionTtlMs ?? 12 * 3600_000,
    trustProxy: o.trustProxy ?? false,
  };
}

/** The users file and the session key beside the spool (a restart keeps everybody logged in). */
function namedUsers(
  usersFile: string,
  storageDir: string,
  logger: Logger,
): { directory: UserDirectory; sessionKey: Buffer } {
  return {
    directory: new UserDirectory(usersFile, logger.child({ component: 'users' })),
    sessionKey: loadSessionKey(join(resolve(storageDir), 'session.key')),
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const options = resolveOptions(deps);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: 'server' });
  const server = deps.config.server;
  const auth = new Auth(
    {
      ...(server.viewToken !== undefined ? { viewToken: server.viewToken } : {}),
      ...(server.operatorToken !== undefined ? { operatorToken: server.operatorToken } : {}),
      ...(server.usersFile !== undefined
        ? { users: namedUsers(server.usersFile, deps.config.storage.dir, logger) }
        : {}),
      allowedOrigins: server.allowedOrigins,
      sessionTtlMs: options.sessionTtlMs,
    },
    () => clock.wallMs(),
  );
  if (auth.operatorToken !== undefined) {
    logger.warn(
      'server.operatorToken is deprecated: it acts as the shared user "operator" (supervisor rights); give people named logins (lineside user add, docs/users.md)',
    );
  }
  const view = viewContext(deps.config);
  const feed = new LiveFeed(deps.live, deps.health, view, () => clock.wallMs());
  const files = loadStaticFiles(deps.options?.webDir ?? defaultWebDir());

  const app = Fastify({
    // pino 10's Logger type carries more generics than Fastify's FastifyBaseLogger; same object.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // A TV polling all week must not fill the journal: no per-request lines; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Fastify's own refusals before routing (a path parameter over the limit: 414; bad
    // percent-encoding: 400) in the coded shape. No hooks run for these, so the baseline
    // headers are set here too.
    frameworkErrors: (error, request, reply) => {
      reply.headers(BASELINE_HEADERS);
      const mapped = errorFor(error);
      if (mapped === undefined)
        logger.error(
          { err: { message: error.message, code: error.code }, method: request.method },
          'request failed before routing',
        );
      sendError(reply, mapped?.code ?? 'INTERNAL', mapped?.message ?? 'internal error; the agent log has the details');
    },
    clientErrorHandler: answerClientError,
    trustProxy: options.trustProxy,
    // The agent's own shutdown closes idle keep-alive sockets instead of waiting for them.
    forceCloseConnections: true,
    // Bodies and parameters are checked with zod (params.ts), never with route schemas, so
    // Fastify's ajv and fast-json-stringify compilers (~100 modules) are never loaded.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });

  // Snapshots are cached per delta seq for a second: a reconnect storm after an agent restart
  // (every TV and laptop at once) builds the page once, not once per client.
  let cached: { seq: number; atMono: number; bytes: Buffer } | undefined;
  const snapshotMessage = (): Buffer => {
    const now = clock.monoMs();
    if (cached !== undefined && cached.seq === feed.seq && now - cached.atMono < 1_000) return cached.bytes;
    const bytes = Buffer.from(JSON.stringify({ type: 'snapshot', data: ctx.dashboard() }), 'utf8');
    cached = { seq: feed.seq, atMono: now, bytes };
    return bytes;
  };
  const hub = new WsHub(options, () => clock.monoMs(), logger, snapshotMessage);

  const ctx: ServerContext = {
    deps,
    config: deps.config,
    logger,
    clock,
    options,
    auth,
    limiter: new RateLimiter(options.rateLimit),
    feed,
    hub,
    view,
    files,
    loopLag: new LoopLag(() => clock.monoMs()),
    startedAtWallMs: clock.wallMs(),
    counters: { rateLimited: 0, authFailures: 0 },
    dashboard: () => buildDashboardView(deps.config, deps, view, feed.seq, clock.wallMs(), auth.operatorEnabled),
  };

  await registerWebsocketAndHeaders(app, logger, WS_MAX_PAYLOAD_BYTES);
  // A declared body over the limit is refused before it is read, and before the guard: whoever
  // sends it, the answer is the same and costs nothing.
  app.addHook('onRequest', async (request, reply) => {
    if (declaredTooLarge(request.raw))
      return sendError(reply, 'PAYLOAD_TOO_LARGE', `the body is larger than ${BODY_LIMIT_BYTES} bytes`);
    return undefined;
  });
  app.addHook('onRequest', accessGuard(ctx));

  installRawRefusals(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = errorFor(error);
    if (mapped !== undefined) return sendError(reply, mapped.code, mapped.message);
    logger.error(
      { err: { message: error.message, stack: error.stack }, url: request.url, method: request.method },
      'request failed',
    );
    return sendError(reply, 'INTERNAL', 'internal error; the agent log has the details');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendError(
      reply,
      'NOT_FOUND',
      `no route ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}...` : path}`,
    );
  });

  app.get('/ws', { websocket: true, config: { access: 'view' } }, (socket, request) => {
    hub.accept(socket, request.ip);
  });

  pageRoutes(app, ctx);
  apiRoutes(app, ctx);
  historyRoutes(app, ctx);
  actionRoutes(app, ctx);
  opsRoutes(app, ctx);
  reportRoutes(app, ctx);

  // The live feed: events mark what changed; a broadcast sends it (live-broadcast.ts).
  const broadcast = startLiveBroadcast(ctx);

  app.decorate('lineside', { flush: broadcast.flush, heartbeat: () => hub.heartbeat(), hub, feed });

  app.addHook('preClose', async () => {
    broadcast.stop();
    ctx.loopLag.close();
    hub.closeAll();
  });
  return app;
}
