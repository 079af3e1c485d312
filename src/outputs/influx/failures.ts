/**
 * What a failed InfluxDB request means for the data (pure). The rule that matters: only HTTP 400
 * can drop data, and only the points it names as bad; everything else is retried from the spool
 * until it succeeds, however long that takes.
 */
import { errorMessage } from '../../lib/errors.js';

export type FailureKind =
  /** 5xx, network error, timeout, "No host available": retry the same batch after a backoff. */
  | 'retry'
  /** HTTP 400: some points are bad (field type conflict, unparsable line); split to find them. */
  | 'bad-points'
  /** HTTP 413: the body is over influxd's max-body-size; split, nothing is bad yet. */
  | 'too-large'
  /** HTTP 401/403: credentials or rights; retry (an admin may fix it) and say so loudly. */
  | 'auth'
  /** HTTP 404 "database not found": create it (when allowed) and retry. */
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
}

interface ResponseLike {
  readonly statusCode?: number;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('res' in err)) return undefined;
  const res = (err as { res?: ResponseLike }).res;
  return typeof res?.statusCode === 'number' ? res.statusCode : undefined;
}

/** The `error` text of InfluxDB's JSON body inside node-influx's RequestError message. */
function influxErrorText(message: string): string {
  const brace = message.indexOf('{');
  if (brace >= 0) {
    try {
      const body = JSON.parse(message.slice(brace)) as { error?: unknown };
      if (typeof body.error === 'string') return body.error;
    } catch {
      // not JSON: fall through to the raw message
    }
  }
  return message;
}

/** node-influx refused a point before sending (its schema check threw): a bad point, like a 400. */
export class PointRejectedError extends Error {
  override readonly name = 'PointRejectedError';
}

export function classifyWriteError(err: unknown): WriteFailure {
  if (err instanceof PointRejectedError) return { kind: 'bad-points', detail: err.message };
  const status = statusOf(err);
  const raw = errorMessage(err);
  if (status === undefined) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code?: unknown }).code) : undefined;
    return { kind: 'retry', detail: code !== undefined && code !== 'undefined' && !raw.includes(code) ? `${code} ${raw}` : raw };
  }
  const detail = influxErrorText(raw);
  if (status === 400) {
    const droppedMatch = /dropped=(\d+)/.exec(detail);
    const unparsable = detail.match(/unable to parse/g)?.length ?? 0;
    return { kind: 'bad-points', status, detail, ...(droppedMatch ? { dropped: Number(droppedMatch[1]) } : {}), unparsable };
  }
  if (status === 413) return { kind: 'too-large', status, detail };
  if (status === 401 || status === 403) return { kind: 'auth', status, detail };
  if (status === 404 && /database not found/i.test(detail)) return { kind: 'no-database', status, detail };
  if (status >= 500) return { kind: 'retry', status, detail };
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
