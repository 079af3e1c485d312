/**
 * `lineside probe`'s arguments for an ad-hoc read: which registers (--holding ... or Modicon
 * --addr), unit, type, order, length and timeout, checked into what to read. Mistakes throw a
 * UsageError, which probe.ts prints with the usage.
 */
import { parseDurationMs } from '../config/duration.js';
import { TagType as TagTypeSchema } from '../config/schema-devices.js';
import type { RegisterArea, TagType, WordOrder } from '../config/schema.js';
import { wordsFor } from '../sources/modbus/codec.js';
import { MULTI_WORD_TYPES, ORDERS, parseOrder, type OrderChoice } from './probe-orders.js';

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Every tag type but `bit` (a bit of a register is --bits here): the config's list, not a copy. */
const TYPES: readonly TagType[] = TagTypeSchema.options.filter((t) => t !== 'bit');
const MODICON_AREA: Record<string, RegisterArea> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

export function parseTimeout(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout "${text}": use a duration such as 500ms or 2s`);
  return ms;
}

export interface AdHocOptions {
  readonly unit?: string;
  readonly holding?: string;
  readonly input?: string;
  readonly coils?: string;
  readonly discrete?: string;
  readonly addr?: string;
  readonly type?: string;
  readonly order?: string;
  readonly length?: string;
  readonly base?: string;
}

/** Area, first and last protocol address, and how to show addresses back to the user. */
function parseSelection(o: AdHocOptions): {
  area: RegisterArea;
  first: number;
  last: number;
  shown: (offset: number) => string;
} {
  const given = (['holding', 'input', 'coils', 'discrete', 'addr'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'say what to read: --holding, --input, --coils, --discrete or --addr'
        : `one of --${given.join(', --')} at a time`,
    );
  }
  const key = given[0] as (typeof given)[number];
  const text = o[key] as string;
  const match = /^(\d+)(?:\s*(?:-|\.\.)\s*(\d+))?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--${key} "${text}": give a range such as 0-20 or one address`);
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  if (to < from) throw new UsageError(`--${key} "${text}": the range runs backwards`);
  if (key === 'addr') {
    const a = match[1] as string;
    const b = match[2] ?? a;
    const digit = a[0] as string;
    const area = MODICON_AREA[digit];
    if (area === undefined || a.length < 5 || a.length > 6 || b.length !== a.length || b[0] !== digit) {
      throw new UsageError(
        `--addr "${text}": Modicon addresses look like 40001 (holding), 30001 (input), 00001 (coil), 10001 (discrete), both ends in one area`,
      );
    }
    const first = Number(a.slice(1)) - 1;
    const last = Number(b.slice(1)) - 1;
    if (first < 0)
      throw new UsageError(`--addr "${text}": Modicon addresses start at ${digit}${'0'.repeat(a.length - 2)}1`);
    return { area, first, last, shown: (offset) => `${digit}${String(offset + 1).padStart(a.length - 1, '0')}` };
  }
  const base = o.base === undefined ? 0 : Number(o.base);
  if (base !== 0 && base !== 1) throw new UsageError(`--base "${o.base}": use 0 or 1`);
  if (from - base < 0) throw new UsageError(`--${key} "${text}": with --base 1 the first register is 1`);
  const area: RegisterArea = key === 'coils' ? 'coil' : key;
  return { area, first: from - base, last: to - base, shown: (offset) => String(offset + base) };
}

/** An ad-hoc read, checked: what to read and how to decode and show it. */
export interface AdHocRead {
  readonly unitId: number;
  readonly area: RegisterArea;
  readonly first: number;
  readonly last: number;
  readonly shown: (offset: number) => string;
  /** Coils and discrete inputs: single bits. */
  readonly bits: boolean;
  readonly type: TagType;
  readonly choice: OrderChoice;
  /** The orders to decode in: all four for `--order all`, else the one chosen. */
  readonly orders: readonly WordOrder[];
  readonly length: number | undefined;
  /** Registers (or bits) per value. */
  readonly size: number;
}

/** Checks the ad-hoc options in the order their mistakes are reported. */
export function parseAdHocRead(o: AdHocOptions): AdHocRead {
  const unitId = o.unit === undefined ? 1 : Number(o.unit);
  if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new UsageError(`--unit "${o.unit}": use 0..255`);
  const { area, first, last, shown } = parseSelection(o);
  const bits = area === 'coil' || area === 'discrete';
  const type = (o.type ?? (bits ? 'bool' : 'uint16')) as TagType;
  if (!TYPES.includes(type)) throw new UsageError(`--type "${o.type}": use one of ${TYPES.join(', ')}`);
  if (bits && type !== 'bool') throw new UsageError(`${area}s hold single bits: drop --type or use --type bool`);
  const choice = parseOrder(o.order ?? 'ABCD');
  if (choice === undefined) throw new UsageError(`--order "${o.order}": use ${ORDERS.join(', ')} or all`);
  if (choice === 'all' && !MULTI_WORD_TYPES.includes(type)) {
    // A 16-bit register has no word order to compare (BADC/DCBA only swap its bytes), and bits none.
    const what = bits
      ? `${area}s are single bits`
      : `${type} is ${type === 'string' ? 'text' : 'one register'}; add --type float32, int32, ...`;
    throw new UsageError(
      `--order all: byte/word orders apply to 32/64-bit types (${MULTI_WORD_TYPES.join(', ')}): ${what}`,
    );
  }
  // With "all" every address is planned once per order; they overlap, so the planner reads each
  // register once and the codec decodes the same words four ways.
  const orders: readonly WordOrder[] = choice === 'all' ? ORDERS : [choice];
  const length = o.length !== undefined ? Number(o.length) : type === 'string' ? last - first + 1 : undefined;
  if (length !== undefined && (!Number.isInteger(length) || length < 1 || length > 125))
    throw new UsageError(`--length "${o.length}": use 1..125 registers`);
  const size = bits ? 1 : wordsFor({ type, ...(length !== undefined ? { length } : {}) });
  return { unitId, area, first, last, shown, bits, type, choice, orders, length, size };
}
