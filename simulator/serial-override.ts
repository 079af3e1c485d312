/**
 * `--serial PLC=PATH[?baud=19200&parity=even&databits=8&stopbits=1]`: serve that PLC over Modbus
 * RTU on a serial device instead of TCP, with the same unit id and register map. The query uses
 * the same keys as `lineside probe "rtu:///dev/ttyUSB0?baud=19200"`, so one line setting reads the
 * same on both ends. A query instead of "PATH:BAUD" because real device paths contain colons
 * (/dev/serial/by-path/pci-0000:00:14.0-usb-0:1:1.0-port0).
 * Pure: strings and a scenario in, a new scenario or a message out.
 */
import { resolve } from 'node:path';
import { didYouMean } from '../src/config/suggest.js';
import type { PlcSpec, Scenario } from './scenario-schema.js';

type Parity = 'none' | 'even' | 'odd';

export interface SerialOverride {
  readonly plc: string;
  /** Absolute: relative paths are resolved against the working directory. */
  readonly path: string;
  readonly baudRate?: number;
  readonly parity?: Parity;
  readonly dataBits?: 7 | 8;
  readonly stopBits?: 1 | 2;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const FORM = 'PLC=PATH[?baud=19200&parity=even&databits=8&stopbits=1]';

export function parseSerialArg(text: string, cwd = process.cwd()): Parsed<SerialOverride> {
  const eq = text.indexOf('=');
  const plc = eq > 0 ? text.slice(0, eq).trim() : '';
  const rest = eq > 0 ? text.slice(eq + 1) : '';
  const q = rest.indexOf('?');
  const path = (q >= 0 ? rest.slice(0, q) : rest).trim();
  if (plc === '' || path === '') return { ok: false, message: `--serial takes ${FORM}, got "${text}"` };
  const out: { -readonly [K in keyof SerialOverride]: SerialOverride[K] } = { plc, path: resolve(cwd, path) };
  for (const [key, value] of new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '')) {
    const bad = (expected: string) => ({
      ok: false as const,
      message: `--serial ${plc}: ${key} "${value}": use ${expected}`,
    });
    switch (key.toLowerCase()) {
      case 'baud':
      case 'baudrate': {
        const baud = Number(value);
        if (!/^\d+$/.test(value) || baud <= 0 || baud > 4_000_000) return bad('a baud rate such as 9600 or 19200');
        out.baudRate = baud;
        break;
      }
      case 'parity':
        if (value !== 'none' && value !== 'even' && value !== 'odd') return bad('none, even or odd');
        out.parity = value;
        break;
      case 'databits':
        if (value !== '7' && value !== '8') return bad('7 or 8');
        out.dataBits = value === '7' ? 7 : 8;
        break;
      case 'stopbits':
        if (value !== '1' && value !== '2') return bad('1 or 2');
        out.stopBits = value === '2' ? 2 : 1;
        break;
      default:
        return {
          ok: false,
          message: `--serial ${plc}: unknown option "${key}"; use baud, parity, databits, stopbits (${FORM})`,
        };
    }
  }
  return { ok: true, value: out };
}

/** The scenario with each named PLC moved to RTU on its serial device (other PLCs unchanged). */
export function serveOverSerial(scenario: Scenario, overrides: readonly SerialOverride[]): Parsed<Scenario> {
  const ids = scenario.plcs.map((p) => p.id);
  const byPlc = new Map<string, SerialOverride>();
  for (const o of overrides) {
    if (!ids.includes(o.plc)) {
      return {
        ok: false,
        message: `--serial: scenario "${scenario.name}" has no PLC "${o.plc}"${didYouMean(o.plc, ids)} (PLCs: ${ids.join(', ') || 'none'})`,
      };
    }
    if (byPlc.has(o.plc)) return { ok: false, message: `--serial: ${o.plc} is given twice` };
    byPlc.set(o.plc, o);
  }
  const plcs = scenario.plcs.map((plc): PlcSpec => {
    const o = byPlc.get(plc.id);
    if (o === undefined) return plc;
    const was = plc.serial;
    return {
      ...plc,
      transport: 'rtu',
      serial: {
        path: o.path,
        baudRate: o.baudRate ?? was?.baudRate ?? 9600,
        parity: o.parity ?? was?.parity ?? 'none',
        dataBits: o.dataBits ?? was?.dataBits ?? 8,
        stopBits: o.stopBits ?? was?.stopBits ?? 1,
      },
    };
  });
  const problem = busConflict(plcs);
  return problem !== undefined
    ? { ok: false, message: `--serial: ${problem}` }
    : { ok: true, value: { ...scenario, plcs } };
}

/** One serial device is one bus: one line setting, and each unit id answered by one PLC only. */
function busConflict(plcs: readonly PlcSpec[]): string | undefined {
  const buses = new Map<string, PlcSpec>();
  const units = new Map<string, string>();
  for (const plc of plcs) {
    if (plc.transport !== 'rtu' || plc.serial === undefined) continue;
    const s = plc.serial;
    const first = buses.get(s.path);
    if (first?.serial !== undefined) {
      const f = first.serial;
      if (
        f.baudRate !== s.baudRate ||
        f.parity !== s.parity ||
        f.dataBits !== s.dataBits ||
        f.stopBits !== s.stopBits
      ) {
        return `${first.id} and ${plc.id} share ${s.path} with different line settings (${lineSetting(f)} vs ${lineSetting(s)}); give both the same`;
      }
    } else buses.set(s.path, plc);
    const key = `${s.path}#${plc.unitId}`;
    const other = units.get(key);
    if (other !== undefined)
      return `${other} and ${plc.id} would both answer unit ${plc.unitId} on ${s.path}; give them separate serial devices`;
    units.set(key, plc.id);
  }
  return undefined;
}

/** "19200 8E1", as serial settings are written on nameplates. */
export function lineSetting(s: { baudRate: number; parity: Parity; dataBits: number; stopBits: number }): string {
  return `${s.baudRate} ${s.dataBits}${s.parity[0]?.toUpperCase()}${s.stopBits}`;
}
