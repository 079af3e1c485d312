/**
 * History routes for the manager's look back (docs/dashboard.md#history):
 *   GET /api/history/shifts?line&from&to  every recorded shift starting in the range, with the
 *                                          stored line and station figures (as /api/oee?shift=)
 *   GET /api/history/period?line&from&to  a shift, day or week summed from those shifts' times
 *                                          and counts, downtime by cause, MTBF/MTTR, output vs
 *                                          target, alerts raised and how they ended
 * Default range: the last 14 days, or less when storage.shiftHistoryRetention (and historyRetention)
 * keep less.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { historyPeriod, historyShifts } from './history-view.js';
import { ApiError } from './http-errors.js';
import { parseRange, parseString } from './params.js';
import { reasonLabel } from './view-build.js';

type Query = Record<string, unknown>;

const DAY_MS = 24 * 3_600_000;
const DEFAULT_DAYS = 14;
/** A longer range is refused: the history keeps far less, and a query must stay small on a Pi. */
const MAX_RANGE_DAYS = 62;

export function historyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const lineOf = (query: Query): Readonly<ServerContext['config']['lines'][number]> => {
    const id = parseString(query, 'line') ?? ctx.config.lines[0]?.id;
    const line = ctx.config.lines.find((l) => l.id === id);
    if (line === undefined)
      throw new ApiError(
        'NOT_FOUND',
        `line: no line "${String(id).slice(0, 64)}" in the config (lines: ${ctx.config.lines.map((l) => l.id).join(', ')})`,
      );
    return line;
  };

  const rangeOf = (query: Query): { from: number; to: number } => {
    const now = ctx.clock.wallMs();
    const { historyRetention, shiftHistoryRetention } = ctx.config.storage;
    const back = Math.min(DEFAULT_DAYS * DAY_MS, Math.max(historyRetention, shiftHistoryRetention));
    const range = parseRange(query, { from: now - back, to: now });
    if (range.to - range.from > MAX_RANGE_DAYS * DAY_MS)
      throw new ApiError('BAD_REQUEST', `to: the range is at most ${MAX_RANGE_DAYS} days from "from"`);
    return range;
  };

  app.get<{ Querystring: Query }>('/api/history/shifts', { config: { access: 'view' } }, async (request) => {
    const line = lineOf(request.query);
    const { from, to } = rangeOf(request.query);
    return { line: line.id, from, to, shifts: historyShifts(ctx.deps.history, line.id, from, to) };
  });

  app.get<{ Querystring: Query }>('/api/history/period', { config: { access: 'view' } }, async (request) => {
    const line = lineOf(request.query);
    const { from, to } = rangeOf(request.query);
    return historyPeriod(ctx.deps.history, {
      line: line.id,
      stations: line.stations.map((s) => s.id),
      stationNames: ctx.view.stationNames,
      reasonLabel: (reason) => reasonLabel(reason, ctx.view),
      from,
      to,
    });
  });
}
