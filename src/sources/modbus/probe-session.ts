/**
 * What `lineside probe` does once its arguments are understood: read a planned set of tags once
 * through a fresh transport and turn the outcome into rows and plain-language errors.
 */
import type { RegisterArea } from '../../config/schema.js';
import { silentLogger } from '../../lib/logger.js';
import type { LinesideError } from '../../lib/errors.js';
import { formatWordsHex, type TagValue } from './codec.js';
import type { TransportEndpoint } from './endpoint.js';
import type { PlannedRead, PlannedTag } from './planner.js';
import { performRead } from './read-cycle.js';
import { ModbusTransport } from './transport.js';

export interface ProbeRow {
  readonly tag: PlannedTag;
  /** "0x42F6 0xE979" for registers, "1"/"0" for bits; empty when the read failed. */
  readonly raw: string;
  /** Decoded value, or undefined with `problem` set. */
  readonly value?: TagValue;
  readonly problem?: string;
}

export interface ProbeResult {
  readonly rows: readonly ProbeRow[];
  /** One per failed request (later requests are skipped after a connect failure). */
  readonly errors: readonly { readonly read: PlannedRead; readonly error: LinesideError }[];
}

export interface ProbeTarget {
  readonly endpoint: TransportEndpoint;
  readonly device: string;
  readonly unitId: number;
  readonly timeoutMs: number;
  readonly interRequestDelayMs?: number;
  /** Name tags in exception messages (config mode), or not (ad-hoc ranges). */
  readonly labelTags?: boolean;
}

/** Reads every planned request once. Never throws; failures are in `errors` and the rows. */
export async function probeReads(target: ProbeTarget, reads: readonly PlannedRead[]): Promise<ProbeResult> {
  const transport = new ModbusTransport(target.endpoint, {
    backoff: { initialMs: 250, maxMs: 1_000 },
    connectTimeoutMs: Math.max(1_000, target.timeoutMs),
    logger: silentLogger,
  });
  const rows: ProbeRow[] = [];
  const errors: { read: PlannedRead; error: LinesideError }[] = [];
  try {
    let linkDown: LinesideError | undefined;
    for (const read of reads) {
      if (linkDown !== undefined) {
        errors.push({ read, error: linkDown });
        rows.push(...read.tags.map((tag) => ({ tag, raw: '', problem: 'not read' })));
        continue;
      }
      const outcome = await performRead(
        {
          transport,
          target: { device: target.device, endpoint: transport.url, unitId: target.unitId },
          timeoutMs: target.timeoutMs,
          interRequestDelayMs: target.interRequestDelayMs ?? 0,
          busyRetryDelayMs: 100,
          labelTags: target.labelTags ?? true,
        },
        read,
      );
      if (!outcome.ok) {
        errors.push({ read, error: outcome.error });
        rows.push(...read.tags.map((tag) => ({ tag, raw: '', problem: outcome.error.code })));
        const code = outcome.error.code;
        if (code === 'MODBUS_CONNECT' || code === 'SERIAL_OPEN') linkDown = outcome.error;
        continue;
      }
      for (const { tag, result } of outcome.readings) {
        const index = tag.offset - read.start;
        const raw =
          outcome.reply.bits !== undefined
            ? outcome.reply.bits[index]
              ? '1'
              : '0'
            : formatWordsHex(outcome.reply.registers ?? [], index, tag.count);
        rows.push(result.ok ? { tag, raw, value: result.value } : { tag, raw, problem: result.message });
      }
    }
  } finally {
    await transport.close();
  }
  return { rows, errors };
}

/** What to check, in the words of someone standing at the cabinet. */
export function hintFor(error: LinesideError, area?: RegisterArea): string {
  switch (error.code) {
    case 'MODBUS_CONNECT':
      return 'is the device powered and on the network, and are host and port right (Modbus TCP uses 502)?';
    case 'SERIAL_OPEN':
      return 'does the port exist (ls -l /dev/serial/by-id/), is this user in the "dialout" group, and is no other program using it?';
    case 'MODBUS_TIMEOUT':
      return 'no answer: check the unit id (--unit), baud rate and parity, the RS-485 wiring (A/B swapped?), or allow more time (--timeout 2s)';
    case 'MODBUS_OFFLINE':
      return 'the gateway cannot reach that unit: check the unit id (--unit) and the serial side of the gateway';
    case 'MODBUS_DECODE':
      return 'the reply is not valid Modbus for this request: wrong protocol (tcp:// vs rtu+tcp://), or noise on the line';
    case 'MODBUS_CLOSED':
      return 'the device closed the connection: it may allow fewer connections than are open, or reject this unit id';
    case 'MODBUS_EXCEPTION':
      switch (Number(error.context.exceptionCode)) {
        case 1:
          return area === 'holding'
            ? 'the device does not support this function here: try --input instead of --holding'
            : area === 'input'
              ? 'the device does not support this function here: try --holding instead of --input'
              : 'the device does not support this function code';
        case 2:
          return 'the device has no such address: check the area and range against the manual (numbered from 1? add --base 1)';
        case 3:
          return 'the device refused the quantity: read fewer registers at a time';
        default:
          return 'the device reported a failure or is busy: try again';
      }
    default:
      return '';
  }
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatValue(value: TagValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
