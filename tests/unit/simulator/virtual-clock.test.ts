import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';

describe('VirtualClock', () => {
  it('manual: time moves only through advance, and listeners see every step', () => {
    const clock = new VirtualClock({ startWallMs: 1_000_000 });
    const seen: number[] = [];
    clock.onAdvance((t) => seen.push(t));
    expect(clock.monoMs()).toBe(0);
    clock.advance(500);
    clock.advanceTo(2_000);
    clock.advanceTo(1_000); // never backwards
    expect(seen).toEqual([500, 2_000]);
    expect(clock.wallMs()).toBe(1_002_000);
  });

  it('scaled: speed 600 turns one real second into ten simulated minutes', () => {
    let real = 100;
    const clock = new VirtualClock({ startWallMs: 0, speed: 600, realMonoMs: () => real });
    real += 1_000;
    expect(clock.monoMs()).toBe(600_000);
    expect(clock.wallMs()).toBe(600_000);
    expect(() => clock.advance(1)).toThrow(/manual/);
  });

  it('rejects a speed that is not a positive number', () => {
    expect(() => new VirtualClock({ startWallMs: 0, speed: 0 })).toThrow(RangeError);
    expect(() => new VirtualClock({ startWallMs: 0, speed: Number.NaN })).toThrow(RangeError);
  });
});

describe('VirtualClock startMonoMs (a run served after its warm-up)', () => {
  it('scaled: reads the start offset at construction and runs on from it', () => {
    let real = 50;
    const clock = new VirtualClock({ startWallMs: 1_000_000, speed: 2, startMonoMs: 300_000, realMonoMs: () => real });
    expect(clock.monoMs()).toBe(300_000);
    expect(clock.wallMs()).toBe(1_300_000);
    real += 1_000;
    expect(clock.monoMs()).toBe(302_000);
  });

  it('manual: advances from the offset', () => {
    const clock = new VirtualClock({ startWallMs: 0, startMonoMs: 60_000 });
    clock.advance(1_000);
    expect(clock.monoMs()).toBe(61_000);
  });

  it('rejects a negative or non-finite offset', () => {
    expect(() => new VirtualClock({ startWallMs: 0, startMonoMs: -1 })).toThrow(/startMonoMs/);
    expect(() => new VirtualClock({ startWallMs: 0, startMonoMs: Infinity })).toThrow(RangeError);
  });
});
