/**
 * A block of fixed values of every type in all four word orders, for protocol tests and for a
 * plant engineer checking a Modbus master's decoding settings. The layout (offsets from the
 * block's address) is fixed and documented in simulator/README.md; never reorder it.
 */
import type { WordOrderName } from './encode.js';
import type { RegisterTypeName } from './signals.js';

export interface FixedEntry {
  readonly label: string;
  readonly area: 'holding' | 'input';
  readonly address: number;
  readonly type: RegisterTypeName;
  readonly order: WordOrderName;
  readonly length?: number;
  readonly value: number | string;
}

const ORDERS: readonly WordOrderName[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** [offset, type, value, orders, length] rows of the block. */
const LAYOUT: readonly (readonly [number, RegisterTypeName, number | string, readonly WordOrderName[], number?])[] = [
  [0, 'uint16', 0xbeef, ['ABCD']],
  [1, 'int16', -1234, ['ABCD']],
  [2, 'uint16', 0xbeef, ['BADC']],
  [4, 'uint32', 0x12345678, ORDERS],
  [12, 'int32', -123456789, ORDERS],
  [20, 'float32', 123.456, ORDERS],
  [28, 'float64', 123.456, ORDERS],
  [44, 'uint64', 0x0001020304050607, ORDERS],
  [60, 'int64', -2, ORDERS],
  [76, 'string', 'LS-SIM-1', ['ABCD'], 4],
  [80, 'string', 'LS-SIM-1', ['BADC'], 4],
  [84, 'uint32', 4294967295, ['ABCD']],
  [86, 'float32', -0.5, ['ABCD']],
];

/** Registers the block occupies. */
export const TEST_BLOCK_SIZE = 88;

export function testBlockEntries(area: 'holding' | 'input', base: number): FixedEntry[] {
  const out: FixedEntry[] = [];
  for (const [offset, type, value, orders, length] of LAYOUT) {
    const words = type === 'string' ? (length as number) : type.endsWith('64') ? 4 : type.endsWith('32') ? 2 : 1;
    orders.forEach((order, i) => {
      out.push({
        label: `${type} ${String(value)} ${order} at +${offset + i * words}`,
        area,
        address: base + offset + i * words,
        type,
        order,
        value,
        ...(length !== undefined ? { length } : {}),
      });
    });
  }
  return out;
}
