/**
 * The codec turns what a PLC sends into the value the plant engineer configured. Every vector
 * here is written out by hand from IEEE 754 and two's complement (never produced by our own
 * encoder), so a bug shared by an encoder and this decoder cannot pass.
 */
import { describe, expect, it } from 'vitest';
import type { TagType, WordOrder } from '../../../src/config/schema.js';
import {
  canonicalBytes,
  decodeBit,
  decodeRegisters,
  formatWordsHex,
  type DecodeSpec,
} from '../../../src/sources/modbus/codec.js';

function spec(type: TagType, order: WordOrder = 'ABCD', extra: Partial<DecodeSpec> = {}): DecodeSpec {
  return { type, order, scale: 1, offset: 0, ...extra };
}

function value(words: number[], s: DecodeSpec, start = 0): unknown {
  const result = decodeRegisters(words, start, s);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe('multi-register values decode in all four byte/word orders', () => {
  // float32 123.456 = 0x42F6E979 (sign 0, exponent 133, mantissa 0x76E979).
  const float32: [WordOrder, number[]][] = [
    ['ABCD', [0x42f6, 0xe979]],
    ['CDAB', [0xe979, 0x42f6]],
    ['BADC', [0xf642, 0x79e9]],
    ['DCBA', [0x79e9, 0xf642]],
  ];
  it.each(float32)('float32 123.456 in %s', (order, words) => {
    // Reported as the shortest decimal of the float32, as the PLC's own display shows it.
    expect(value(words, spec('float32', order))).toBe(123.456);
  });

  // -123456789 = 0xF8A432EB (123456789 = 0x075BCD15, inverted plus one).
  const int32: [WordOrder, number[]][] = [
    ['ABCD', [0xf8a4, 0x32eb]],
    ['CDAB', [0x32eb, 0xf8a4]],
    ['BADC', [0xa4f8, 0xeb32]],
    ['DCBA', [0xeb32, 0xa4f8]],
  ];
  it.each(int32)('int32 -123456789 in %s', (order, words) => {
    expect(value(words, spec('int32', order))).toBe(-123456789);
  });

  // float64 123.456 = 0x405EDD2F1A9FBE77.
  const float64: [WordOrder, number[]][] = [
    ['ABCD', [0x405e, 0xdd2f, 0x1a9f, 0xbe77]],
    ['CDAB', [0xbe77, 0x1a9f, 0xdd2f, 0x405e]],
    ['BADC', [0x5e40, 0x2fdd, 0x9f1a, 0x77be]],
    ['DCBA', [0x77be, 0x9f1a, 0x2fdd, 0x5e40]],
  ];
  it.each(float64)('float64 123.456 in %s', (order, words) => {
    expect(value(words, spec('float64', order))).toBe(123.456);
  });

  // int64 1234567890123 = 0x0000011F71FB04CB.
  const int64: [WordOrder, number[]][] = [
    ['ABCD', [0x0000, 0x011f, 0x71fb, 0x04cb]],
    ['CDAB', [0x04cb, 0x71fb, 0x011f, 0x0000]],
    ['BADC', [0x0000, 0x1f01, 0xfb71, 0xcb04]],
    ['DCBA', [0xcb04, 0xfb71, 0x1f01, 0x0000]],
  ];
  it.each(int64)('int64 1234567890123 in %s', (order, words) => {
    expect(value(words, spec('int64', order))).toBe(1234567890123);
  });
});

describe('integer types', () => {
  it('uint32 above 2^31 stays positive (4000000000 = 0xEE6B2800)', () => {
    expect(value([0xee6b, 0x2800], spec('uint32'))).toBe(4_000_000_000);
  });
  it('int16 and uint16 read the same register differently (0xCFC7)', () => {
    expect(value([0xcfc7], spec('int16'))).toBe(-12345);
    expect(value([0xcfc7], spec('uint16'))).toBe(53191);
  });
  it('16-bit values see only the byte swap of the order', () => {
    expect(value([0xc7cf], spec('int16', 'BADC'))).toBe(-12345);
    expect(value([0xc7cf], spec('int16', 'DCBA'))).toBe(-12345);
    expect(value([0xcfc7], spec('int16', 'CDAB'))).toBe(-12345);
  });
  it('int64 -1234567890123 = 0xFFFFFEE08E04FB35', () => {
    expect(value([0xffff, 0xfee0, 0x8e04, 0xfb35], spec('int64'))).toBe(-1234567890123);
  });
  it('uint64 2^53 = 0x0020000000000000', () => {
    expect(value([0x0020, 0, 0, 0], spec('uint64'))).toBe(2 ** 53);
  });
  it('uint64 with the top bit set stays positive (0x8000000000000000 = 2^63)', () => {
    expect(value([0x8000, 0, 0, 0], spec('uint64'))).toBe(2 ** 63);
    expect(value([0x8000, 0, 0, 0], spec('int64'))).toBe(-(2 ** 63));
  });
  it('float32 -1.5 = 0xBFC00000', () => {
    expect(value([0xbfc0, 0x0000], spec('float32'))).toBe(-1.5);
  });
  it('float32 keeps every bit: 0x3F800001 (1 + 2^-23) is not rounded to 1', () => {
    expect(value([0x3f80, 0x0001], spec('float32'))).toBe(1.0000001);
    expect(Math.fround(1.0000001)).toBe(1 + 2 ** -23);
  });
});

describe('bits, strings, scale and offset', () => {
  it('bit-in-register counts from the least significant bit (0x0104: bits 2 and 8 set)', () => {
    expect(value([0x0104], spec('bit', 'ABCD', { bit: 2 }))).toBe(true);
    expect(value([0x0104], spec('bit', 'ABCD', { bit: 8 }))).toBe(true);
    expect(value([0x0104], spec('bit', 'ABCD', { bit: 1 }))).toBe(false);
    expect(value([0x0104], spec('bit', 'ABCD', { bit: 15 }))).toBe(false);
  });
  it('bool from a register is true for any non-zero value', () => {
    expect(value([0x0000], spec('bool'))).toBe(false);
    expect(value([0x8000], spec('bool'))).toBe(true);
  });
  it('string "LS-SIM-1" = 0x4C53 0x2D53 0x494D 0x2D31, NUL padding cut', () => {
    expect(value([0x4c53, 0x2d53, 0x494d, 0x2d31, 0x0000], spec('string', 'ABCD', { length: 5 }))).toBe('LS-SIM-1');
    expect(value([0x4c53, 0x2d53, 0x494d, 0x2d31, 0x2020], spec('string', 'CDAB', { length: 5 }))).toBe('LS-SIM-1');
  });
  it('string with swapped bytes (BADC/DCBA) = 0x534C 0x532D 0x4D49 0x312D', () => {
    expect(value([0x534c, 0x532d, 0x4d49, 0x312d], spec('string', 'BADC', { length: 4 }))).toBe('LS-SIM-1');
    expect(value([0x534c, 0x532d, 0x4d49, 0x312d], spec('string', 'DCBA', { length: 4 }))).toBe('LS-SIM-1');
  });
  it('scale and offset: raw * scale + offset, without binary noise', () => {
    expect(value([1234], spec('uint16', 'ABCD', { scale: 0.1 }))).toBe(123.4);
    expect(value([3], spec('uint16', 'ABCD', { scale: 0.1 }))).toBe(0.3);
    expect(value([0xffce], spec('int16', 'ABCD', { scale: 0.5, offset: 10 }))).toBe(-15);
  });
  it('scale does not apply to booleans and strings', () => {
    expect(value([1], spec('bool', 'ABCD', { scale: 10, offset: 3 }))).toBe(true);
  });
  it('decodes at an offset inside a longer reply', () => {
    expect(value([0xdead, 0x42f6, 0xe979, 0xbeef], spec('float32'), 1)).toBeCloseTo(123.456, 4);
  });
});

describe('values that cannot be published are refused with a reason', () => {
  it('float32 NaN (0x7FC00000) and +Infinity (0x7F800000)', () => {
    const nan = decodeRegisters([0x7fc0, 0x0000], 0, spec('float32'));
    expect(nan.ok).toBe(false);
    expect(nan.ok ? '' : nan.message).toMatch(/NaN/);
    expect(decodeRegisters([0x7f80, 0x0000], 0, spec('float32')).ok).toBe(false);
  });
  it('a reply too short for the tag', () => {
    const r = decodeRegisters([0x42f6], 0, spec('float32'));
    expect(r.ok).toBe(false);
  });
  it('a missing bit', () => {
    expect(decodeBit([true, false], 2).ok).toBe(false);
    expect(decodeBit([true, false], 1)).toEqual({ ok: true, value: false });
  });
});

describe('helpers', () => {
  it('canonicalBytes puts the most significant byte first', () => {
    expect([...canonicalBytes([0x79e9, 0xf642], 0, 2, 'DCBA')]).toEqual([0x42, 0xf6, 0xe9, 0x79]);
  });
  it('formatWordsHex shows raw registers as the probe prints them', () => {
    expect(formatWordsHex([0x42f6, 0xe979, 0x0001])).toBe('0x42F6 0xE979 0x0001');
    expect(formatWordsHex([0x42f6, 0xe979, 0x0001], 1, 1)).toBe('0xE979');
  });
});
