/**
 * Registers and bits to values: per type, byte/word order, scale and offset. Pure.
 *
 * Byte/word order names the position of each byte of the value, A being the most significant:
 * a float32 whose big-endian bytes are A B C D arrives as
 *   ABCD: registers AB CD (Modbus standard, big-endian)     CDAB: registers CD AB (word swap)
 *   BADC: registers BA DC (byte swap in each register)      DCBA: registers DC BA (little-endian)
 * 64-bit values extend the same idea over four registers: ABCD = ABCDEFGH, CDAB = GHEFCDAB,
 * BADC = BADCFEHG, DCBA = HGFEDCBA. 16-bit values and strings only see the byte swap
 * (BADC/DCBA swap the two bytes of each register; ABCD/CDAB keep them).
 */
import { registerCount } from '../../config/addresses.js';
import type { TagType, WordOrder } from '../../config/schema.js';

export type TagValue = number | boolean | string;

export interface DecodeSpec {
  readonly type: TagType;
  readonly order: WordOrder;
  /** Bit index 0..15 (0 = least significant) for type "bit". */
  readonly bit?: number;
  /** Registers for type "string". */
  readonly length?: number;
  /** value = raw * scale + offset (numbers only). */
  readonly scale: number;
  readonly offset: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly value: TagValue }
  | { readonly ok: false; readonly message: string };

/** Registers a register-area value of this type occupies (strings: its length). */
export function wordsFor(spec: Pick<DecodeSpec, 'type' | 'length'>): number {
  return registerCount(spec.type, spec.length) ?? 1;
}

/**
 * Writes the value's bytes, most significant first, from `count` registers starting at `start` as
 * they arrived on the wire in the given order, into `bytes`.
 */
export function canonicalBytes(
  words: ArrayLike<number>,
  start: number,
  count: number,
  order: WordOrder,
  bytes: Uint8Array = new Uint8Array(count * 2),
): Uint8Array {
  const reverseWords = order === 'CDAB' || order === 'DCBA';
  const swapBytes = order === 'BADC' || order === 'DCBA';
  for (let i = 0; i < count; i++) {
    const word = (words[start + (reverseWords ? count - 1 - i : i)] ?? 0) & 0xffff;
    const hi = word >> 8;
    const lo = word & 0xff;
    bytes[2 * i] = swapBytes ? lo : hi;
    bytes[2 * i + 1] = swapBytes ? hi : lo;
  }
  return bytes;
}

/**
 * Numbers are at most four registers: they are assembled here rather than in a new buffer per
 * value (10,000 tags a second would be 10,000 buffers and views for the garbage collector).
 * Safe to share: decoding is synchronous.
 */
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);

function scaled(raw: number, spec: DecodeSpec): number {
  if (spec.scale === 1 && spec.offset === 0) return raw;
  // toPrecision(15) removes binary noise such as 3 * 0.1 = 0.30000000000000004; a double holds
  // 15 significant decimal digits exactly, so nothing real is lost.
  return Number((raw * spec.scale + spec.offset).toPrecision(15));
}

/**
 * The shortest decimal that is the same float32: 0x42F6E979 is 123.456, not the double
 * 123.45600128173828 it widens to. Lossless: the result rounds back to the identical float32.
 */
function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function decodeString(bytes: Uint8Array): string {
  // latin1 maps every byte to one character, so a PLC's odd byte never becomes U+FFFD noise.
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  return text.trimEnd();
}

/** Decodes one tag from registers `words[start .. start + wordsFor(spec) - 1]`. */
export function decodeRegisters(words: ArrayLike<number>, start: number, spec: DecodeSpec): DecodeResult {
  const count = wordsFor(spec);
  if (start < 0 || start + count > words.length) {
    return { ok: false, message: `needs registers ${start}..${start + count - 1} of a ${words.length}-register reply` };
  }
  // Strings never reverse words: characters are stored in address order by every PLC we know.
  const order =
    spec.type === 'string' ? (spec.order === 'BADC' || spec.order === 'DCBA' ? 'BADC' : 'ABCD') : spec.order;
  if (spec.type === 'string') return { ok: true, value: decodeString(canonicalBytes(words, start, count, order)) };
  canonicalBytes(words, start, count, order, scratchBytes);
  let raw: number;
  switch (spec.type) {
    case 'bool':
      return { ok: true, value: scratch.getUint16(0) !== 0 };
    case 'bit':
      return { ok: true, value: ((scratch.getUint16(0) >> (spec.bit ?? 0)) & 1) === 1 };
    case 'int16':
      raw = scratch.getInt16(0);
      break;
    case 'uint16':
      raw = scratch.getUint16(0);
      break;
    case 'int32':
      raw = scratch.getInt32(0);
      break;
    case 'uint32':
      raw = scratch.getUint32(0);
      break;
    case 'float32':
      raw = shortestFloat32(scratch.getFloat32(0));
      break;
    case 'int64':
      // Precision note: beyond +-2^53 the nearest double is reported (documented in docs/modbus.md).
      raw = Number(scratch.getBigInt64(0));
      break;
    case 'uint64':
      raw = Number(scratch.getBigUint64(0));
      break;
    case 'float64':
      raw = scratch.getFloat64(0);
      break;
  }
  if (!Number.isFinite(raw)) {
    // NaN and Infinity cannot travel in JSON or InfluxDB; a PLC sends them for "no reading".
    return { ok: false, message: `${spec.type} is ${raw} (not a finite number)` };
  }
  return { ok: true, value: scaled(raw, spec) };
}

/** Decodes a coil or discrete input. */
export function decodeBit(bits: ArrayLike<boolean>, index: number): DecodeResult {
  const bit = bits[index];
  if (bit === undefined) return { ok: false, message: `needs bit ${index} of a ${bits.length}-bit reply` };
  return { ok: true, value: bit };
}

/** "0x42F6 0xE979" — raw registers as the probe shows them. */
export function formatWordsHex(words: ArrayLike<number>, start = 0, count = words.length - start): string {
  const parts: string[] = [];
  for (let i = start; i < start + count; i++) {
    parts.push(`0x${((words[i] ?? 0) & 0xffff).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return parts.join(' ');
}
