/**
 * One Modbus RTU bus (a serial port) serving one or more virtual PLCs by unit id, on
 * modbus-serial's ServerSerial. For tests, the port is one end of a socat pty pair.
 *
 * Library behaviour to know (modbus-serial 8.0.25, servers/serverserial.js):
 * - Frames are cut by a 30 ms silence, so a master must leave gaps between requests.
 * - It recomputes the CRC of a request instead of checking it, so a corrupted frame still gets
 *   an answer; real slaves would stay silent.
 * - The SerialPort's own 'error' event has no listener inside the library: we add one, or a
 *   vanished port would crash the process (docs/library-notes.md#modbus-serial: USB adapter unplugged).
 */
import ModbusRTU from 'modbus-serial';
import type { ServerSerial } from 'modbus-serial/ServerSerial.js';
import { LinesideError } from '../../src/lib/errors.js';
import { createVector, type VectorTarget } from './vector.js';

type ServerSerialCtor = new (
  vector: unknown,
  options: Record<string, unknown>,
  serialportOptions?: Record<string, unknown>,
) => ServerSerial;
const ServerSerialClass = (ModbusRTU as unknown as { ServerSerial: ServerSerialCtor }).ServerSerial;

export interface RtuBusOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly dataBits: 7 | 8;
  readonly stopBits: 1 | 2;
  readonly units: ReadonlyMap<number, VectorTarget>;
  readonly beforeRequest: () => void;
  readonly onError?: (err: Error) => void;
}

export class RtuBus {
  private server: ServerSerial | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly requests = new Map<number, number>();

  constructor(private readonly options: RtuBusOptions) {}

  get path(): string {
    return this.options.path;
  }

  async start(): Promise<void> {
    const o = this.options;
    const vector = createVector({
      units: o.units,
      beforeRequest: o.beforeRequest,
      unknownUnit: undefined,
      timers: this.timers,
      onRequest: (unit) => this.requests.set(unit, (this.requests.get(unit) ?? 0) + 1),
    });
    const report = (err: unknown) => o.onError?.(err instanceof Error ? err : new Error(String(err)));
    await new Promise<void>((resolve, reject) => {
      const server = new ServerSerialClass(
        vector,
        {
          path: o.path,
          baudRate: o.baudRate,
          parity: o.parity,
          unitID: 255, // answer every unit id; the vector routes and stays silent for absent ones
          openCallback: (err: Error | null) => {
            if (err) {
              reject(new LinesideError('SERIAL_OPEN', `cannot open ${o.path}: ${err.message}`, { path: o.path }));
              return;
            }
            this.server = server;
            resolve();
          },
        },
        { dataBits: o.dataBits, stopBits: o.stopBits },
      );
      server.on('error', report);
      server.on('socketError', report);
      const port = (server as unknown as { getPort(): NodeJS.EventEmitter }).getPort();
      port.on('error', report);
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
