/**
 * What a failed InfluxDB request means for the data (pure). The rule that matters: only HTTP 400
 * (422 on InfluxDB 2.x) can drop data, and only the points it names as bad; everything else is
 * retried from the spool until it succeeds, however long that takes.
 */
import { errorMessage } from '../../lib/errors.js';
import { InfluxHttpError } from './client.js';

export type FailureKind =
  /** 5xx, network error, timeout, "No host available": retry the same batch after a backoff. */
  | 'retry'
  /** HTTP 400 (422 on 2.x): some points are bad (field type conflict, unparsable line); split to find them. */
  | 'bad-points'
  /** HTTP 413: the body is over influxd's max-body-size; split, nothing is bad yet. */
  | 'too-large'
  /** HTTP 401/403: credentials or rights; retry (an admin may fix it) and say so loudly. */
  | 'auth'
  /** HTTP 404 "database not found" (2.x: bucket not found): create it (when allowed) and retry. */
  | 'no-database'
  /** Any other status: retry, keep the data, report it. */
  | 'unexpected';

export interface WriteFailure {
  readonly kind: FailureKind;
  readonly status?: number;
  /** InfluxDB's own error text ("partial write: field type conflict: ..."), or the network error. */
  readonly detail: string;
  /** Points InfluxDB says it dropped ("dropped=N"), when it says so. */
  readonly dropped?: number;
  /** Lines InfluxDB could not parse ("unable to parse '...'"), counted from the message. */
  readonly unparsable?: number;
  /**
   * For `retry` failures, how the server failed to take the request: `no-answer` (connection
   * refused or reset, host or network unreachable, name not resolved: nothing answered),
   * `timeout` (no answer in time: a dead host or a busy server), `server-error` (it answered 5xx;
   * node-influx, still used for the set-up queries, reports 5xx without the status). Decides
   * whether /ping may cut the backoff short (probeModeFor).
   */
  readonly transport?: 'no-answer' | 'timeout' | 'server-error';
}

/**
 * How a /ping that answers (probe.ts) may end the backoff after this failure:
 * - `answer`: nothing answered the write (connection refused...), so any answer to /ping means
 *   the server is back: retry at once.
 * - `recovery`: the write timed out or got a 5xx. The server (or a proxy in front of it) may well
 *   answer /ping while writes still fail, so a /ping answer counts only after a /ping failed:
 *   down, then up again. A server that answers /ping but keeps failing writes gets the backoff.
 * - undefined (401/403, 404, anything else that answered): no probing; /ping cannot tell whether
 *   an admin fixed the credentials or the database, and the full backoff applies.
 */
export type ProbeMode = 'answer' | 'recovery';

export function probeModeFor(failure: WriteFailure): ProbeMode | undefined {
  if (failure.kind !== 'retry') return undefined;
  switch (failure.transport) {
    case 'no-answer':
      return 'answer';
    case 'timeout':
    case 'server-error':
      return 'recovery';
    default:
      return undefined;
  }
}

/** Error codes of a request nothing answered. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** node-influx's ServiceNotAvailableError (not exported): 5xx, "Request timed out", "No host available". */
function isServiceNotAvailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'ServiceNotAvailableError' || err.constructor.name === 'ServiceNotAvailableError';
}

function transportOf(err: unknown, code: string | undefined, message: string): WriteFailure['transport'] {
  if (code !== undefined && NO_ANSWER_CODES.has(code)) return 'no-answer';
  if ((code !== undefined && TIMEOUT_CODES.has(code)) || message === 'Request timed out') return 'timeout';
  if (isServiceNotAvailable(err)) return message === 'No host available' ? 'no-answer' : 'server-error';
  return undefined;
}

interface ResponseLike {
  readonly statusCode?: number;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof InfluxHttpError) return err.status;
  if (typeof err !== 'object' || err === null || !('res' in err)) return undefined;
  const res = (err as { res?: ResponseLike }).res;
  return typeof res?.statusCode === 'number' ? res.statusCode : undefined;
}

/**
 * What InfluxDB's JSON error body says, inside node-influx's RequestError message or our own
 * InfluxHttpError: `{"error": "..."}` (1.x), `{"code": "...", "message": "..."}` (2.x), or
 * `{"error": "partial write of line protocol occurred", "data": [{"error_message": ...}, ...]}`
 * (3.x, one entry per refused line).
 */
function influxErrorText(message: string): { text: string; refusedLines?: number } {
  const brace = message.indexOf('{');
  if (brace >= 0) {
    try {
      const body = JSON.parse(message.slice(brace)) as { error?: unknown; message?: unknown; data?: unknown };
      const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
      if (text !== '') {
        if (!Array.isArray(body.data) || body.data.length === 0) return { text };
        const first = body.data[0] as { error_message?: unknown } | null;
        const why = typeof first?.error_message === 'string' ? `: ${first.error_message}` : '';
        return { text: `${text}${why} (${body.data.length} lines refused)`, refusedLines: body.data.length };
      }
    } catch {
      // not JSON: fall through to the raw message
    }
  }
  return { text: message };
}

export function classifyWriteError(err: unknown): WriteFailure {
  const status = statusOf(err);
  const raw = errorMessage(err);
  if (status === undefined) {
    const rawCode =
      typeof err === 'object' && err !== null && 'code' in err ? (err as { code?: unknown }).code : undefined;
    const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : undefined;
    const transport = transportOf(err, code, raw);
    return {
      kind: 'retry',
      detail: code !== undefined && !raw.includes(code) ? `${code} ${raw}` : raw,
      ...(transport === undefined ? {} : { transport }),
    };
  }
  const { text: detail, refusedLines } = influxErrorText(raw);
  // 400: unparsable lines (all versions), field type conflicts on 1.x; 422: field type conflicts
  // and points beyond the retention period on 2.x. Both write the good points of the request.
  if (status === 400 || status === 422) {
    const droppedMatch = /dropped=(\d+)/.exec(detail);
    const dropped = droppedMatch ? Number(droppedMatch[1]) : refusedLines;
    const unparsable = refusedLines === undefined ? (detail.match(/unable to parse/g)?.length ?? 0) : 0;
    return {
      kind: 'bad-points',
      status,
      detail,
      ...(dropped === undefined ? {} : { dropped }),
      unparsable,
    };
  }
  if (status === 413) return { kind: 'too-large', status, detail };
  if (status === 401 || status === 403) return { kind: 'auth', status, detail };
  // 1.x: "database not found"; 2.x: `bucket "x" not found` (v2 API) or a db/rp without a DBRP mapping.
  if (status === 404 && /database not found|bucket .* not found|no dbrp mapping/i.test(detail))
    return { kind: 'no-database', status, detail };
  if (status >= 500) return { kind: 'retry', status, detail, transport: 'server-error' };
  return { kind: 'unexpected', status, detail };
}

/**
 * True when a 400 says every point of the request was bad, so splitting further cannot save any:
 * a whole batch of samples against a field someone else created with another type would
 * otherwise cost two requests per point.
 */
export function allPointsBad(failure: WriteFailure, pointCount: number): boolean {
  const bad = (failure.dropped ?? 0) + (failure.unparsable ?? 0);
  return failure.kind === 'bad-points' && bad >= pointCount && pointCount > 0;
}

/** "INFLUX 401 authorization failed" etc., for health and logs. */
export function describeFailure(failure: WriteFailure): string {
  return failure.status === undefined ? failure.detail : `HTTP ${failure.status}: ${failure.detail}`;
}
