import { describe, expect, it } from 'vitest';
import { encodeWords } from '../../../simulator/plc/encode.js';
import { TEST_BLOCK_SIZE, testBlockEntries } from '../../../simulator/plc/test-block.js';
import { TEST_BLOCK_VECTORS } from './fixtures/hand-vectors.js';

describe('register encoding matches hand-computed Modbus/IEEE 754 byte vectors', () => {
  const entries = testBlockEntries('holding', 1000);

  it.each(TEST_BLOCK_VECTORS)('test block $what at +$offset', ({ offset, words }) => {
    const entry = entries.find((e) => e.address === 1000 + offset);
    expect(entry, `no test block entry at +${offset}`).toBeDefined();
    if (entry === undefined) return;
    expect(encodeWords(entry.type, entry.value, entry.order, entry.length)).toEqual(words);
  });

  it('the hand vectors cover every register of the test block', () => {
    const covered = TEST_BLOCK_VECTORS.reduce((n, v) => n + v.words.length, 0);
    // +3 is the one spare register in the layout.
    expect(covered + 1).toBe(TEST_BLOCK_SIZE);
  });

  it('wraps integer counters to their width like a PLC counter', () => {
    expect(encodeWords('uint16', 65536 + 5, 'ABCD')).toEqual([5]);
    expect(encodeWords('uint32', 2 ** 32 + 7, 'ABCD')).toEqual([0, 7]);
    expect(encodeWords('uint32', 2 ** 32 + 7, 'CDAB')).toEqual([7, 0]);
    expect(encodeWords('int16', -1, 'ABCD')).toEqual([0xffff]);
  });

  it('pads strings with NUL and cuts them to their length', () => {
    expect(encodeWords('string', 'AB', 'ABCD', 2)).toEqual([0x4142, 0x0000]);
    expect(encodeWords('string', 'ABCDEF', 'ABCD', 2)).toEqual([0x4142, 0x4344]);
  });
});
