/**
 * The embedded MQTT broker for the demo and single-Pi installs (`mqtt.url: embedded`): aedes on
 * a plain TCP listener, bound to 127.0.0.1 unless the config says otherwise, so mosquitto_sub,
 * Node-RED or Grafana on the same machine can subscribe. Clients speak MQTT 3.1.1 (aedes has no
 * MQTT 5). Retained messages live in memory only; the publisher republishes retained state and
 * OEE on every connect, so they are current again after an agent restart.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export interface EmbeddedBrokerOptions {
  /** Bind address; default 127.0.0.1. "0.0.0.0" lets other machines connect. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  readonly logger: Logger;
  /** When set, every client must present these credentials. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Disconnect a subscriber whose socket stays full this long, ms (default 10 s). */
  readonly drainTimeoutMs?: number;
}

export interface EmbeddedBroker {
  readonly host: string;
  /** The port actually bound. */
  readonly port: number;
  /** mqtt://host:port for local clients (127.0.0.1 when bound to all interfaces). */
  readonly url: string;
  connectedClients(): number;
  /** Disconnects every client and frees the port. Idempotent. */
  stop(): Promise<void>;
}

function sameSecret(given: Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const want = Buffer.from(expected, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger.child({ component: 'mqtt-broker' });
  const credentials = options.credentials;
  const broker = await Aedes.createBroker({
    // A frozen subscriber must not stall delivery to everyone (aedes docs: drainTimeout).
    drainTimeout: options.drainTimeoutMs ?? 10_000,
    // Lineside client ids ("lineside-<agent id>") can exceed MQTT 3.1.0's 23 characters.
    maxClientsIdLength: 256,
    ...(credentials === undefined
      ? {}
      : {
          authenticate: (_client, username, password, done) => {
            if (username === credentials.username && sameSecret(password, credentials.password)) {
              done(null, true);
              return;
            }
            const err = new Error('bad user name or password') as AuthenticateError;
            err.returnCode = 4;
            done(err, false);
          },
        }),
  });
  broker.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: errorMessage(err) }, 'MQTT client error'),
  );
  broker.on('connectionError', (client, err) =>
    log.debug({ clientId: client?.id, err: errorMessage(err) }, 'MQTT connection error'),
  );
  broker.on('client', (client) => log.debug({ clientId: client.id }, 'MQTT client connected'));
  broker.on('clientDisconnect', (client) => log.debug({ clientId: client.id }, 'MQTT client disconnected'));

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset by a vanished client must not become an unhandled 'error' event.
    socket.on('error', (err) => log.debug({ err: errorMessage(err) }, 'MQTT socket error'));
    broker.handle(socket);
  });

  const closeBroker = (): Promise<void> => new Promise((resolve) => broker.close(() => resolve()));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: options.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeBroker();
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? ' (another broker, e.g. a system mosquitto, already uses it: set mqtt.embedded.port or mqtt.url)'
        : '';
    throw new LinesideError(
      'SERVER_START',
      `the embedded MQTT broker cannot listen on ${host}:${options.port}: ${errorMessage(err)}${hint}`,
      { host, port: options.port, path: ['mqtt', 'embedded'] },
      { cause: err },
    );
  }
  server.on('error', (err) => log.error({ err: errorMessage(err) }, 'embedded MQTT broker listener error'));

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const dialHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  log.info({ host, port }, `embedded MQTT broker listening on ${host}:${port} (MQTT 3.1.1)`);

  let stopped: Promise<void> | undefined;
  return {
    host,
    port,
    url: `mqtt://${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${port}`,
    connectedClients: () => broker.connectedClients,
    stop: () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeBroker();
        for (const socket of sockets) socket.destroy();
        await closed;
        log.info({ host, port }, 'embedded MQTT broker stopped');
      })();
      return stopped;
    },
  };
}
