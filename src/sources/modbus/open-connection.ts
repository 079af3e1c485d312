/**
 * Opens one modbus-serial client on an endpoint (a TCP connection, a raw socket for RTU over TCP,
 * or a serial port) within our own timeout, with a listener on every 'error' and 'close' event of
 * the client and its port objects, so an unplugged adapter is reported, never an uncaught exception.
 */
import { errorMessage } from '../../lib/errors.js';
import { createClient, describeOpenError, watchPort, type Client } from './client-adapter.js';
import type { TransportEndpoint } from './endpoint.js';
import { connectError } from './errors.js';

/** One client object, from its open until it is discarded; a new one replaces it. */
export interface Connection {
  readonly id: number;
  readonly client: Client;
  alive: boolean;
  /** Fails the request in flight on this connection, if any. */
  failInflight?: (why: string, cause?: unknown) => void;
  /** Fails the connect/open still under way, if any. */
  failOpen?: (why: string, cause?: unknown) => void;
}

export interface OpenHooks {
  /** The connection died (port error, peer closed, unplugged), during the open or after. */
  lost(connection: Connection, why: string, cause?: unknown): void;
  /** Releases the client of an open that failed. */
  dispose(client: Client): void;
}

/** Resolves with the open connection, or rejects with MODBUS_CONNECT / SERIAL_OPEN. */
export function openConnection(
  endpoint: TransportEndpoint,
  url: string,
  id: number,
  connectTimeoutMs: number,
  hooks: OpenHooks,
): Promise<Connection> {
  const serial = endpoint.kind === 'rtu';
  const client = createClient();
  const connection: Connection = { id, client, alive: true };
  client.on('error', (err: unknown) => hooks.lost(connection, `port error: ${errorMessage(err)}`, err));
  client.on('close', () =>
    hooks.lost(connection, serial ? 'serial port closed (device unplugged?)' : 'connection closed by the other end'),
  );
  return new Promise<Connection>((resolve, reject) => {
    let settled = false;
    const fail = (why: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.failOpen = undefined;
      connection.alive = false;
      hooks.dispose(client);
      reject(connectError(url, why, serial, cause));
    };
    connection.failOpen = fail;
    const timer = setTimeout(() => fail(`no answer within ${connectTimeoutMs}ms`), connectTimeoutMs);
    let opening: Promise<void>;
    try {
      opening = startOpen(client, endpoint);
    } catch (err) {
      fail(errorMessage(err), err);
      return;
    }
    watchPort(
      client,
      (err) => hooks.lost(connection, `port error: ${errorMessage(err)}`, err),
      () =>
        hooks.lost(
          connection,
          serial ? 'serial port closed (device unplugged?)' : 'connection closed by the other end',
        ),
    );
    opening.then(
      () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.failOpen = undefined;
        resolve(connection);
      },
      (err: unknown) => fail(describeOpenError(err), err),
    );
  });
}

function startOpen(client: Client, endpoint: TransportEndpoint): Promise<void> {
  switch (endpoint.kind) {
    case 'tcp':
      return client.connectTCP(endpoint.host, { port: endpoint.port });
    case 'rtu-tcp':
      return client.connectTelnet(endpoint.host, { port: endpoint.port });
    case 'rtu':
      return client.connectRTUBuffered(endpoint.serial.path, {
        baudRate: endpoint.serial.baudRate,
        parity: endpoint.serial.parity,
        dataBits: endpoint.serial.dataBits,
        stopBits: endpoint.serial.stopBits,
      });
  }
}
