/**
 * One Modbus TCP endpoint (host:port) serving one or more virtual PLCs by unit id, on
 * modbus-serial's ServerTCP. Supports the comms faults that need the socket: dropping every
 * connection, and "gone" (listener and sockets closed, reopened later on the same port).
 *
 * Workaround: ServerTCP listens on `options.port || 502`, so port 0 ("any free port") would
 * become 502. Passing the string "0" survives the `||` and Node's listen() accepts numeric
 * strings; the bound port is then read from the library's net.Server (`_server`).
 */
import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import ModbusRTU from 'modbus-serial';
import type { ServerTCP } from 'modbus-serial/ServerTCP.js';
import { LinesideError } from '../../src/lib/errors.js';
import { createVector, type VectorTarget } from './vector.js';

/** Gateway target device failed to respond: what a TCP gateway answers for an unknown unit. */
const GATEWAY_TARGET_FAILED = 0x0b;

type ServerTcpCtor = new (vector: unknown, options: { host: string; port: number | string }) => ServerTCP;
const ServerTcpClass = (ModbusRTU as unknown as { ServerTCP: ServerTcpCtor }).ServerTCP;

export interface TcpEndpointOptions {
  readonly host: string;
  /** 0 = any free port (the bound one is reported by `port` after start). */
  readonly port: number;
  readonly units: ReadonlyMap<number, VectorTarget>;
  readonly beforeRequest: () => void;
  readonly onError?: (err: Error) => void;
}

export class TcpEndpoint {
  private server: ServerTCP | undefined;
  private boundPort = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Requests seen per unit id. */
  readonly requests = new Map<number, number>();

  constructor(private readonly options: TcpEndpointOptions) {}

  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.options.host;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<number> {
    await this.open(this.options.port);
    return this.boundPort;
  }

  private async open(port: number): Promise<void> {
    const vector = createVector({
      units: this.options.units,
      beforeRequest: this.options.beforeRequest,
      unknownUnit: GATEWAY_TARGET_FAILED,
      timers: this.timers,
      onRequest: (unit) => this.requests.set(unit, (this.requests.get(unit) ?? 0) + 1),
    });
    const server = new ServerTcpClass(vector, { host: this.options.host, port: port === 0 ? '0' : port });
    const report = (err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
    // Socket errors (a client vanished) are routine for a PLC; 'error' would crash if unhandled.
    server.on('socketError', () => undefined);
    server.on('error', report);
    const outcome = await Promise.race([
      once(server, 'initialized').then(() => undefined),
      once(server, 'serverError').then(([err]) => err as Error),
    ]);
    if (outcome instanceof Error) {
      server.on('serverError', report);
      throw new LinesideError('SERVER_START', `cannot listen on ${this.options.host}:${port}: ${outcome.message}`, {
        host: this.options.host,
        port,
      });
    }
    server.on('serverError', report);
    const net = (server as unknown as { _server: Server })._server;
    this.boundPort = (net.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes every client connection now (clients see the socket close; the listener stays). */
  dropConnections(): void {
    for (const sock of this.sockets()) sock.destroy();
  }

  private sockets(): Socket[] {
    return this.server !== undefined ? [...(this.server.socks.keys() as IterableIterator<Socket>)] : [];
  }

  /** Closes the listener and every connection (the PLC is gone from the network). */
  async goAway(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Reopens on the same port after goAway(); retries briefly if the port is not free yet. */
  async comeBack(): Promise<void> {
    if (this.server !== undefined || this.stopped) return;
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await this.open(this.boundPort);
        if (this.stopped) await this.goAway();
        return;
      } catch (err) {
        lastError = err;
        await sleep(50);
      }
    }
    throw lastError;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.goAway();
  }
}
