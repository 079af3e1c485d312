/**
 * `lineside probe --order`: what the four byte/word orders mean, and `--order all`, which shows
 * each 32/64-bit value decoded in every order side by side. In the field the quickest way to find
 * a PLC's word order is to read a value you know (a setpoint, 123.456 typed into the HMI) and
 * pick the column that shows it. Pure: decoding stays in the codec, this only lays out results.
 */
import type { TagType, WordOrder } from '../config/schema.js';
import type { TagValue } from '../sources/modbus/codec.js';
import { formatTable, formatValue, type ProbeRow } from '../sources/modbus/probe-session.js';

/** Help text and table columns use this order: the default first, then the most common swap. */
export const ORDERS: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

export type OrderChoice = WordOrder | 'all';

/**
 * One help line per order, with the registers float32 123.456 (bytes 42 F6 E9 79) arrives as.
 * The examples are checked against the codec by tests/unit/cli/probe-orders.test.ts, so the help
 * cannot drift from what `--order X` actually decodes.
 */
export const ORDER_NOTES: readonly {
  readonly order: WordOrder;
  readonly words: readonly [number, number];
  readonly meaning: string;
}[] = [
  { order: 'ABCD', words: [0x42f6, 0xe979], meaning: 'big-endian, high word first, as Modbus sends bytes (default)' },
  { order: 'CDAB', words: [0xe979, 0x42f6], meaning: 'low word first, bytes big-endian in each word ("word swap")' },
  {
    order: 'BADC',
    words: [0xf642, 0x79e9],
    meaning: 'high word first, the two bytes of each word swapped ("byte swap")',
  },
  { order: 'DCBA', words: [0x79e9, 0xf642], meaning: 'little-endian: low word first and bytes swapped' },
];

const hex = (w: number) => `0x${w.toString(16).toUpperCase().padStart(4, '0')}`;

/** The `--order` block of `lineside probe --help`. */
export function orderHelp(): string {
  return (
    [
      '  --order byte/word order of 32/64-bit values, A = most significant byte; float32 123.456 as:',
      ...ORDER_NOTES.map((n) => `            ${n.order}  ${n.words.map(hex).join(' ')}  ${n.meaning}`),
      '            all   every value in all four orders side by side: pick the column that reads right',
      '          64-bit types: the same over 4 registers; 16-bit values only see the byte swap (BADC, DCBA)',
    ].join('\n') + '\n'
  );
}

/** Types whose value spans several registers, the only ones a word order can rearrange. */
export const MULTI_WORD_TYPES: readonly TagType[] = ['int32', 'uint32', 'float32', 'int64', 'uint64', 'float64'];

/** `--order` text to a choice (any case), or undefined when it is none of them. */
export function parseOrder(text: string): OrderChoice | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === 'ALL') return 'all';
  return ORDERS.find((o) => o === upper);
}

/** The decoded value of one address in one order, as the probe read it. */
export interface OrderCell {
  readonly value?: TagValue;
  readonly problem?: string;
}

export interface OrdersRow {
  readonly address: string;
  readonly raw: string;
  readonly cells: Readonly<Partial<Record<WordOrder, OrderCell>>>;
}

/**
 * One table row per address from probe rows read once per order (same registers, so the same
 * raw). Rows arrive in address order (the planner sorts), which the Map keeps.
 */
export function rowsByAddress(rows: readonly ProbeRow[], shown: (offset: number) => string): OrdersRow[] {
  const out = new Map<number, { address: string; raw: string; cells: Partial<Record<WordOrder, OrderCell>> }>();
  for (const row of rows) {
    const entry = out.get(row.tag.offset) ?? { address: shown(row.tag.offset), raw: row.raw, cells: {} };
    entry.cells[row.tag.decode.order] = row;
    out.set(row.tag.offset, entry);
  }
  return [...out.values()];
}

/**
 * A wrong order often turns a good float into NaN or Infinity; the codec refuses those with a
 * sentence, which would make one column four times wider than the rest. In this table the bare
 * word says it (and that column is not the right order).
 */
export function orderCellText(cell: OrderCell | undefined): string {
  if (cell === undefined) return '';
  if (cell.problem === undefined) return formatValue(cell.value);
  const nonFinite = /^\w+ is (NaN|-?Infinity) \(not a finite number\)$/.exec(cell.problem);
  return nonFinite !== null ? (nonFinite[1] as string) : `(${cell.problem})`;
}

/** `address  raw  ABCD  CDAB  BADC  DCBA`, one row per address, columns aligned. */
export function formatOrdersTable(rows: readonly OrdersRow[]): string {
  return formatTable(
    ['address', 'raw', ...ORDERS],
    rows.map((r) => [r.address, r.raw, ...ORDERS.map((o) => orderCellText(r.cells[o]))]),
  );
}
