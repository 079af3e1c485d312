import { describe, expect, it } from 'vitest';
import type { StateSpan } from '../../../src/outputs/history/types.js';
import { downsampleSpans } from '../../../src/server/downsample.js';

const HOUR = 3600_000;

function flapping(from: number, count: number, lengthMs: number): StateSpan[] {
  return Array.from({ length: count }, (_, i) => ({
    state: i % 3 === 0 ? 'small_stop' : 'running',
    from: from + i * lengthMs,
    to: from + (i + 1) * lengthMs,
  }));
}

describe('downsampleSpans (never more spans than pixels)', () => {
  it('leaves a timeline that already fits untouched', () => {
    const spans = flapping(0, 10, 1000);
    expect(downsampleSpans(spans, 0, 10_000, 100)).toEqual(spans);
  });

  it('merges a flapping station into at most `points` spans that still cover the range without overlap', () => {
    const spans = flapping(0, 8 * 3600, 1000); // a state change every second for 8 hours
    for (const points of [1, 7, 100, 1920]) {
      const out = downsampleSpans(spans, 0, 8 * HOUR, points);
      expect(out.length).toBeLessThanOrEqual(points);
      expect(out[0]?.from).toBe(0);
      expect(out[out.length - 1]?.to).toBe(8 * HOUR);
      for (let i = 1; i < out.length; i++) expect(out[i]?.from).toBeGreaterThanOrEqual(out[i - 1]?.to ?? Infinity);
      // Running held two thirds of the time: it is what a pixel shows.
      expect(out.every((s) => s.state === 'running')).toBe(true);
    }
  });

  it('keeps long spans exact and shows a long breakdown among flapping', () => {
    const spans: StateSpan[] = [
      ...flapping(0, 3600, 1000),
      { state: 'down', from: HOUR, to: 2 * HOUR, reason: 'hydraulic' },
      ...flapping(2 * HOUR, 3600, 1000),
    ];
    const out = downsampleSpans(spans, 0, 3 * HOUR, 300);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).toContainEqual({ state: 'down', from: HOUR, to: 2 * HOUR, reason: 'hydraulic' });
  });

  it('keeps the open span at the end open', () => {
    const spans: StateSpan[] = [...flapping(0, 1000, 1000), { state: 'down', from: 1_000_000 }];
    const out = downsampleSpans(spans, 0, 2_000_000, 50);
    expect(out[out.length - 1]).toEqual({ state: 'down', from: 1_000_000 });
  });
});
