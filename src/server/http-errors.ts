/**
 * The API's coded errors: every 4xx/5xx answer is `{error: {code, message}}`. Tests and the page
 * match on the code; the message says what to change.
 */
import type { FastifyReply } from 'fastify';

export const API_ERRORS = {
  BAD_REQUEST: 400,
  UNKNOWN_REASON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  OPERATOR_DISABLED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_AVAILABLE: 503,
  TOO_MANY_CLIENTS: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

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

export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply {
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(API_ERRORS[code]).type('application/json; charset=utf-8').send(body);
}
