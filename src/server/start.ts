/**
 * Listening: the agent starts the dashboard with `startServer(deps)` (wrapped as a lifecycle
 * component in src/agent/server-component.ts). Host and port come from
 * `server.host` / `server.port` unless overridden (port 0 picks a free port, for tests).
 */
import type { FastifyInstance } from 'fastify';
import { errorMessage, LinesideError } from '../lib/errors.js';
import { buildApp } from './app.js';
import type { AppDeps } from './deps.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** "http://127.0.0.1:8080" — the address actually bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(
  deps: AppDeps,
  listen: { host?: string; port?: number } = {},
): Promise<RunningServer> {
  const host = listen.host ?? deps.config.server.host;
  const port = listen.port ?? deps.config.server.port;
  const app = await buildApp(deps);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? ' (another program uses the port: change server.port)'
        : code === 'EACCES'
          ? ' (ports below 1024 need privileges: use 8080)'
          : '';
    throw new LinesideError(
      'SERVER_START',
      `cannot listen on ${host}:${port}: ${errorMessage(err)}${hint}`,
      { host, port },
      { cause: err },
    );
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  deps.logger.info({ component: 'server', url: `http://${urlHost}:${boundPort}` }, 'dashboard listening');
  return { app, url: `http://${urlHost}:${boundPort}`, port: boundPort, close: () => app.close() };
}
