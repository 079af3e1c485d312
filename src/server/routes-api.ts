/**
 * Read routes: GET /api/snapshot, /api/stations/:id/history, /api/oee, /api/alerts,
 * /api/downtime, /api/session. Unknown ids answer 404; bad parameters 400 with what to change.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { alertsOf, pageWindow } from './dashboard-view.js';
import { clampPoints, downsampleSpans } from './downsample.js';
import { ApiError } from './http-errors.js';
import { parseInteger, parseRange, parseString, parseTime } from './params.js';
import { sessionView } from './session-view.js';
import { adaptSnapshot, downtimeFromRecord } from './view-build.js';

type Query = Record<string, unknown>;

const DEFAULT_POINTS = 1000;
const MAX_POINTS = 4000;

export function apiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const stationIds = new Set(ctx.config.lines.flatMap((l) => l.stations.map((s) => s.id)));
  const lineIds = new Set(ctx.config.lines.map((l) => l.id));
  const shiftNames = new Set(ctx.config.shifts.shifts.map((s) => s.name));

  /** The current shift (or last 8 h) up to now: the default range of the history routes. */
  const defaultRange = (): { from: number; to: number } => {
    const now = ctx.clock.wallMs();
    const { lines } = adaptSnapshot(ctx.deps.live.snapshot(), ctx.view);
    return { from: pageWindow(lines, now).from, to: now };
  };

  app.get('/api/snapshot', { config: { access: 'view' } }, async () => ctx.dashboard());

  app.get('/api/session', { config: { access: 'view' } }, async (request) => {
    const check = ctx.auth.principal(request);
    return sessionView(ctx, check.kind === 'ok' ? check.principal : undefined);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>(
    '/api/stations/:id/history',
    { config: { access: 'view' } },
    async (request) => {
      const station = request.params.id;
      if (!stationIds.has(station))
        throw new ApiError(
          'NOT_FOUND',
          `no station "${station}" in the config (stations: ${[...stationIds].join(', ')})`,
        );
      const { from, to } = parseRange(request.query, defaultRange());
      const points = clampPoints(parseInteger(request.query, 'points', 1, MAX_POINTS), DEFAULT_POINTS, MAX_POINTS);
      const history = ctx.deps.history;
      return {
        station,
        from,
        to,
        points,
        states: downsampleSpans(history.timeline(station, from, to), from, to, points),
        cycles: history.cycles(station, from, to, points),
        downtime: history.downtime({ from, to, station }).map((r) => downtimeFromRecord(r, ctx.view)),
      };
    },
  );

  app.get<{ Querystring: Query }>('/api/oee', { config: { access: 'view' } }, async (request) => {
    const lineId = parseString(request.query, 'line') ?? ctx.config.lines[0]?.id;
    const line = ctx.config.lines.find((l) => l.id === lineId);
    if (line === undefined)
      throw new ApiError(
        'NOT_FOUND',
        `no line "${lineId}" in the config (lines: ${ctx.config.lines.map((l) => l.id).join(', ')})`,
      );
    const shift = parseString(request.query, 'shift');
    const start = parseTime(request.query, 'start');

    if ((shift === undefined || shift === 'current') && start === undefined) {
      const live = ctx.deps.live.snapshot().find((l) => l.id === line.id);
      if (live === undefined) throw new ApiError('NOT_AVAILABLE', `line "${line.id}" has no live figures yet`);
      const oee = live.oee.shift ?? live.oee.rolling;
      return {
        line: line.id,
        source: 'live',
        window: oee.window,
        final: false,
        figures: oee.figures,
        stations: live.stations.map((s) => ({ station: s.id, ...(s.oee.shift ?? s.oee.rolling) })),
      };
    }
    if (shift !== undefined && shift !== 'current' && !shiftNames.has(shift)) {
      throw new ApiError(
        'NOT_FOUND',
        `no shift "${shift}" in the config (shifts: ${[...shiftNames].join(', ') || 'none'})`,
      );
    }
    const record = ctx.deps.history.oee({
      line: line.id,
      ...(shift !== undefined && shift !== 'current' ? { shift } : {}),
      ...(start !== undefined ? { windowStart: start } : {}),
    });
    if (record === undefined) {
      const which = start !== undefined ? `starting ${new Date(start).toISOString()}` : `"${shift}"`;
      throw new ApiError('NOT_FOUND', `no OEE recorded for shift ${which} of line "${line.id}" in the local history`);
    }
    return {
      line: line.id,
      source: 'history',
      window: {
        kind: record.kind,
        ...(record.shift !== undefined ? { shift: record.shift } : {}),
        start: record.windowStart,
        end: record.windowEnd,
      },
      final: record.final,
      figures: record.figures,
      stations: ctx.deps.history.oeeStations(line.id, record.windowStart).map((r) => ({
        station: r.station,
        window: {
          kind: r.kind,
          ...(r.shift !== undefined ? { shift: r.shift } : {}),
          start: r.windowStart,
          end: r.windowEnd,
        },
        figures: r.figures,
      })),
    };
  });

  app.get<{ Querystring: Query }>('/api/alerts', { config: { access: 'view' } }, async (request) => {
    const since = parseTime(request.query, 'since') ?? defaultRange().from;
    const status = parseString(request.query, 'status');
    if (status !== undefined && !['active', 'acknowledged', 'resolved'].includes(status)) {
      throw new ApiError(
        'BAD_REQUEST',
        `status: expected active, acknowledged or resolved, got "${status.slice(0, 40)}"`,
      );
    }
    const alerts = alertsOf(ctx.deps, since).filter((a) => status === undefined || a.status === status);
    return { since, alerts };
  });

  app.get<{ Querystring: Query }>('/api/downtime', { config: { access: 'view' } }, async (request) => {
    const { from, to } = parseRange(request.query, defaultRange());
    const station = parseString(request.query, 'station');
    if (station !== undefined && !stationIds.has(station))
      throw new ApiError('NOT_FOUND', `no station "${station}" in the config`);
    const limit = parseInteger(request.query, 'limit', 1, 5000) ?? 500;
    const records = ctx.deps.history.downtime({ from, to, limit, ...(station !== undefined ? { station } : {}) });
    return { from, to, downtime: records.map((r) => downtimeFromRecord(r, ctx.view)) };
  });

  // Order history: every order that ran in the range, with its latest counts and status.
  app.get<{ Querystring: Query }>('/api/orders', { config: { access: 'view' } }, async (request) => {
    const { from, to } = parseRange(request.query, defaultRange());
    const line = parseString(request.query, 'line');
    if (line !== undefined && !lineIds.has(line)) throw new ApiError('NOT_FOUND', `no line "${line}" in the config`);
    const limit = parseInteger(request.query, 'limit', 1, 5000) ?? 500;
    const orders = ctx.deps.history.orders({ from, to, limit, ...(line !== undefined ? { line } : {}) });
    return { from, to, orders };
  });

  // The audit trail: who assigned which reason and acknowledged which alert, when, in what role.
  app.get<{ Querystring: Query }>('/api/audit', { config: { access: 'view' } }, async (request) => {
    const { from, to } = parseRange(request.query, defaultRange());
    const station = parseString(request.query, 'station');
    if (station !== undefined && !stationIds.has(station))
      throw new ApiError('NOT_FOUND', `no station "${station}" in the config`);
    const user = parseString(request.query, 'user');
    const limit = parseInteger(request.query, 'limit', 1, 5000) ?? 500;
    const actions = ctx.deps.history.audit({
      from,
      to,
      limit,
      ...(station !== undefined ? { station } : {}),
      ...(user !== undefined ? { user } : {}),
    });
    return { from, to, actions: actions.map((a) => ({ ...a, ts: new Date(a.ts).toISOString() })) };
  });
}
