/**
 * The modbus-serial client as the transport needs it: construction, the four read functions,
 * reply shaping, and the port internals we must guard (error listeners, receive buffer, closing).
 * Everything that knows modbus-serial's internals lives here.
 */
import ModbusSerial from 'modbus-serial';
import { errorMessage } from '../../lib/errors.js';
import type { ReadSpan } from './errors.js';

// modbus-serial is CommonJS with `module.exports.default = module.exports`; under NodeNext its
// typings describe the default import as the module namespace, so take `.default` (same object).
const ModbusRTU = ModbusSerial.default;
export type Client = InstanceType<typeof ModbusRTU>;

export function createClient(): Client {
  return new ModbusRTU();
}

/** Bounded wait for a serial port to close before it is reopened ("Cannot lock port" otherwise). */
const CLOSE_WAIT_MS = 2_000;

/** One successful read: what the transport hands the poller. */
export interface ReadReply {
  /** Registers for holding/input reads (exactly `span.count`). */
  readonly registers?: readonly number[];
  /** Bits for coil/discrete reads (exactly `span.count`). */
  readonly bits?: readonly boolean[];
  readonly latencyMs: number;
  /** Changes whenever a new connection was made: the poller re-emits every value then. */
  readonly connectionId: number;
}

/**
 * RTU frames are delimited by 3.5 character times of silence (Modbus over Serial Line v1.02,
 * 2.5.1.1): 11 bits per character, and a fixed 1.75 ms above 19200 baud. Rounded up to whole ms.
 */
export function rtuFrameGapMs(baudRate: number): number {
  if (baudRate > 19_200) return 2;
  return Math.ceil((3.5 * 11 * 1000) / baudRate);
}

export function issue(client: Client, span: ReadSpan): Promise<{ data: unknown[] }> {
  switch (span.area) {
    case 'holding':
      return client.readHoldingRegisters(span.start, span.count);
    case 'input':
      return client.readInputRegisters(span.start, span.count);
    case 'coil':
      return client.readCoils(span.start, span.count);
    case 'discrete':
      return client.readDiscreteInputs(span.start, span.count);
  }
}

export function toReply(
  data: readonly unknown[],
  span: ReadSpan,
  latencyMs: number,
  connectionId: number,
): ReadReply | undefined {
  if (span.area === 'coil' || span.area === 'discrete') {
    // Bits arrive padded to whole bytes.
    if (data.length < span.count) return undefined;
    return { bits: data.slice(0, span.count).map(Boolean), latencyMs, connectionId };
  }
  if (data.length !== span.count) return undefined;
  return { registers: data.map(Number), latencyMs, connectionId };
}

export function describeOpenError(err: unknown): string {
  const message = errorMessage(err);
  if (/Cannot lock port/i.test(message))
    return `${message} (another process, or a not yet released handle, holds the port)`;
  return message;
}

/** The port objects inside a client; the .d.ts does not declare them. */
interface Emitter {
  on?: (event: string, listener: (arg?: unknown) => void) => void;
}
interface PortInternals {
  _port?: Emitter & { _buffer?: unknown; _client?: Emitter };
}

/**
 * Watches the client's port and the socket or SerialPort under it. modbus-serial re-emits port
 * errors on its own objects and removes its listeners on close, so a port error after that (an
 * unplugged USB adapter) would be an uncaught 'error' event; ours stay attached for the port's
 * whole life. The raw 'close' is watched too: TcpPort swallows the close that follows a socket
 * error (ECONNRESET), which would otherwise leave the request waiting for its timeout.
 */
export function watchPort(client: Client, onError: (err: unknown) => void, onClose: () => void): void {
  const port = (client as unknown as PortInternals)._port;
  if (port === undefined) return;
  if (typeof port.on === 'function') port.on('error', onError);
  const raw = port._client;
  if (raw !== undefined && typeof raw.on === 'function') {
    raw.on('error', onError);
    raw.on('close', onClose);
  }
}

/** Drops bytes left in an RTU port's receive buffer (a late reply from a timed-out unit). */
export function flushReceiveBuffer(client: Client): void {
  const port = (client as unknown as PortInternals)._port;
  if (port !== undefined && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
}

export function closeSerial(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS);
    try {
      client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
