/**
 * `buildApp(deps)`: the dashboard's Fastify app, without listening (tests use `inject()` and
 * `injectWS()`; `startServer` in start.ts listens). Routes:
 *   GET  /                          the page               GET /ws        live feed (snapshot, then deltas)
 *   GET  /api/snapshot              the page's view model  GET /healthz   liveness
 *   GET  /api/stations/:id/history  states, cycles, downtime over a range (downsampled)
 *   GET  /api/oee?line&shift&start  live or recorded shift OEE
 *   GET  /api/alerts, /api/downtime, /api/session          GET /readyz    sources, spool, history
 *   POST /api/downtime/:id/reason, /api/alerts/:id/ack    GET /metrics   Prometheus text
 *   POST /api/login, /api/logout
 */
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { systemClock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { Auth } from './auth.js';
import type { ResolvedOptions, ServerContext } from './context.js';
import { buildDashboardView } from './dashboard-view.js';
import type { AppDeps } from './deps.js';
import { accessGuard } from './guards.js';
import { ApiError, sendError } from './http-errors.js';
import { LiveFeed } from './live-feed.js';
import { LoopLag } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { actionRoutes } from './routes-actions.js';
import { apiRoutes } from './routes-api.js';
import { opsRoutes } from './routes-ops.js';
import { pageRoutes } from './routes-page.js';
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
/** POST bodies are a reason id and a note. */
const BODY_LIMIT_BYTES = 16 * 1024;

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

function mapError(error: FastifyError | ApiError | Error): { code: Parameters<typeof sendError>[1]; message: string } | undefined {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than ${BODY_LIMIT_BYTES} bytes` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'BAD_REQUEST', message: 'body: Content-Type is application/json but the body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BAD_REQUEST', message: `body: not valid JSON (${fe.message})` };
  }
  if (fe.statusCode === 400 && error instanceof SyntaxError) return { code: 'BAD_REQUEST', message: `body: not valid JSON (${error.message})` };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) return { code: 'BAD_REQUEST', message: error.message };
  return undefined;
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
      allowedOrigins: server.allowedOrigins,
      sessionTtlMs: options.sessionTtlMs,
    },
    () => clock.wallMs(),
  );
  const view = viewContext(deps.config);
  const feed = new LiveFeed(deps.live, deps.health, view, () => clock.wallMs());
  const files = loadStaticFiles(deps.options?.webDir ?? defaultWebDir());

  const app = Fastify({
    // pino 10's Logger type carries more generics than Fastify's FastifyBaseLogger; same object.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // A TV polling all week must not fill the journal: no per-request lines; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy,
    // The agent's own shutdown closes idle keep-alive sockets instead of waiting for them.
    forceCloseConnections: true,
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

  await app.register(websocket, {
    options: { maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false },
    errorHandler: (error, socket) => {
      logger.warn({ err: errorMessage(error) }, 'websocket handler failed; connection closed');
      socket.terminate();
    },
  });

  app.addHook('onRequest', accessGuard(ctx));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapError(error);
    if (mapped !== undefined) return sendError(reply, mapped.code, mapped.message);
    logger.error({ err: { message: error.message, stack: error.stack }, url: request.url, method: request.method }, 'request failed');
    return sendError(reply, 'INTERNAL', 'internal error; the agent log has the details');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));

  app.get('/ws', { websocket: true, config: { access: 'view' } }, (socket, request) => {
    hub.accept(socket, request.ip);
  });

  pageRoutes(app, ctx);
  apiRoutes(app, ctx);
  actionRoutes(app, ctx);
  opsRoutes(app, ctx);

  // The live feed: events mark what changed; a broadcast sends it. Leading edge: the first
  // change after a quiet spell goes out at once (after the current poll's other samples, via
  // setImmediate), later ones wait for the rest of the window, so a breakdown reaches the TV in
  // milliseconds while a busy line still gets at most one delta per window. Timers are unref'd:
  // the agent's lifecycle, not the dashboard, decides when the process ends.
  let lastFlushMono = Number.NEGATIVE_INFINITY;
  let scheduledImmediate: NodeJS.Immediate | undefined;
  let scheduledTimer: NodeJS.Timeout | undefined;
  const cancelScheduled = (): void => {
    if (scheduledImmediate !== undefined) clearImmediate(scheduledImmediate);
    if (scheduledTimer !== undefined) clearTimeout(scheduledTimer);
    scheduledImmediate = undefined;
    scheduledTimer = undefined;
  };
  const flush = (): void => {
    cancelScheduled();
    lastFlushMono = clock.monoMs();
    if (hub.size === 0) {
      feed.discard();
      return;
    }
    const delta = feed.takeDelta();
    if (delta !== undefined) hub.broadcast(delta);
  };
  const schedule = (): void => {
    if (scheduledImmediate !== undefined || scheduledTimer !== undefined) return;
    const waitMs = options.broadcastIntervalMs - (clock.monoMs() - lastFlushMono);
    if (waitMs <= 0) {
      scheduledImmediate = setImmediate(flush);
    } else {
      scheduledTimer = setTimeout(flush, waitMs);
      scheduledTimer.unref();
    }
  };
  const unsubscribe = deps.live.subscribe((event) => {
    try {
      feed.onEvent(event);
      schedule();
    } catch (err) {
      // Never throw back into the core.
      logger.error({ err: errorMessage(err), type: event.type }, 'dashboard could not take a core event');
    }
  });
  const timers = [
    setInterval(() => hub.heartbeat(), options.heartbeatIntervalMs),
    setInterval(() => {
      try {
        feed.checkDevices();
        if (feed.pending) schedule();
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'device health unavailable');
      }
    }, options.healthIntervalMs),
  ];
  for (const t of timers) t.unref();

  app.decorate('lineside', { flush, heartbeat: () => hub.heartbeat(), hub, feed });

  app.addHook('preClose', async () => {
    unsubscribe();
    cancelScheduled();
    for (const t of timers) clearInterval(t);
    ctx.loopLag.close();
    hub.closeAll();
  });
  return app;
}
