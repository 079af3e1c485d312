import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/server/rate-limit.js';

describe('RateLimiter (token bucket per client)', () => {
  it('allows a burst, then refuses with the seconds to wait, then refills over time', () => {
    const limiter = new RateLimiter({ burst: 3, perSecond: 1 });
    expect([0, 1, 2].map(() => limiter.take('10.0.0.5', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('10.0.0.5', 0)).toBe(1);
    // Another client is not affected.
    expect(limiter.take('10.0.0.6', 0)).toBe(0);
    expect(limiter.take('10.0.0.5', 1_000)).toBe(0);
    expect(limiter.take('10.0.0.5', 1_000)).toBe(1);
    expect(limiter.take('10.0.0.5', 10_000)).toBe(0);
  });

  it('makes a wrong token expensive: a penalty pushes the next allowed request further out', () => {
    const limiter = new RateLimiter({ burst: 5, perSecond: 1 });
    limiter.penalize('x', 0, 5);
    limiter.penalize('x', 0, 5);
    expect(limiter.take('x', 0)).toBe(6);
    expect(limiter.take('x', 6_000)).toBe(0);
  });

  it('forgets the least recently seen clients beyond its size bound', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 1, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`c${i}`, 0);
    expect(limiter.size).toBe(100);
  });
});
