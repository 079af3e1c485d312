/**
 * `lineside probe --order`: the help must say what the codec does, and `--order all` must put
 * each order's value under its own column.
 */
import { describe, expect, it } from 'vitest';
import {
  formatOrdersTable,
  ORDER_NOTES,
  orderCellText,
  orderHelp,
  ORDERS,
  parseOrder,
  rowsByAddress,
} from '../../../src/cli/probe-orders.js';
import { canonicalBytes, decodeRegisters } from '../../../src/sources/modbus/codec.js';

describe('order help', () => {
  it.each(ORDER_NOTES.map((n) => [n.order, n] as const))(
    'the %s example decodes to 123.456 with that order in the codec',
    (order, note) => {
      expect(decodeRegisters(note.words, 0, { type: 'float32', order, scale: 1, offset: 0 })).toEqual({
        ok: true,
        value: 123.456,
      });
      // ...and only with that order: each example tells the four apart.
      for (const other of ORDERS.filter((o) => o !== order)) {
        expect(decodeRegisters(note.words, 0, { type: 'float32', order: other, scale: 1, offset: 0 })).not.toEqual({
          ok: true,
          value: 123.456,
        });
      }
    },
  );

  it('"high/low word first" and "bytes swapped" match the codec', () => {
    // Registers 0x0102 0x0304 in each order, as bytes most significant first.
    const bytes = (order: (typeof ORDERS)[number]) => [...canonicalBytes([0x0102, 0x0304], 0, 2, order)];
    expect(bytes('ABCD')).toEqual([1, 2, 3, 4]); // first register is the high word, bytes as sent
    expect(bytes('CDAB')).toEqual([3, 4, 1, 2]); // first register is the low word
    expect(bytes('BADC')).toEqual([2, 1, 4, 3]); // high word first, bytes swapped
    expect(bytes('DCBA')).toEqual([4, 3, 2, 1]); // little-endian
  });

  it('has one line per order plus "all", aligned', () => {
    const lines = orderHelp().trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    const columns = lines.slice(1, 6).map((l) => l.search(/\S/));
    expect(new Set(columns).size).toBe(1);
    expect(lines.slice(1, 6).map((l) => l.trim().split(' ')[0])).toEqual([...ORDERS, 'all']);
  });
});

describe('parseOrder', () => {
  it('takes the four orders and "all" in any case, nothing else', () => {
    expect(parseOrder('cdab')).toBe('CDAB');
    expect(parseOrder(' ABCD ')).toBe('ABCD');
    expect(parseOrder('All')).toBe('all');
    expect(parseOrder('ACBD')).toBeUndefined();
    expect(parseOrder('')).toBeUndefined();
  });
});

describe('formatOrdersTable', () => {
  it('one row per address, a column per order, aligned', () => {
    const text = formatOrdersTable([
      {
        address: '0',
        raw: '0x42F6 0xE979',
        cells: {
          ABCD: { value: 123.456 },
          CDAB: { value: -1.8833671e25 },
          BADC: { value: -9.8611155e32 },
          DCBA: { value: 1.5184998e35 },
        },
      },
      {
        address: '2',
        raw: '0x0000 0x0001',
        cells: { ABCD: { value: 1 }, CDAB: { value: 65536 }, BADC: { value: 256 }, DCBA: { value: 16777216 } },
      },
    ]);
    expect(text).toBe(
      [
        'address  raw            ABCD     CDAB            BADC            DCBA',
        '0        0x42F6 0xE979  123.456  -1.8833671e+25  -9.8611155e+32  1.5184998e+35',
        '2        0x0000 0x0001  1        65536           256             16777216',
        '',
      ].join('\n'),
    );
  });

  it('a NaN or infinite order shows as the bare word; other problems in parentheses', () => {
    expect(orderCellText({ problem: 'float32 is NaN (not a finite number)' })).toBe('NaN');
    expect(orderCellText({ problem: 'float64 is -Infinity (not a finite number)' })).toBe('-Infinity');
    expect(orderCellText({ problem: 'needs registers 0..1 of a 1-register reply' })).toBe(
      '(needs registers 0..1 of a 1-register reply)',
    );
    expect(orderCellText(undefined)).toBe('');
    // The wording above is the codec's own: check it still reads that way.
    const nan = decodeRegisters([0x7fc0, 0x0000], 0, { type: 'float32', order: 'ABCD', scale: 1, offset: 0 });
    expect(nan.ok ? '' : orderCellText({ problem: nan.message })).toBe('NaN');
  });
});

describe('rowsByAddress', () => {
  it('gathers the one-per-order rows of each address into one row, keeping address order', () => {
    const row = (offset: number, order: (typeof ORDERS)[number], value: number) => ({
      tag: {
        id: `p.a${offset}.${order}`,
        name: `a${offset}.${order}`,
        area: 'holding' as const,
        offset,
        count: 2,
        decode: { type: 'int32' as const, order, scale: 1, offset: 0 },
        deadband: 0,
        configuredAddress: `holding ${offset}`,
      },
      raw: offset === 0 ? '0x0000 0x0001' : '0x0001 0x0000',
      value,
    });
    const grouped = rowsByAddress(
      [row(0, 'ABCD', 1), row(0, 'CDAB', 65536), row(2, 'ABCD', 65536), row(2, 'CDAB', 1)],
      (o) => `4000${o + 1}`,
    );
    expect(grouped).toEqual([
      {
        address: '40001',
        raw: '0x0000 0x0001',
        cells: { ABCD: expect.objectContaining({ value: 1 }), CDAB: expect.objectContaining({ value: 65536 }) },
      },
      {
        address: '40003',
        raw: '0x0001 0x0000',
        cells: { ABCD: expect.objectContaining({ value: 65536 }), CDAB: expect.objectContaining({ value: 1 }) },
      },
    ]);
    // An order that was not read leaves its column empty.
    expect(formatOrdersTable(grouped).split('\n')[1]).toBe('40001    0x0000 0x0001  1      65536');
  });
});
