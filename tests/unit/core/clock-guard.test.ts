/** Event times follow the wall clock; a jump (NTP on a Pi without RTC) is recognised, small drift is not. */
import { describe, expect, it } from 'vitest';
import { ClockGuard } from '../../../src/core/clock-guard.js';

describe('ClockGuard', () => {
  it('follows small moves silently and stamps monotonic instants with the current offset', () => {
    const g = new ClockGuard(1_000_000);
    expect(g.observe(1_000_500 + 1, 500)).toBeUndefined(); // 1 ms drift
    expect(g.wallOf(600)).toBe(1_000_601);
    expect(g.observe(1_001_000 + 1_900, 1_000)).toBeUndefined(); // 1.9 s: slewing, still below the threshold
    expect(g.monoOf(g.wallOf(1234))).toBe(1234);
  });

  it('reports a jump beyond the threshold without applying it until accepted', () => {
    const g = new ClockGuard(0);
    const jump = g.observe(3_600_000 + 10_000, 10_000);
    expect(jump).toEqual({ atMono: 10_000, fromOffsetMs: 0, toOffsetMs: 3_600_000, jumpMs: 3_600_000 });
    expect(g.wallOf(10_000)).toBe(10_000);
    if (jump !== undefined) g.accept(jump);
    expect(g.wallOf(10_000)).toBe(3_610_000);
    const back = g.observe(10_000, 20_000);
    expect(back?.jumpMs).toBe(-3_610_000);
  });

  it('takes the first observation as the offset when none was known', () => {
    const g = new ClockGuard(undefined);
    expect(g.observe(5_000_000, 100)).toBeUndefined();
    expect(g.offsetMs).toBe(4_999_900);
  });
});
