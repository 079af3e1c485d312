/**
 * Operator actions: POST /api/downtime/:id/reason, POST /api/alerts/:id/ack, and the session
 * routes POST /api/login and /api/logout. Every one is rate-limited and Origin-checked by the
 * guard; the action routes also need the operator token or session.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import type { CommandResult } from './deps.js';
import { LOGIN_FAILURE_PENALTY } from './guards.js';
import { ApiError, sendError } from './http-errors.js';
import { AckBody, LoginBody, parseBody, ReasonBody } from './params.js';
import { alertFromRecord, downtimeFromRecord } from './view-build.js';

function failure(result: Exclude<CommandResult, { ok: true }>): ApiError {
  switch (result.code) {
    case 'NOT_FOUND':
      return new ApiError('NOT_FOUND', result.message);
    case 'UNKNOWN_REASON':
      return new ApiError('UNKNOWN_REASON', result.message);
    default:
      return new ApiError('NOT_AVAILABLE', result.message);
  }
}

export function actionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/login', { config: { access: 'login' } }, async (request, reply) => {
    if (!ctx.auth.operatorEnabled) {
      return sendError(reply, 'OPERATOR_DISABLED', 'operator actions are off: set server.operatorToken (or server.operatorTokenFile) in the config and restart the agent');
    }
    const { token } = parseBody(LoginBody, request.body);
    if (!ctx.auth.checkOperatorToken(token)) {
      ctx.counters.authFailures++;
      ctx.limiter.penalize(request.ip, ctx.clock.monoMs(), LOGIN_FAILURE_PENALTY);
      ctx.logger.warn({ remote: request.ip }, 'operator login with a wrong token');
      return sendError(reply, 'UNAUTHORIZED', 'wrong operator token');
    }
    reply.header('set-cookie', ctx.auth.operatorCookie(request.protocol === 'https'));
    return { ok: true, operator: true, expiresInS: Math.floor(ctx.options.sessionTtlMs / 1000) };
  });

  app.post('/api/logout', { config: { access: 'login' } }, async (_request, reply) => {
    reply.header('set-cookie', ctx.auth.clearOperatorCookie());
    return { ok: true, operator: false };
  });

  app.post<{ Params: { id: string } }>('/api/downtime/:id/reason', { config: { access: 'operator' } }, async (request) => {
    const body = parseBody(ReasonBody, request.body);
    const reason = ctx.view.reasons.get(body.reason);
    if (reason === undefined) {
      throw new ApiError('UNKNOWN_REASON', `reason "${body.reason}" is not in the config's reasons (${[...ctx.view.reasons.keys()].join(', ') || 'none configured'})`);
    }
    const id = request.params.id;
    const by = { ...(body.by !== undefined ? { user: body.by } : {}), ...(body.note !== undefined ? { note: body.note } : {}) };
    const result = await ctx.deps.commands.assignReason(id, reason.id, by);
    if (!result.ok) throw failure(result);
    ctx.deps.history.noteReason(id, reason.id, reason.category, body.by, body.note);
    ctx.logger.info({ downtime: id, reason: reason.id, by: body.by, remote: request.ip }, 'downtime reason assigned');
    const record = ctx.deps.history.downtimeById(id);
    const downtime = record === undefined ? undefined : downtimeFromRecord(record, ctx.view);
    if (downtime !== undefined) ctx.feed.noteDowntime(downtime);
    return { ok: true, downtimeId: id, reason: reason.id, ...(downtime !== undefined ? { downtime } : {}) };
  });

  app.post<{ Params: { id: string } }>('/api/alerts/:id/ack', { config: { access: 'operator' } }, async (request) => {
    const body = parseBody(AckBody, request.body);
    const id = request.params.id;
    const by = { ...(body.by !== undefined ? { user: body.by } : {}), ...(body.note !== undefined ? { note: body.note } : {}) };
    const result = await ctx.deps.commands.acknowledgeAlert(id, by);
    if (!result.ok) throw failure(result);
    ctx.deps.history.noteAcknowledged(id, body.by, body.note, ctx.clock.wallMs());
    ctx.logger.info({ alert: id, by: body.by, remote: request.ip }, 'alert acknowledged');
    const record = ctx.deps.history.alertById(id);
    const alert = record === undefined ? undefined : alertFromRecord(record);
    if (alert !== undefined) ctx.feed.noteAlert(alert);
    return { ok: true, alertId: id, ...(alert !== undefined ? { alert } : {}) };
  });
}
