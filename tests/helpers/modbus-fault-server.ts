/**
 * A Modbus server written on a raw `net` server so a test controls every byte: it answers reads
 * (FC1-FC4) from a register bank, and on request closes the socket mid-request, answers late,
 * answers with an exception, sends garbage, or never answers. It can vanish and come back on the
 * same port (a PLC restart). Speaks Modbus TCP framing, or raw RTU frames over TCP (what a
 * serial gateway in transparent mode does).
 *
 * Independent of src/: its framing and CRC are its own, so a shared bug cannot hide.
 */
import net from 'node:net';

export type Area = 'coil' | 'discrete' | 'holding' | 'input';

export interface RequestInfo {
  /** 1-based number of the connection the request came on. */
  readonly connection: number;
  readonly transactionId: number;
  readonly unitId: number;
  readonly functionCode: number;
  readonly area: Area | undefined;
  readonly start: number;
  readonly count: number;
}

export type FaultAction =
  | { readonly kind: 'answer' }
  | { readonly kind: 'exception'; readonly code: number }
  /** Answer only after this long, with the values as they were when the request came. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Read the request, never answer. */
  | { readonly kind: 'silent' }
  /** Close the connection (FIN) instead of answering. */
  | { readonly kind: 'close' }
  /** Reset the connection (RST) instead of answering. */
  | { readonly kind: 'reset' }
  /** Send these bytes instead of an answer. */
  | { readonly kind: 'garbage'; readonly bytes: Buffer };

export interface FaultServerOptions {
  readonly port?: number;
  readonly framing?: 'tcp' | 'rtu';
  /** Exception 2 for any address that was never set (like a PLC with a sparse map). */
  readonly strictAddresses?: boolean;
}

export interface FaultServer {
  readonly host: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RequestInfo[];
  /** Connections accepted so far. */
  readonly connections: number;
  /** Most requests ever waiting for their answer on one connection at once. */
  readonly maxInFlight: number;
  setRegisters(area: 'holding' | 'input', start: number, words: readonly number[], unitId?: number): void;
  setBits(area: 'coil' | 'discrete', start: number, bits: readonly boolean[], unitId?: number): void;
  /** Decides what to do with each request; undefined means answer normally. */
  behave(decide: (request: RequestInfo) => FaultAction | undefined): void;
  /** Closes the listener and every connection (PLC switched off). */
  goAway(): Promise<void>;
  /** Listens again on the same port (PLC back). */
  comeBack(): Promise<void>;
  stop(): Promise<void>;
}

const AREA_OF: Record<number, Area> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };

/** Modbus CRC-16 (poly 0xA001 reflected, init 0xFFFF), low byte first on the wire. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(pdu: Buffer): Buffer {
  const out = Buffer.alloc(pdu.length + 2);
  pdu.copy(out);
  out.writeUInt16LE(crc16(pdu), pdu.length);
  return out;
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const framing = options.framing ?? 'tcp';
  const bank = new Map<string, number | boolean>();
  const key = (unit: number, area: Area, address: number) => `${unit}:${area}:${address}`;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RequestInfo[] = [];
  let decide: (request: RequestInfo) => FaultAction | undefined = () => undefined;
  let connections = 0;
  let maxInFlight = 0;
  let server: net.Server | undefined;
  let port = options.port ?? 0;

  function readValues(unit: number, area: Area, start: number, count: number): (number | boolean)[] | undefined {
    const out: (number | boolean)[] = [];
    for (let a = start; a < start + count; a++) {
      const v = bank.get(key(unit, area, a));
      if (v === undefined && options.strictAddresses) return undefined;
      out.push(v ?? (area === 'coil' || area === 'discrete' ? false : 0));
    }
    return out;
  }

  /** PDU of the normal answer (function code onwards), or an exception PDU. */
  function answerPdu(req: RequestInfo): Buffer {
    if (req.area === undefined) return Buffer.from([req.functionCode | 0x80, 1]);
    const values = readValues(req.unitId, req.area, req.start, req.count);
    if (values === undefined) return Buffer.from([req.functionCode | 0x80, 2]);
    if (req.area === 'coil' || req.area === 'discrete') {
      const data = Buffer.alloc(Math.ceil(req.count / 8));
      values.forEach((v, i) => {
        if (v) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
      });
      return Buffer.concat([Buffer.from([req.functionCode, data.length]), data]);
    }
    const data = Buffer.alloc(req.count * 2);
    values.forEach((v, i) => data.writeUInt16BE(Number(v) & 0xffff, i * 2));
    return Buffer.concat([Buffer.from([req.functionCode, data.length]), data]);
  }

  function frame(req: RequestInfo, pdu: Buffer): Buffer {
    if (framing === 'rtu') return withCrc(Buffer.concat([Buffer.from([req.unitId]), pdu]));
    const header = Buffer.alloc(7);
    header.writeUInt16BE(req.transactionId, 0);
    header.writeUInt16BE(0, 2);
    header.writeUInt16BE(pdu.length + 1, 4);
    header.writeUInt8(req.unitId, 6);
    return Buffer.concat([header, pdu]);
  }

  function respond(socket: net.Socket, req: RequestInfo, done: () => void): void {
    const action = decide(req) ?? { kind: 'answer' };
    const send = (bytes: Buffer) => {
      done();
      if (!socket.destroyed && socket.writable) socket.write(bytes);
    };
    switch (action.kind) {
      case 'answer':
        send(frame(req, answerPdu(req)));
        return;
      case 'exception':
        send(frame(req, Buffer.from([req.functionCode | 0x80, action.code])));
        return;
      case 'delay': {
        const late = frame(req, answerPdu(req));
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(late);
        }, action.ms);
        timers.add(timer);
        return;
      }
      case 'silent':
        return;
      case 'close':
        socket.end();
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'garbage':
        send(action.bytes);
        return;
    }
  }

  /** Takes complete requests off the front of the buffer; returns what is left. */
  function parse(buffer: Buffer, connection: number, onRequest: (req: RequestInfo) => void): Buffer {
    let rest: Buffer = buffer;
    for (;;) {
      if (framing === 'tcp') {
        if (rest.length < 8) return rest;
        const length = rest.readUInt16BE(4);
        if (rest.length < 6 + length) return rest;
        const unitId = rest.readUInt8(6);
        const pdu = rest.subarray(7, 6 + length);
        onRequest(describe(connection, rest.readUInt16BE(0), unitId, pdu));
        rest = rest.subarray(6 + length);
      } else {
        if (rest.length < 8) return rest;
        const candidate = rest.subarray(0, 8);
        if (crc16(candidate.subarray(0, 6)) !== candidate.readUInt16LE(6)) {
          rest = rest.subarray(1); // resynchronise on line noise
          continue;
        }
        onRequest(describe(connection, 0, candidate.readUInt8(0), candidate.subarray(1, 6)));
        rest = rest.subarray(8);
      }
    }
  }

  function describe(connection: number, transactionId: number, unitId: number, pdu: Buffer): RequestInfo {
    const functionCode = pdu.readUInt8(0);
    return {
      connection,
      transactionId,
      unitId,
      functionCode,
      area: AREA_OF[functionCode],
      start: pdu.length >= 3 ? pdu.readUInt16BE(1) : 0,
      count: pdu.length >= 5 ? pdu.readUInt16BE(3) : 0,
    };
  }

  function onConnection(socket: net.Socket): void {
    connections++;
    const connection = connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the client resetting us is part of the tests
    let buffer: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    socket.on('data', (chunk: Buffer) => {
      buffer = parse(Buffer.concat([buffer, chunk]), connection, (req) => {
        requests.push(req);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        let answered = false;
        respond(socket, req, () => {
          if (!answered) inFlight--;
          answered = true;
        });
      });
    });
  }

  async function listen(): Promise<void> {
    const s = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', () => undefined);
    const address = s.address();
    if (typeof address === 'object' && address !== null) port = address.port;
    server = s;
  }

  async function goAway(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await listen();
  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    requests,
    get connections() {
      return connections;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    setRegisters(area, start, words, unitId = 1) {
      words.forEach((w, i) => bank.set(key(unitId, area, start + i), w & 0xffff));
    },
    setBits(area, start, bits, unitId = 1) {
      bits.forEach((b, i) => bank.set(key(unitId, area, start + i), b));
    },
    behave(fn) {
      decide = fn;
    },
    goAway,
    comeBack: listen,
    stop: goAway,
  };
}
