/** The pure pieces that decide when a spool row is released and how fast a backlog drains. */
import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../../src/outputs/mqtt/ack-window.js';
import { Backoff } from '../../../src/lib/backoff.js';
import { TokenBucket } from '../../../src/lib/token-bucket.js';
import { RateMeter } from '../../../src/lib/rate-meter.js';

describe('AckWindow: release only what is acknowledged with everything before it', () => {
  it('releases nothing while the oldest row is unacknowledged, then everything contiguous', () => {
    const w = new AckWindow(10);
    w.completed(12);
    w.completed(14);
    expect(w.releasable()).toBe(10);
    w.completed(11);
    expect(w.releasable()).toBe(12);
    w.completed(13);
    expect(w.releasable()).toBe(14);
  });

  it('ignores a duplicate completion and one already released', () => {
    const w = new AckWindow(0);
    w.completed(2);
    w.completed(2);
    expect(w.releasable()).toBe(0);
    w.completed(1);
    w.completed(1);
    expect(w.releasable()).toBe(2);
    w.completed(3);
    expect(w.releasable()).toBe(3);
  });
});

describe('Backoff: capped exponential with jitter', () => {
  it('starts at the minimum, doubles, never exceeds the cap, and restarts after reset', () => {
    const top = new Backoff({ initialMs: 1_000, maxMs: 30_000 }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => top.next())).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    top.reset();
    expect(top.next()).toBe(1_000);
  });

  it('spreads agents apart: each delay is drawn from the upper half, never below the minimum', () => {
    const low = new Backoff({ initialMs: 1_000, maxMs: 30_000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => low.next())).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });
});

describe('TokenBucket: backlog drain rate', () => {
  it('allows a tenth of a second of burst, then the configured rate', () => {
    const limiter = new TokenBucket(100, 0);
    let sent = 0;
    while (limiter.takeUpTo(1, 0) === 1) sent++;
    expect(sent).toBe(10);
    expect(limiter.waitMs(0)).toBe(10);
    // Over one simulated second at 1 ms steps: 100 more.
    for (let t = 1; t <= 1_000; t++) while (limiter.takeUpTo(1, t) === 1) sent++;
    expect(sent).toBe(110);
  });

  it('hands out up to a burst at once, and what the time since made', () => {
    const bucket = new TokenBucket(1_000, 0);
    expect(bucket.takeUpTo(500, 0)).toBe(100);
    expect(bucket.takeUpTo(500, 0)).toBe(0);
    expect(bucket.takeUpTo(500, 25)).toBe(25);
    expect(bucket.takeUpTo(10, 1_000)).toBe(10);
  });

  it('lets a batching caller wait for a chunk instead of waking for every token', () => {
    const bucket = new TokenBucket(1_000, 0);
    expect(bucket.takeUpTo(500, 0)).toBe(100);
    expect(bucket.takeUpTo(500, 5, 10)).toBe(0); // 5 tokens made, 10 asked for at least
    expect(bucket.waitMs(5, 10)).toBe(5);
    expect(bucket.takeUpTo(500, 10, 10)).toBe(10);
    expect(bucket.takeUpTo(3, 20, 10)).toBe(3); // wanting fewer than the chunk: those are enough
    expect(bucket.waitMs(20, 1_000)).toBe(93); // never waits for more than a burst
  });
});

describe('RateMeter: published per second', () => {
  it('averages the completed seconds of the window', () => {
    const meter = new RateMeter(10);
    for (let s = 0; s < 20; s++) meter.add(s * 1_000 + 500, 50);
    expect(meter.perSecond(20_000)).toBe(50);
    expect(meter.perSecond(40_000)).toBe(0); // quiet for longer than the window
  });
});
