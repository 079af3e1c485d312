/**
 * What every Lineside HTTP server (the agent's dashboard, the plant server) sets up the same way:
 * websocket support without compression or a client list of its own (the hub tracks clients), a
 * handler failure logged and the socket closed, and the baseline headers on every response.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorMessage } from '../lib/errors.js';
import { BASELINE_HEADERS } from './http-errors.js';

export async function registerWebsocketAndHeaders(
  app: FastifyInstance,
  logger: Pick<Logger, 'warn'>,
  maxPayloadBytes: number,
): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: maxPayloadBytes, perMessageDeflate: false, clientTracking: false },
    errorHandler: (error, socket) => {
      logger.warn({ err: errorMessage(error) }, 'websocket handler failed; connection closed');
      socket.terminate();
    },
  });
  // Hooks run in the order added, before routing's 404 handler and before a websocket upgrade too.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(BASELINE_HEADERS);
    done();
  });
}
