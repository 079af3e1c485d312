/**
 * The plant server's HTTP side: the agent's server pieces (coded errors, baseline and page
 * security headers, raw refusals, the websocket hub with its slow-client rules, static files from
 * src/web) around the plant routes. Read-only, and without a login: every route only reads what
 * the broker already tells anyone subscribed to it (docs/plant.md#access).
 *   GET /                    the plant page (src/web/plant.html)   GET /healthz, /readyz, /metrics
 *   GET /static/:name        its scripts and styles                 GET /ws  snapshot, then the view on change
 *   GET /api/plant           the plant view (view.ts)
 *   GET /api/plant/shifts    stored shift ledgers (?from&to: ms or ISO-8601; default the last day)
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { PlantConfig } from '../config/plant-schema.js';
import type { Clock } from '../core/sample.js';
import type { Logger } from '../lib/logger.js';
import { Auth } from '../server/auth.js';
import { ApiError, BASELINE_HEADERS, errorFor, sendError } from '../server/http-errors.js';
import { registerWebsocketAndHeaders } from '../server/websocket-setup.js';
import { parseTime } from '../server/params.js';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH } from '../server/request-limits.js';
import { answerClientError, installRawRefusals } from '../server/socket-refusals.js';
import { PAGE_SECURITY_HEADERS, type StaticFile } from '../server/static.js';
import { WsHub } from '../server/ws-hub.js';
import { shiftRowOf, summedRows } from './figures.js';
import { renderPlantMetrics } from './metrics.js';
import type { PlantModel } from './model.js';
import type { LedgerStore } from './store.js';
import { DAY_MS, MAX_SHIFT_ROWS } from './store.js';
import type { PlantSubscriber } from './subscriber.js';
import type { PlantView } from './view.js';

/** What `/ws` sends after the snapshot: the whole view (a plant's view is a few KiB). */
export interface PlantDelta {
  readonly seq: number;
  readonly at: number;
  readonly data: PlantView;
}

export interface PlantHttpDeps {
  readonly config: Readonly<PlantConfig>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly model: PlantModel;
  readonly store: LedgerStore;
  readonly subscriber: Pick<PlantSubscriber, 'health'>;
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Live feed pacing, ms: at most one view per interval (default 500: two a second). */
  readonly broadcastIntervalMs?: number;
}

export interface PlantApp {
  readonly app: FastifyInstance;
  readonly hub: WsHub<PlantDelta>;
  /** Sends the view now when it changed since the last send (tests; the timer does it otherwise). */
  flush(): void;
}

const WS_MAX_PAYLOAD_BYTES = 4 * 1024;

function noRouteSchemas(): () => never {
  return () => {
    throw new Error('route schemas are not used here: validate query parameters by hand');
  };
}

function serve(reply: FastifyReply, file: StaticFile, ifNoneMatch: string | undefined): FastifyReply {
  reply.headers({ ...PAGE_SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag });
  if (ifNoneMatch === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

export async function buildPlantApp(deps: PlantHttpDeps): Promise<PlantApp> {
  const { model, store, clock, config } = deps;
  const logger = deps.logger.child({ component: 'plant-server' });
  // Only for its Origin rule: the plant page has no tokens and no logins.
  const origins = new Auth({ allowedOrigins: config.server.allowedOrigins, sessionTtlMs: 0 }, () => clock.wallMs());
  const app = Fastify({
    // pino 10's Logger type carries more generics than Fastify's FastifyBaseLogger; same object.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, _request, reply) => {
      reply.headers(BASELINE_HEADERS);
      const mapped = errorFor(error);
      sendError(
        reply,
        mapped?.code ?? 'INTERNAL',
        mapped?.message ?? 'internal error; the plant server log has the details',
      );
    },
    clientErrorHandler: answerClientError,
    forceCloseConnections: true,
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });

  let seq = 0;
  let sentVersion = -1;
  let cached: { version: number; bytes: Buffer } | undefined;
  const snapshot = (): Buffer => {
    if (cached === undefined || cached.version !== model.version) {
      const message = { type: 'snapshot', seq, at: clock.wallMs(), data: model.view() };
      cached = { version: model.version, bytes: Buffer.from(JSON.stringify(message), 'utf8') };
    }
    return cached.bytes;
  };
  const hub = new WsHub<PlantDelta>(
    { slowClientBytes: 256 * 1024, slowClientTimeoutMs: 10_000, maxClients: 200 },
    () => clock.monoMs(),
    logger,
    snapshot,
  );
  const flush = () => {
    if (model.version === sentVersion) return;
    sentVersion = model.version;
    seq++;
    if (hub.size > 0) hub.broadcast({ seq, at: clock.wallMs(), data: model.view() });
  };

  await registerWebsocketAndHeaders(app, logger, WS_MAX_PAYLOAD_BYTES);
  app.addHook('onRequest', async (request, reply): Promise<void> => {
    if (!request.ws) return;
    if (!origins.originAllowed(request))
      await sendError(
        reply,
        'ORIGIN_NOT_ALLOWED',
        `websocket from Origin ${String(request.headers.origin)} refused; add it to server.allowedOrigins if it is yours`,
      );
    else if (hub.full) await sendError(reply, 'TOO_MANY_CLIENTS', 'too many plant page clients are connected already');
  });
  installRawRefusals(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = errorFor(error);
    if (mapped !== undefined) return sendError(reply, mapped.code, mapped.message);
    logger.error({ err: { message: error.message, stack: error.stack }, url: request.url }, 'request failed');
    return sendError(reply, 'INTERNAL', 'internal error; the plant server log has the details');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NOT_FOUND', `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`),
  );

  app.get('/ws', { websocket: true }, (socket, request) => hub.accept(socket, request.ip));

  app.get('/', async (request, reply) => {
    const page = deps.files.get('plant.html');
    if (page === undefined) return sendError(reply, 'NOT_FOUND', 'plant.html missing');
    return serve(reply, page, request.headers['if-none-match']);
  });
  app.get<{ Params: { name: string } }>('/static/:name', async (request, reply) => {
    const file = deps.files.get(request.params.name);
    if (file === undefined || request.params.name.endsWith('.html'))
      return sendError(reply, 'NOT_FOUND', `no file ${request.params.name}`);
    return serve(reply, file, request.headers['if-none-match']);
  });

  app.get('/api/plant', async () => model.view());

  app.get('/api/plant/shifts', async (request) => {
    const query = request.query as Record<string, unknown>;
    const to = parseTime(query, 'to') ?? clock.wallMs();
    const from = parseTime(query, 'from') ?? to - DAY_MS;
    if (from >= to) throw new ApiError('BAD_REQUEST', `from must be before to (from ${from}, to ${to})`);
    const stored = store.shifts(from, to, MAX_SHIFT_ROWS + 1);
    const shifts = stored.slice(0, MAX_SHIFT_ROWS).map((r) => shiftRowOf(r.site, r.line, r.ledger));
    return { from, to, truncated: stored.length > MAX_SHIFT_ROWS, summed: summedRows(shifts), shifts };
  });

  const readiness = () => {
    const mqtt = deps.subscriber.health();
    const history = store.health();
    const checks = [
      {
        name: 'mqtt',
        ok: mqtt.connected,
        ...(mqtt.connected ? {} : { detail: mqtt.lastError ?? `not connected to ${mqtt.broker}` }),
      },
      { name: 'history', ok: history.writable, ...(history.writable ? {} : { detail: history.lastError }) },
    ];
    return { ready: checks.every((c) => c.ok), checks, mqtt, messages: model.stats() };
  };
  app.get('/healthz', async () => ({ status: 'ok', uptimeS: Math.round(process.uptime()) }));
  app.get('/readyz', async (_request, reply) => {
    const result = readiness();
    return reply.code(result.ready ? 200 : 503).send(result);
  });
  app.get('/metrics', async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(renderPlantMetrics(model.view(), model.stats(), deps.subscriber.health(), store.health(), hub.stats())),
  );

  // Timers last: nothing above may throw and leave them running.
  const broadcastTimer = setInterval(flush, deps.broadcastIntervalMs ?? 500);
  const heartbeatTimer = setInterval(() => hub.heartbeat(), 15_000);
  app.addHook('preClose', async () => {
    clearInterval(broadcastTimer);
    clearInterval(heartbeatTimer);
    hub.closeAll();
  });
  return { app, hub, flush };
}
