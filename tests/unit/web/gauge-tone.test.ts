// The colour of an OEE gauge (src/web/gauge-tone.js): green from 85 %, amber from 60 %, red below,
// but only once the figures cover 10 minutes of planned production time; before, a neutral
// "settling" colour, so a shift's first part does not flash the TV red. Plain browser JavaScript
// without DOM access, tested directly.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { SETTLING_MS, gaugeTone, settling, settlingNote } from '../../../src/web/gauge-tone.js';

const MIN = 60_000;

describe('gauge tone', () => {
  it.each([
    // One part in the first minute: 21 % OEE, but no verdict yet.
    [0.21, 1 * MIN, 'settling'],
    [0.95, 9.9 * MIN, 'settling'],
    [0.21, 10 * MIN, 'bad'],
    [0.59, 60 * MIN, 'bad'],
    [0.6, 60 * MIN, 'warn'],
    [0.849, 60 * MIN, 'warn'],
    [0.85, 60 * MIN, 'good'],
    // Performance over 100 % (the ideal cycle time is set too slow) is still green.
    [1.2, 60 * MIN, 'good'],
    [undefined, 1 * MIN, 'none'],
    [Number.NaN, 60 * MIN, 'none'],
    // Figures without a planned time (an older agent): the thresholds apply.
    [0.5, undefined, 'bad'],
  ])('%s over %s ms: %s', (ratio, plannedMs, tone) => {
    expect(gaugeTone(ratio, plannedMs)).toBe(tone);
  });

  it('settles after 10 minutes of planned production time, and says so', () => {
    expect(SETTLING_MS).toBe(10 * MIN);
    expect(settling(0)).toBe(true);
    expect(settling(SETTLING_MS - 1)).toBe(true);
    expect(settling(SETTLING_MS)).toBe(false);
    expect(settling(undefined)).toBe(false);
    expect(settlingNote()).toBe('settling (first 10 min)');
  });
});
