/**
 * The HTTP side of the report webhook: one POST with Node's own http/https (so `ca` and
 * `rejectUnauthorized` apply, which the global fetch cannot take without an extra dependency),
 * and its failures as coded errors: WEBHOOK_CONNECT (refused, DNS, timeout), WEBHOOK_TLS,
 * WEBHOOK_HTTP (a non-2xx answer; 408, 429 and 5xx are worth a retry, other 4xx are not),
 * WEBHOOK_FAILED. The token and secret go into headers only, never into a log or an error; the URL
 * appears as scheme and host only (chat webhook paths are themselves secrets).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { LinesideConfig } from '../../config/schema.js';
import { errorMessage, LinesideError, type ErrorCode } from '../../lib/errors.js';
import { packageVersion } from '../../lib/paths.js';
import { parseRetryAfter } from '../../outputs/webhook/post.js';
import { requestHeaders } from './headers.js';
import { redactUrl } from '../../outputs/webhook/signature.js';

export type WebhookConfig = LinesideConfig['reports']['webhook'];

export interface WebhookRequest {
  /** The report id: sent as x-lineside-delivery, the receiver's idempotency key. */
  readonly id: string;
  /** The exact JSON body (the signature covers these bytes). */
  readonly body: string;
}

/** POSTs once; resolves on any 2xx, else rejects with a coded LinesideError. */
export type SendWebhook = (request: WebhookRequest) => Promise<void>;

/** How much of an error answer's body goes into the error message. */
const BODY_CHARS = 200;

export function httpTransport(config: WebhookConfig, now: () => number = Date.now): SendWebhook {
  const ca = config.ca !== undefined ? readFileSync(config.ca) : undefined;
  const userAgent = `lineside/${packageVersion()}`;
  return async ({ id, body }) => {
    if (config.url === undefined) throw new LinesideError('WEBHOOK_FAILED', 'reports.webhook.url is not set');
    const url = new URL(config.url);
    const where = redactUrl(config.url);
    const headers = requestHeaders(config, id, body, userAgent);
    const tls = url.protocol === 'https:';
    const answer = await new Promise<{ status: number; text: string; retryAfter: string | undefined }>(
      (resolve, reject) => {
        const request = (tls ? https : http).request(
          url,
          {
            method: 'POST',
            headers,
            ...(tls ? { rejectUnauthorized: config.rejectUnauthorized, ...(ca !== undefined ? { ca } : {}) } : {}),
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              if (text.length < BODY_CHARS) text += chunk;
            });
            res.on('end', () => {
              clearTimeout(timer);
              const retryAfter = res.headers['retry-after'];
              resolve({ status: res.statusCode ?? 0, text, retryAfter });
            });
            res.on('error', (err) => reject(err));
          },
        );
        // The whole exchange, not only an idle socket: a receiver that trickles bytes is cut off too.
        const timer = setTimeout(() => {
          request.destroy(new LinesideError('WEBHOOK_CONNECT', `no answer within ${config.timeout} ms`));
        }, config.timeout);
        request.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        request.end(body);
      },
    ).catch((err: unknown) => {
      throw requestError(err, where);
    });
    if (answer.status >= 200 && answer.status < 300) return;
    const retryable = answer.status === 408 || answer.status === 429 || answer.status >= 500;
    const retryAfterMs = parseRetryAfter(answer.retryAfter ?? null, now());
    const snippet = answer.text.slice(0, BODY_CHARS).replace(/\s+/g, ' ').trim();
    throw new LinesideError(
      'WEBHOOK_HTTP',
      `${where} answered HTTP ${answer.status}${snippet !== '' ? `: ${snippet}` : ''}`,
      { webhook: where, status: answer.status, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    );
  };
}

const CONNECT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** A failed request (no HTTP answer) as ours. */
export function requestError(err: unknown, where: string): LinesideError {
  if (err instanceof LinesideError)
    return new LinesideError(err.code, `${where}: ${err.message}`, { webhook: where, ...err.context });
  const code = (err as { code?: string }).code ?? '';
  let coded: ErrorCode = 'WEBHOOK_FAILED';
  let what = 'posting the report failed';
  // Node's TLS codes: DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_...
  if (/CERT|SSL|ERR_TLS/.test(code) || /certificate/i.test(errorMessage(err))) {
    coded = 'WEBHOOK_TLS';
    what = 'TLS with the receiver failed';
  } else if (CONNECT.has(code)) {
    coded = 'WEBHOOK_CONNECT';
    what = 'cannot reach the receiver';
  }
  return new LinesideError(
    coded,
    `${what} (${where}): ${errorMessage(err)}`,
    { webhook: where, ...(code !== '' ? { errno: code } : {}) },
    { cause: err },
  );
}

/** Any failure but a 4xx answer other than 408 and 429 may pass on a later attempt. */
export function isRetryable(err: LinesideError): boolean {
  return !(err.code === 'WEBHOOK_HTTP' && err.context.retryable === false);
}

/** The wait the receiver asked for with Retry-After, ms. */
export function retryAfterMs(err: LinesideError): number | undefined {
  const ms = err.context.retryAfterMs;
  return typeof ms === 'number' ? ms : undefined;
}
