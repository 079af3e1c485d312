/**
 * Report routes (docs/reports.md): GET /api/reports (list), GET /api/reports/:id/:file
 * (download), POST /api/reports (make one shift's report now; permission makeReports). The id and
 * file name are checked against their exact forms before any path is built, so no request can
 * reach a file outside the reports folder.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { isLinesideError } from '../lib/errors.js';
import type { DeliveryState } from '../reports/delivery/store.js';
import { isReportFile, parseReportId, REPORT_FILES, reportDir } from '../reports/files.js';
import type { ServerContext } from './context.js';
import type { ReportsPort } from './deps.js';
import type { ReportSelector } from '../reports/service.js';
import { ApiError } from './http-errors.js';
import { parseBody, parseString, parseTime, ReportBody } from './params.js';

const iso = (ms: number): string => new Date(ms).toISOString();
/** A report's email or webhook state as the list shows it (sentAt as ISO time). */
const deliveryItem = (d: DeliveryState) => ({ ...d, ...(d.sentAt !== undefined ? { sentAt: iso(d.sentAt) } : {}) });

export function reportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const lineIds = new Set(ctx.config.lines.map((l) => l.id));
  const shiftNames = new Set(ctx.config.shifts.shifts.map((s) => s.name));
  const port = (): ReportsPort => {
    const reports = ctx.deps.reports;
    if (reports === undefined) throw new ApiError('NOT_AVAILABLE', 'reports are not available in this server');
    return reports;
  };

  app.get('/api/reports', { config: { access: 'view' } }, async (request) => {
    const line = parseString(request.query as Record<string, unknown>, 'line');
    if (line !== undefined && !lineIds.has(line)) throw new ApiError('NOT_FOUND', `no line "${line}" in the config`);
    const list = await port().list(line);
    return {
      reports: list.map((r) => ({
        id: r.id,
        line: r.line,
        period: r.kind,
        ...(r.shift !== undefined ? { shift: r.shift } : {}),
        start: iso(r.start),
        ...(r.end !== undefined ? { end: iso(r.end) } : {}),
        ...(r.final !== undefined ? { final: r.final } : {}),
        generatedAt: iso(r.generatedAt),
        files: r.files.map((f) => ({ name: f.name, bytes: f.bytes, url: `/api/reports/${r.id}/${f.name}` })),
        ...(r.email !== undefined ? { email: deliveryItem(r.email) } : {}),
        ...(r.webhook !== undefined ? { webhook: deliveryItem(r.webhook) } : {}),
      })),
    };
  });

  app.get<{ Params: { id: string; file: string } }>(
    '/api/reports/:id/:file',
    { config: { access: 'view' } },
    async (request, reply) => {
      const { id, file } = request.params;
      const key = parseReportId(id);
      if (key === undefined || !isReportFile(file))
        throw new ApiError(
          'INVALID_REPORT_PATH',
          `expected /api/reports/<line>.<yyyymmddThhmmssZ>-<shift> (or +day, +week)/<${Object.keys(REPORT_FILES).join('|')}>`,
        );
      const full = path.join(reportDir(port().root, key), file);
      const size = await stat(full).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      );
      if (size === undefined) throw new ApiError('NOT_FOUND', `no report file ${id}/${file}`);
      const inline = file === 'report.html' || file === 'report.pdf';
      // The page needs nothing but its inline CSS and SVG: a report file served from the agent's
      // origin may run no script and load nothing, whatever a name in it says (all are escaped too).
      if (file === 'report.html')
        reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      return reply
        .type(REPORT_FILES[file])
        .header('content-length', size)
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${id}-${file}"`)
        .send(createReadStream(full));
    },
  );

  app.post('/api/reports', { config: { access: 'operator', permission: 'makeReports' } }, async (request, reply) => {
    const body = parseBody(ReportBody, request.body);
    if (!lineIds.has(body.line)) throw new ApiError('NOT_FOUND', `no line "${body.line}" in the config`);
    if (body.shift !== undefined && !shiftNames.has(body.shift))
      throw new ApiError('NOT_FOUND', `no shift "${body.shift}" in the config`);
    const start =
      body.start === undefined
        ? undefined
        : typeof body.start === 'number'
          ? body.start
          : parseTime({ start: body.start }, 'start');
    const sel: ReportSelector =
      body.period === 'shift'
        ? {
            line: body.line,
            ...(body.shift !== undefined ? { shift: body.shift } : {}),
            ...(start !== undefined ? { start } : {}),
          }
        : { line: body.line, period: body.period, ...(body.date !== undefined ? { date: body.date } : {}) };
    try {
      const r = await port().generate(sel);
      ctx.logger.info({ report: r.id, remote: request.ip }, 'report made on demand');
      return reply.code(201).send({
        id: r.id,
        line: r.line,
        period: r.kind,
        ...(r.shift !== undefined ? { shift: r.shift } : {}),
        start: iso(r.start),
        end: iso(r.end),
        final: r.final,
        durationMs: r.durationMs,
        files: r.files.map((name) => `/api/reports/${r.id}/${name}`),
      });
    } catch (err) {
      if (isLinesideError(err) && err.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', err.message);
      throw err;
    }
  });
}
