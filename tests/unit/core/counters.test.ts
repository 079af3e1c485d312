/**
 * Counter wrap versus reset: the difference between "10 parts" and "65 000 phantom parts" on the
 * morning report. Table-driven over the documented rule (src/core/counters.ts).
 */
import { describe, expect, it } from 'vitest';
import { counterDelta, normaliseCount, plausibleMaxParts, type CounterKind } from '../../../src/core/counters.js';

const U16 = 2 ** 16;
const U32 = 2 ** 32;

function delta(
  previous: number | undefined,
  value: number,
  modulus: number | undefined,
  elapsedMs: number,
  idealMs: number,
): { delta: number; kind: CounterKind } {
  const out = { delta: 0, kind: 'first' as CounterKind };
  counterDelta(previous, value, modulus, elapsedMs, idealMs, out);
  return out;
}

describe('counterDelta', () => {
  it.each([
    ['normal increment', 100, 103, U16, 3_000, 1_000, 3, 'normal'],
    ['uint16 wrap 65530 -> 4 is +10', 65_530, 4, U16, 10_000, 1_000, 10, 'wrap'],
    ['uint32 wrap', U32 - 6, 5, U32, 20_000, 1_000, 11, 'wrap'],
    ['reset to 0 (PLC restart) counts nothing', 1_234, 0, U16, 1_000, 1_000, 0, 'reset'],
    ['reset to a small value counts the new value', 1_234, 3, U16, 5_000, 1_000, 3, 'reset'],
    [
      'a drop from the upper half that would imply an impossible rate is a reset, not a wrap',
      40_000,
      2,
      U16,
      1_000,
      10_000,
      2,
      'reset',
    ],
    [
      'a drop too large to be a wrap and too high to count is a preset: nothing counted',
      65_000,
      500,
      U16,
      1_000,
      1_000,
      0,
      'reset',
    ],
    ['an upward jump beyond what the station can make is not counted', 100, 50_000, U16, 1_000, 1_000, 0, 'jump'],
    ['parts made during a long gap (agent restart) count in full', 1_000, 1_360, U16, 3_600_000, 10_000, 360, 'normal'],
    [
      'after days away, a restarted PLC counter is a reset, never a wrap of the remaining range',
      1_234,
      500,
      U16,
      3 * 86_400_000,
      1_000,
      500,
      'reset',
    ],
    ['a GPIO pulse count has no modulus: a decrease is a reset', 77, 2, undefined, 1_000, 1_000, 2, 'reset'],
    ['unchanged', 5, 5, U16, 1_000, 1_000, 0, 'normal'],
  ] as const)('%s', (_name, previous, value, modulus, elapsed, ideal, expectedDelta, expectedKind) => {
    expect(delta(previous, value, modulus, elapsed, ideal)).toEqual({ delta: expectedDelta, kind: expectedKind });
  });

  it('the first read only sets the base', () => {
    expect(delta(undefined, 12_345, U16, 0, 1_000)).toEqual({ delta: 0, kind: 'first' });
  });

  it('signed counters are read as unsigned, so an int16 wrap 32767 -> -32768 is +1', () => {
    const prev = normaliseCount(32_767, U16);
    const next = normaliseCount(-32_768, U16);
    expect(delta(prev, next, U16, 1_000, 1_000)).toEqual({ delta: 1, kind: 'normal' });
    const a = normaliseCount(-1, U16); // 65535
    const b = normaliseCount(0, U16);
    expect(delta(a, b, U16, 1_000, 1_000)).toEqual({ delta: 1, kind: 'wrap' });
  });

  it('plausibility allows 4x the ideal rate plus 2 parts, and nothing negative', () => {
    expect(plausibleMaxParts(10_000, 1_000)).toBe(42);
    expect(plausibleMaxParts(0, 1_000)).toBe(2);
    expect(plausibleMaxParts(-5_000, 1_000)).toBe(2);
  });
});
