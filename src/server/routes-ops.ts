/** GET /healthz, /readyz (probes, open) and /metrics (view access). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { renderMetrics } from './metrics.js';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export function readiness(ctx: ServerContext): {
  ready: boolean;
  checks: Check[];
  outputs: Array<{ name: string; up: boolean; detail?: string }>;
} {
  const checks: Check[] = [];
  const devices = ctx.deps.health.sources();
  const down = devices.filter((d) => !d.connected);
  checks.push({
    name: 'sources',
    ok: down.length === 0,
    ...(down.length > 0
      ? {
          detail: down
            .map(
              (d) => `${d.device} (${d.endpoint}) not connected${d.lastError !== undefined ? `: ${d.lastError}` : ''}`,
            )
            .join('; '),
        }
      : {}),
  });
  const spool = ctx.deps.health.spool?.();
  if (spool !== undefined) {
    checks.push({
      name: 'spool',
      ok: spool.writable,
      ...(!spool.writable ? { detail: spool.lastError ?? 'spool cannot write' } : {}),
    });
  }
  const history = ctx.deps.history.health();
  checks.push({
    name: 'history',
    ok: history.writable,
    ...(!history.writable ? { detail: history.lastError ?? 'history cannot write' } : {}),
  });
  // Outputs are listed, not required: while one is down the spool keeps everything for it.
  const outputs = (ctx.deps.health.outputs?.() ?? []).map((o) => ({
    name: o.name,
    up: o.up,
    ...(!o.up && o.lastError !== undefined ? { detail: o.lastError } : {}),
  }));
  // Report files are listed like an output: a failed report does not make the agent unready.
  const reports = ctx.deps.reports?.health();
  if (reports !== undefined)
    outputs.push({
      name: 'reports',
      up: !reports.failing,
      ...(reports.failing && reports.lastError !== undefined ? { detail: reports.lastError } : {}),
    });
  // The report emails and webhook likewise: a report that cannot go out is retried and shown, never blocking.
  for (const name of ['email', 'webhook'] as const) {
    const delivery = reports?.[name];
    if (delivery !== undefined)
      outputs.push({
        name: `reports-${name}`,
        up: !delivery.failing,
        ...(delivery.failing && delivery.lastError !== undefined ? { detail: delivery.lastError } : {}),
      });
  }
  return { ready: checks.every((c) => c.ok), checks, outputs };
}

export function opsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', { config: { access: 'open' } }, async () => ({
    status: 'ok',
    uptimeS: Math.round(process.uptime()),
  }));

  app.get('/readyz', { config: { access: 'open' } }, async (_request, reply) => {
    const result = readiness(ctx);
    return reply.code(result.ready ? 200 : 503).send(result);
  });

  app.get('/metrics', { config: { access: 'view' } }, async (_request, reply) => {
    const text = renderMetrics({
      config: ctx.config,
      health: ctx.deps.health,
      history: ctx.deps.history.health(),
      hub: ctx.hub.stats(),
      coreEvents: ctx.feed.eventCounts,
      http: ctx.counters,
      loopLag: ctx.loopLag.read(),
      startedAtWallMs: ctx.startedAtWallMs,
    });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
