/**
 * Values to Modbus registers, per type and byte/word order. A is the most significant byte of
 * the value's big-endian representation:
 *   32-bit  ABCD -> registers [AB, CD]   CDAB -> [CD, AB]   BADC -> [BA, DC]   DCBA -> [DC, BA]
 *   64-bit  ABCD = ABCDEFGH, CDAB = GHEFCDAB (word order reversed), BADC = BADCFEHG, DCBA = HGFEDCBA
 *   16-bit values and strings only see the byte swap (BADC/DCBA swap the two bytes of a register).
 * This is the same convention as the agent's decoder (src/sources/modbus/codec.ts) and the
 * library notes (readFloatBE = ABCD, swap16 + LE = CDAB, ...). Integers wrap to their width, so
 * a part counter bound to a uint16 register rolls over from 65535 to 0 like a real PLC counter.
 */
import type { RegisterTypeName } from './signals.js';

export type WordOrderName = 'ABCD' | 'DCBA' | 'BADC' | 'CDAB';

function canonicalBytes(type: RegisterTypeName, value: number | string | boolean, length: number): Uint8Array {
  const buf = new Uint8Array(type === 'string' ? length * 2 : type.endsWith('64') ? 8 : type.endsWith('32') ? 4 : 2);
  const view = new DataView(buf.buffer);
  const num = typeof value === 'number' ? value : typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
  const int = Number.isFinite(num) ? Math.round(num) : 0;
  switch (type) {
    case 'bool':
    case 'bit':
      view.setUint16(0, int !== 0 ? 1 : 0);
      break;
    case 'int16':
    case 'uint16':
      view.setUint16(0, ((int % 65536) + 65536) % 65536);
      break;
    case 'int32':
    case 'uint32':
      view.setUint32(0, ((int % 4294967296) + 4294967296) % 4294967296);
      break;
    case 'int64':
    case 'uint64':
      view.setBigUint64(0, BigInt.asUintN(64, BigInt(int)));
      break;
    case 'float32':
      view.setFloat32(0, num);
      break;
    case 'float64':
      view.setFloat64(0, num);
      break;
    case 'string': {
      // latin1, first character in the high byte of the first register, NUL padded.
      const text = String(value);
      for (let i = 0; i < buf.length && i < text.length; i++) buf[i] = text.charCodeAt(i) & 0xff;
      break;
    }
  }
  return buf;
}

/** The registers, in address order, holding `value` as `type` in `order`. */
export function encodeWords(
  type: RegisterTypeName,
  value: number | string | boolean,
  order: WordOrderName,
  length = 1,
): number[] {
  const bytes = canonicalBytes(type, value, length);
  const count = bytes.length / 2;
  // Strings keep character order in address order whatever the word order (as the decoder does).
  const reverseWords = type !== 'string' && (order === 'CDAB' || order === 'DCBA');
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const words: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const src = reverseWords ? count - 1 - i : i;
    const hi = bytes[2 * src] as number;
    const lo = bytes[2 * src + 1] as number;
    words[i] = swapBytes ? (lo << 8) | hi : (hi << 8) | lo;
  }
  return words;
}

/** Raw register value for a scaled engineering value: raw = (value - offset) / scale. */
export function toRaw(value: number, scale: number, offset: number): number {
  return scale === 1 && offset === 0 ? value : (value - offset) / scale;
}
