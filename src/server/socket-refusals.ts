/**
 * Refusals of requests Fastify never gets, in the coded shape of http-errors.ts instead of Node's
 * and the websocket library's bare answers: Node's `clientError` (malformed request, headers too
 * large, header timeout), an Expect other than 100-continue, a large body announced with
 * `Expect: 100-continue`, and a broken websocket handshake.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { rawErrorResponse, writeRawError, type ApiErrorCode } from './http-errors.js';
import { DRAIN_IDLE_MS, refuseContinueForLargeBodies } from './request-limits.js';

/**
 * Writes a coded error straight to a socket Fastify never got (Node's and the websocket
 * library's own refusals), then closes in stages: the socket lives on a little so the client
 * can read the answer before the connection goes.
 */
function refuseOnSocket(
  socket: Duplex,
  code: ApiErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end(rawErrorResponse(code, message, headers));
  const timer = setTimeout(() => socket.destroy(), DRAIN_IDLE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Node's `clientError`: a malformed request line or headers, headers over 16 KiB, the header timeout. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET') return;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    refuseOnSocket(socket, 'REQUEST_TIMEOUT', 'the request did not arrive in time');
  else if (error.code === 'HPE_HEADER_OVERFLOW')
    refuseOnSocket(socket, 'HEADERS_TOO_LARGE', 'the request line and headers are too large');
  else refuseOnSocket(socket, 'BAD_REQUEST', `not a valid HTTP request (${error.code ?? 'parse error'})`);
}

/**
 * Listens on the app's HTTP server and websocket server for what they would otherwise answer
 * themselves. Call after the websocket plugin is registered (it creates `app.websocketServer`).
 */
export function installRawRefusals(app: FastifyInstance): void {
  refuseContinueForLargeBodies(app.server);
  // Any other Expect than 100-continue: Node would answer a bare 417.
  app.server.on('checkExpectation', (_req, res: ServerResponse) => {
    writeRawError(res, 'EXPECTATION_FAILED', 'only "Expect: 100-continue" is supported');
  });
  // A broken websocket handshake (bad key or version): the ws library would answer in text/html.
  app.websocketServer.on('wsClientError', (error: Error, socket: Duplex) => {
    refuseOnSocket(socket, 'BAD_REQUEST', `websocket handshake refused: ${error.message}`, {
      'sec-websocket-version': '13',
    });
  });
}
