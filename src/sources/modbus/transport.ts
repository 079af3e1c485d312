/**
 * One TCP connection or one serial bus, on modbus-serial, made safe to leave running for months.
 *
 * Contract:
 * - `read` queues a request; strictly one request is outstanding at a time (modbus-serial's RTU
 *   ports reuse one transaction slot, and many PLCs serve one request per connection anyway).
 *   Requests of every unit id on the endpoint share the queue, first come first served.
 * - Every request settles exactly once: with a reply, or with a LinesideError (MODBUS_TIMEOUT,
 *   MODBUS_CLOSED, MODBUS_CONNECT, SERIAL_OPEN, MODBUS_EXCEPTION, MODBUS_OFFLINE, MODBUS_DECODE).
 *   The timeout is ours (modbus-serial has none by default, and its in-flight requests are not
 *   rejected on close), so nothing ever dangles.
 * - TCP (and RTU over TCP): after a timeout, a bad reply or a network error the client object is
 *   DISCARDED and a fresh one connects for the next request. modbus-serial's TCP transaction ids
 *   wrap at 256 and stale entries are never deleted, so a late reply could otherwise be matched
 *   to a new request (docs/library-notes.md#modbus-serial).
 * - RTU framing (a serial bus, or RTU over TCP through a serial gateway): a timeout is a unit's
 *   problem (a dead slave), not the bus's: the port stays open so the other units keep polling,
 *   and the receive buffer is flushed before every request so a late reply cannot be taken for
 *   the next answer. The port is reopened only when it errors or closes (USB adapter unplugged).
 *   RTU over TCP uses modbus-serial's TelnetPort (raw RTU frames on a socket); its
 *   "TcpRTUBufferedPort" despite the name speaks Modbus TCP framing.
 * - Connect/open failures and connections lost mid-request back off exponentially with jitter,
 *   capped at `backoff.maxMs`; meanwhile requests fail fast without I/O. Any good reply resets it.
 * - Every 'error' event of the client and its port objects has a listener: an unplugged adapter
 *   is reported, never an uncaught exception.
 */
import type { Logger } from '../../lib/logger.js';
import { errorMessage, type LinesideError } from '../../lib/errors.js';
import type { BackoffPolicy } from '../../lib/backoff.js';
import {
  closeSerial,
  describeOpenError,
  flushReceiveBuffer,
  issue,
  rtuFrameGapMs,
  toReply,
  type Client,
  type ReadReply,
} from './client-adapter.js';
import { endpointUrl, type TransportEndpoint } from './endpoint.js';
import {
  badReplyError,
  closedError,
  connectionLostError,
  exceptionError,
  stoppedError,
  timeoutError,
  type ReadSpan,
  type RequestTarget,
} from './errors.js';
import { openConnection, type Connection } from './open-connection.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { RequestQueue } from './request-queue.js';

export interface TransportRequest {
  readonly target: RequestTarget;
  readonly span: ReadSpan;
  readonly timeoutMs: number;
  /** Quiet time after this request before the next one on the bus (slow serial devices). */
  readonly interRequestDelayMs?: number;
  /** Tag labels for exception messages ("speed @ 40101"). */
  readonly tags?: readonly string[];
}

// The reply shape lives beside toReply(), which builds it; re-exported for the transport's users.
export type { ReadReply } from './client-adapter.js';

export interface TransportOptions {
  readonly backoff: BackoffPolicy;
  /** Upper bound for a TCP connect or a serial open, ms. */
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  readonly random?: () => number;
  /**
   * Monotonic time, ms, that the reconnect backoff is measured on (when the next connect attempt
   * is allowed). Default performance.now(); tests step it to check the backoff without sleeping.
   */
  readonly now?: () => number;
}

export class ModbusTransport {
  readonly url: string;
  /** A serial port (SERIAL_OPEN errors, closes awaited before reopening). */
  private readonly serial: boolean;
  /** RTU framing (serial or RTU over TCP): bus semantics, no transaction ids. */
  private readonly bus: boolean;
  /** Silence kept on a serial line between a reply and the next request (t3.5), ms. */
  private readonly frameGapMs: number;
  private readonly queue: RequestQueue<TransportRequest, ReadReply>;
  private readonly backoff: ReconnectBackoff;
  private connection: Connection | undefined;
  private connectionSeq = 0;
  private closing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly listeners = new Set<(connected: boolean) => void>();

  constructor(
    readonly endpoint: TransportEndpoint,
    private readonly options: TransportOptions,
  ) {
    this.url = endpointUrl(endpoint);
    this.serial = endpoint.kind === 'rtu';
    this.bus = endpoint.kind !== 'tcp';
    this.frameGapMs = endpoint.kind === 'rtu' ? rtuFrameGapMs(endpoint.serial.baudRate) : 0;
    const now = options.now ?? (() => performance.now());
    this.backoff = new ReconnectBackoff(this.url, options.backoff, options.logger, now, options.random);
    this.queue = new RequestQueue(
      (request) => this.execute(request),
      (request) => Math.max(request.interRequestDelayMs ?? 0, this.frameGapMs),
      () => this.stopped,
    );
  }

  get connected(): boolean {
    return this.connection?.alive === true;
  }

  /** Called with true when a connection opens and false when it is lost or discarded. */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  read(request: TransportRequest): Promise<ReadReply> {
    if (this.stopped) return Promise.reject(stoppedError(request.target, request.span));
    return this.queue.push(request);
  }

  /** Rejects queued requests, fails the one in flight, closes the port; resolves when all is quiet. */
  async close(): Promise<void> {
    this.stopped = true;
    this.queue.rejectAll((request) => stoppedError(request.target, request.span));
    const connection = this.connection;
    if (connection !== undefined) {
      connection.failInflight?.('the transport was stopped');
      this.discard(connection, false);
    }
    await this.queue.idle();
    await this.closing;
  }

  private async execute(request: TransportRequest): Promise<ReadReply> {
    if (this.stopped) throw stoppedError(request.target, request.span);
    const connection = await this.ensureConnection(request);
    return this.send(connection, request);
  }

  private async ensureConnection(request: TransportRequest): Promise<Connection> {
    if (this.connection?.alive === true) return this.connection;
    const refusal = this.backoff.refusal(request.target, request.span);
    if (refusal !== undefined) throw refusal;
    await this.closing;
    try {
      const connection = await openConnection(
        this.endpoint,
        this.url,
        ++this.connectionSeq,
        this.options.connectTimeoutMs,
        {
          lost: (c, why, cause) => this.lost(c, why, cause),
          dispose: (client) => this.dispose(client),
        },
      );
      this.connection = connection;
      this.options.logger.info({ endpoint: this.url, connection: connection.id }, 'modbus: connected');
      this.notify(true);
      return connection;
    } catch (err) {
      const error = err as LinesideError;
      this.backoff.failed(error);
      throw error;
    }
  }

  private send(connection: Connection, request: TransportRequest): Promise<ReadReply> {
    const { target, span } = request;
    return new Promise<ReadReply>((resolve, reject) => {
      let settled = false;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.failInflight = undefined;
        action();
      };
      const timer = setTimeout(() => {
        settle(() => {
          // A late reply must never meet a new request: on TCP the client goes; on an RTU bus
          // the buffer is flushed before the next request instead (the bus serves other units).
          if (!this.bus) this.discard(connection, false);
          reject(timeoutError(target, span, request.timeoutMs));
        });
      }, request.timeoutMs);
      connection.failInflight = (why, cause) => settle(() => reject(closedError(target, span, why, cause)));
      const startedMs = performance.now();
      let call: Promise<{ data: unknown[] }>;
      try {
        if (this.bus) flushReceiveBuffer(connection.client);
        connection.client.setID(target.unitId);
        call = issue(connection.client, span);
      } catch (err) {
        settle(() => {
          this.lost(connection, errorMessage(err), err);
          reject(closedError(target, span, errorMessage(err), err));
        });
        return;
      }
      call.then(
        (result) => {
          settle(() => {
            const reply = toReply(result.data, span, performance.now() - startedMs, connection.id);
            if (reply === undefined) {
              if (!this.bus) this.discard(connection, false);
              reject(badReplyError(target, span, `expected ${span.count} values, got ${result.data.length}`));
              return;
            }
            this.backoff.reset();
            resolve(reply);
          });
        },
        (err: unknown) => settle(() => reject(this.classify(connection, request, err))),
      );
    });
  }

  /** Maps a modbus-serial rejection onto our codes, discarding the connection where needed. */
  private classify(connection: Connection, request: TransportRequest, err: unknown): LinesideError {
    const { target, span } = request;
    const modbusCode = (err as { modbusCode?: unknown } | null)?.modbusCode;
    if (typeof modbusCode === 'number') return exceptionError(target, span, modbusCode, request.tags ?? []);
    const message = errorMessage(err);
    if (/CRC error|Data length error|Unexpected data error/i.test(message) || err instanceof RangeError) {
      if (!this.bus) this.discard(connection, false);
      return badReplyError(target, span, message, err);
    }
    this.lost(connection, message, err);
    return closedError(target, span, message, err);
  }

  /** The connection died under us (peer closed, port error, unplug): count it and back off. */
  private lost(connection: Connection, why: string, cause?: unknown): void {
    if (!connection.alive) return;
    if (connection.failOpen !== undefined) {
      connection.failOpen(cause !== undefined ? describeOpenError(cause) : why, cause);
      return;
    }
    connection.failInflight?.(why, cause);
    this.discard(connection, true);
    if (!this.stopped) this.backoff.failed(connectionLostError(this.url, why, cause));
  }

  private discard(connection: Connection, alreadyLogged: boolean): void {
    if (!connection.alive) return;
    connection.alive = false;
    const wasCurrent = this.connection === connection;
    if (wasCurrent) this.connection = undefined;
    if (!alreadyLogged)
      this.options.logger.debug({ endpoint: this.url, connection: connection.id }, 'modbus: connection discarded');
    this.dispose(connection.client);
    if (wasCurrent) this.notify(false);
  }

  /** Releases a client's socket or port; serial closes are awaited before the next open. */
  private dispose(client: Client): void {
    if (this.serial) {
      const previous = this.closing;
      this.closing = previous.then(() => closeSerial(client));
    } else {
      try {
        client.destroy(() => undefined);
      } catch (err) {
        this.options.logger.debug({ endpoint: this.url, err: errorMessage(err) }, 'modbus: destroy failed');
      }
    }
  }

  private notify(connected: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(connected);
      } catch (err) {
        this.options.logger.error({ endpoint: this.url, err: errorMessage(err) }, 'modbus: connection listener threw');
      }
    }
  }
}
