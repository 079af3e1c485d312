/**
 * Operator actions: POST /api/downtime/:id/reason, POST /api/alerts/:id/ack,
 * POST /api/lines/:line/product, POST /api/lines/:line/order and /order/stop,
 * POST /api/stations/:station/scrap, and the session
 * routes POST /api/login and /api/logout. Every one is rate-limited and Origin-checked by the
 * guard; the action routes also need a principal whose role allows the action (guards.ts), and
 * the principal goes into the core's event: the audit trail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../users/roles.js';
import type { ServerContext } from './context.js';
import type { CommandFailure } from './deps.js';
import { ACTIONS_OFF, LOGIN_FAILURE_PENALTY, PERMISSION_WORDS, principalOf } from './guards.js';
import { ApiError, sendError } from './http-errors.js';
import {
  AckBody,
  LoginBody,
  OrderBody,
  parseBody,
  ProductBody,
  ReasonBody,
  ScrapBody,
  StopOrderBody,
} from './params.js';
import { actionBy, TOKEN_PRINCIPAL, type Principal } from './principal.js';
import { sessionView } from './session-view.js';
import { alertFromRecord, downtimeFromRecord } from './view-build.js';

/** Every command failure code is an API error code: NOT_FOUND 404, UNKNOWN_* 400, ORDER_* 409, ... */
function failure(result: CommandFailure): ApiError {
  return new ApiError(result.code, result.message);
}

/** A named user acts under their own name: a different `by` is a mistake to report, not to record. */
function claimedName(principal: Principal, by: string | undefined): string | undefined {
  if (by !== undefined && principal.via !== 'operator-token' && by.toLowerCase() !== principal.user.toLowerCase()) {
    throw new ApiError('BAD_REQUEST', `body.by: you act as ${principal.user} (your login); leave "by" out`);
  }
  return by;
}

export function actionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  async function refuseLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    who: Record<string, unknown>,
    message: string,
  ): Promise<FastifyReply> {
    ctx.counters.authFailures++;
    ctx.limiter.penalize(request.ip, ctx.clock.monoMs(), LOGIN_FAILURE_PENALTY);
    ctx.logger.warn({ ...who, remote: request.ip }, 'login refused');
    return sendError(reply, 'UNAUTHORIZED', message);
  }

  app.post('/api/login', { config: { access: 'login' } }, async (request, reply) => {
    if (!ctx.auth.operatorEnabled) return sendError(reply, 'OPERATOR_DISABLED', ACTIONS_OFF);
    const body = parseBody(LoginBody, request.body);
    let principal: Principal | undefined;
    if (body.token !== undefined) {
      if (!ctx.auth.checkOperatorToken(body.token))
        return refuseLogin(request, reply, { with: 'operator token' }, 'wrong operator token');
      principal = TOKEN_PRINCIPAL;
    } else {
      if (!ctx.auth.usersEnabled)
        return sendError(
          reply,
          'OPERATOR_DISABLED',
          'no named users here (server.usersFile is not set); log in with the operator token',
        );
      principal = await ctx.auth.login(body.user ?? '', body.password ?? '');
      if (principal === undefined) return refuseLogin(request, reply, { user: body.user }, 'wrong name or password');
    }
    reply.header('set-cookie', ctx.auth.sessionCookie(principal, request.protocol === 'https'));
    ctx.logger.info(
      { user: principal.user, role: principal.role, via: principal.via, remote: request.ip },
      'logged in',
    );
    return { ok: true, ...sessionView(ctx, principal), expiresInS: Math.floor(ctx.options.sessionTtlMs / 1000) };
  });

  app.post('/api/logout', { config: { access: 'login' } }, async (_request, reply) => {
    reply.header('set-cookie', ctx.auth.clearOperatorCookie());
    return { ok: true, ...sessionView(ctx, undefined) };
  });

  app.post<{ Params: { id: string } }>(
    '/api/downtime/:id/reason',
    { config: { access: 'operator', permission: 'assignReason' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(ReasonBody, request.body);
      const reason = ctx.view.reasons.get(body.reason);
      if (reason === undefined) {
        throw new ApiError(
          'UNKNOWN_REASON',
          `reason "${body.reason}" is not in the config's reasons (${[...ctx.view.reasons.keys()].join(', ') || 'none configured'})`,
        );
      }
      const id = request.params.id;
      const before = ctx.deps.history.downtimeById(id);
      const owner = before?.reasonBy ?? undefined;
      // Changing what somebody else said is an edit (supervisor); a reason nobody assigned yet, one
      // that came from the PLC's fault code, or one's own may be set by an operator.
      if (
        owner !== undefined &&
        owner.toLowerCase() !== principal.user.toLowerCase() &&
        !can(principal.role, 'editReason')
      ) {
        throw new ApiError(
          'FORBIDDEN',
          `${owner} assigned this reason; ${PERMISSION_WORDS.editReason} needs a supervisor or engineer`,
        );
      }
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      // Into the core only: history, the live feed and MQTT learn of it from the core's event,
      // which the core emits before this returns (so the history read below already has it).
      const result = await ctx.deps.commands.assignReason(id, reason.id, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        { downtime: id, reason: reason.id, user: by.user, role: by.role, via: by.via, remote: request.ip },
        'downtime reason assigned',
      );
      const record = ctx.deps.history.downtimeById(id);
      const downtime = record === undefined ? undefined : downtimeFromRecord(record, ctx.view);
      return { ok: true, downtimeId: id, reason: reason.id, by, ...(downtime !== undefined ? { downtime } : {}) };
    },
  );

  app.post<{ Params: { line: string } }>(
    '/api/lines/:line/product',
    { config: { access: 'operator', permission: 'setProduct' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(ProductBody, request.body);
      const line = request.params.line;
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      const target = { line, ...(body.station !== undefined ? { station: body.station } : {}) };
      const result = await ctx.deps.commands.setProduct(target, body.product, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        {
          line,
          station: body.station,
          product: body.product,
          changed: result.changed,
          user: by.user,
          role: by.role,
          via: by.via,
          remote: request.ip,
        },
        'product set',
      );
      return {
        ok: true,
        line,
        ...(body.station !== undefined ? { station: body.station } : {}),
        product: body.product,
        changed: result.changed,
        by,
      };
    },
  );

  app.post<{ Params: { line: string } }>(
    '/api/lines/:line/order',
    { config: { access: 'operator', permission: 'runOrders' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(OrderBody, request.body);
      const line = request.params.line;
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      const spec = {
        id: body.id,
        ...(body.product !== undefined ? { product: body.product } : {}),
        ...(body.quantity !== undefined ? { quantity: body.quantity } : {}),
        ...(body.due !== undefined ? { due: Date.parse(body.due) } : {}),
      };
      const result = await ctx.deps.commands.startOrder(line, spec, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        {
          line,
          order: body.id,
          product: result.order.product,
          user: by.user,
          role: by.role,
          via: by.via,
          remote: request.ip,
        },
        'order started',
      );
      return { ok: true, line, order: result.order, by };
    },
  );

  app.post<{ Params: { line: string } }>(
    '/api/lines/:line/order/stop',
    { config: { access: 'operator', permission: 'runOrders' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(StopOrderBody, request.body ?? {});
      const line = request.params.line;
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      const result = await ctx.deps.commands.stopOrder(line, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        { line, order: result.order.id, user: by.user, role: by.role, via: by.via, remote: request.ip },
        'order stopped',
      );
      return { ok: true, line, order: result.order, by };
    },
  );

  app.post<{ Params: { station: string } }>(
    '/api/stations/:station/scrap',
    { config: { access: 'operator', permission: 'recordScrap' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(ScrapBody, request.body);
      const station = request.params.station;
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      const result = await ctx.deps.commands.recordScrap(station, body.reason, body.count, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        {
          station,
          reason: body.reason,
          count: body.count,
          user: by.user,
          role: by.role,
          via: by.via,
          remote: request.ip,
        },
        'scrap recorded',
      );
      return { ok: true, station, reason: body.reason, count: body.count, by };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/alerts/:id/ack',
    { config: { access: 'operator', permission: 'acknowledgeAlert' } },
    async (request) => {
      const principal = principalOf(request);
      const body = parseBody(AckBody, request.body);
      const id = request.params.id;
      const by = actionBy(principal, claimedName(principal, body.by), body.note);
      const result = await ctx.deps.commands.acknowledgeAlert(id, by);
      if (!result.ok) throw failure(result);
      ctx.logger.info(
        { alert: id, user: by.user, role: by.role, via: by.via, remote: request.ip },
        'alert acknowledged',
      );
      const record = ctx.deps.history.alertById(id);
      const alert = record === undefined ? undefined : alertFromRecord(record);
      return { ok: true, alertId: id, by, ...(alert !== undefined ? { alert } : {}) };
    },
  );
}
