/**
 * The API's coded errors: every 4xx/5xx answer is `{error: {code, message}}` — from the routes,
 * the guard, and Fastify's and Node's own refusals (unknown route, bad JSON, body or path
 * parameter too long, malformed request) alike. Tests and the page match on the code; the
 * message says what to change.
 */
import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import { BODY_LIMIT_BYTES, bodyStillArriving, drainRequestBody, MAX_PARAM_LENGTH } from './request-limits.js';

export const API_ERRORS = {
  BAD_REQUEST: 400,
  UNKNOWN_REASON: 400,
  UNKNOWN_PRODUCT: 400,
  UNKNOWN_SCRAP_REASON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  OPERATOR_DISABLED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  INVALID_REPORT_PATH: 400,
  INVALID_ORDER: 400,
  NO_ORDER: 409,
  ORDER_RUNNING: 409,
  ORDER_CONFLICT: 409,
  ORDER_COMPLETED: 409,
  NOT_ENOUGH_GOOD: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  EXPECTATION_FAILED: 417,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  NOT_AVAILABLE: 503,
  TOO_MANY_CLIENTS: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** Headers on every response, set by one onRequest hook (and written by hand where no hook runs). */
export const BASELINE_HEADERS: Readonly<Record<string, string>> = {
  // Browsers must not guess a type: an error message or a JSON field is never run as HTML/script.
  'x-content-type-options': 'nosniff',
};

const JSON_TYPE = 'application/json; charset=utf-8';

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code];
  }
}

function errorJson(code: ApiErrorCode, message: string): string {
  const body: ApiErrorBody = { error: { code, message } };
  return JSON.stringify(body);
}

/**
 * Sends the coded error. When the request's body is still arriving (an upload refused before it
 * was read), the answer is written at once with `Connection: close`, but the response ends — and
 * the connection closes — only after the rest of the body has been drained (request-limits.ts):
 * closing earlier would reset the connection under a client that is still sending, and it would
 * never see the answer. Fastify is done with such a request (hijacked): no hook or handler runs
 * for it any more, whatever the client does meanwhile.
 */
export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply {
  const body = errorJson(code, message);
  const raw = reply.request.raw;
  if (!bodyStillArriving(raw)) return reply.code(API_ERRORS[code]).type(JSON_TYPE).send(body);
  reply.hijack();
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  const res = reply.raw;
  res.writeHead(API_ERRORS[code], {
    ...headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.write(body);
  drainRequestBody(raw, () => {
    if (!res.destroyed) res.end();
  });
  return reply;
}

const BY_STATUS: Readonly<Partial<Record<number, ApiErrorCode>>> = {
  404: 'NOT_FOUND',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * The coded error for an error thrown in a route or raised by Fastify (its FST_ERR_* codes);
 * undefined for a server fault, which the caller logs and answers `500 INTERNAL`.
 */
export function errorFor(error: FastifyError | ApiError | Error): { code: ApiErrorCode; message: string } | undefined {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  const fe = error as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than ${BODY_LIMIT_BYTES} bytes` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'BAD_REQUEST', message: 'body: Content-Type is application/json but the body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BAD_REQUEST', message: `body: not valid JSON (${error.message})` };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'BAD_REQUEST', message: 'the body does not match its Content-Length' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Not the path itself: it can be 8 KiB of anything.
      return { code: 'URI_TOO_LONG', message: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` };
    case 'FST_ERR_BAD_URL':
      return { code: 'BAD_REQUEST', message: 'the URL is not valid (bad percent-encoding)' };
  }
  if (fe.statusCode === 400 && error instanceof SyntaxError)
    return { code: 'BAD_REQUEST', message: `body: not valid JSON (${error.message})` };
  const status = fe.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { code: BY_STATUS[status] ?? 'BAD_REQUEST', message: error.message };
  return undefined;
}

/**
 * A whole HTTP/1.1 error response as text, for refusals below Fastify (a malformed request,
 * headers too large, a header timeout, a broken websocket handshake): written to the socket.
 */
export function rawErrorResponse(
  code: ApiErrorCode,
  message: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): string {
  const status = API_ERRORS[code];
  const body = errorJson(code, message);
  const headers = {
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    ...BASELINE_HEADERS,
    ...extraHeaders,
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The coded error on a raw response that never reaches Fastify (Node's 417 for an unknown Expect). */
export function writeRawError(res: ServerResponse, code: ApiErrorCode, message: string): void {
  const body = errorJson(code, message);
  res.writeHead(API_ERRORS[code], {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    ...BASELINE_HEADERS,
    connection: 'close',
  });
  res.end(body);
}
