/**
 * One delivery attempt of a webhook: the signed POST, its timeout, and what came of it (delivered,
 * or why not and whether trying again can help, with the receiver's Retry-After if it sent one).
 */
import { LinesideError } from '../../lib/errors.js';
import { DELIVERY_HEADER, EVENT_HEADER, signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

export type PostOutcome = { ok: true } | { ok: false; retryable: boolean; retryAfterMs?: number; error: LinesideError };

export interface PostRequest {
  readonly url: string;
  readonly secret?: string;
  /** The URL without its path, for messages. */
  readonly where: string;
  readonly body: string;
  readonly eventId: string;
  readonly alertId: string;
  readonly timeoutMs: number;
  /** Wall clock, ms (timestamp header, Retry-After dates). */
  readonly now: () => number;
}

/**
 * POSTs once; never rejects. `abort` ends it early (the sender's close); `closed` tells such an
 * abort from the timeout.
 */
export async function postWebhook(p: PostRequest, abort: AbortController, closed: () => boolean): Promise<PostOutcome> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'lineside-webhook/1',
    [EVENT_HEADER]: 'alert',
    [DELIVERY_HEADER]: p.eventId,
    [TIMESTAMP_HEADER]: String(Math.floor(p.now() / 1000)),
  };
  if (p.secret !== undefined && p.secret !== '') headers[SIGNATURE_HEADER] = signBody(p.secret, p.body);
  const context = { webhook: p.where, event: p.eventId, alertId: p.alertId };
  const timeout = setTimeout(() => abort.abort(), p.timeoutMs);
  try {
    const res = await fetch(p.url, {
      method: 'POST',
      headers,
      body: p.body,
      signal: abort.signal,
      redirect: 'error',
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const error = new LinesideError('NOT_AVAILABLE', `webhook ${p.where} answered HTTP ${res.status}`, {
      ...context,
      status: res.status,
    });
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), p.now());
    return { ok: false, retryable, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}), error };
  } catch (err) {
    const timedOut = abort.signal.aborted && !closed();
    const why = timedOut ? `no answer within ${p.timeoutMs} ms` : describe(err);
    return {
      ok: false,
      retryable: true,
      error: new LinesideError('NOT_AVAILABLE', `webhook ${p.where} unreachable: ${why}`, {
        ...context,
        timeoutMs: p.timeoutMs,
      }),
    };
  } finally {
    clearTimeout(timeout);
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return cause.code;
  return err instanceof Error ? err.message : String(err);
}

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
