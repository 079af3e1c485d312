/**
 * Edge times from the kernel land on the agent's clock at the moment the edge happened, whichever
 * clock the kernel used, so a pulse delivered late still gives the right cycle time.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/sample.js';
import { KernelTimeMapper } from '../../../src/sources/gpio/drivers/kernel-time.js';

/** Kernel monotonic clock at 5000 s of uptime, wall clock in 2025, agent clock at mono 777 s. */
const KERNEL_MONO_NOW_NS = 5_000_000_000_000n;
const WALL_NOW_MS = 1_750_000_000_000;
const clock: Clock = { monoMs: () => 777_000, wallMs: () => WALL_NOW_MS };
const mapper = new KernelTimeMapper(clock, { monotonicNs: () => KERNEL_MONO_NOW_NS, realtimeMs: () => WALL_NOW_MS });

describe('kernel timestamps -> clock', () => {
  it('a CLOCK_MONOTONIC stamp 250 ms old maps to 250 ms before now', () => {
    expect(mapper.map(KERNEL_MONO_NOW_NS - 250_000_000n)).toEqual({ monoMs: 776_750, domain: 'monotonic' });
  });

  it('sub-millisecond ages are kept', () => {
    expect(mapper.map(KERNEL_MONO_NOW_NS - 1_500_000n).monoMs).toBeCloseTo(776_998.5, 6);
  });

  it('a CLOCK_REALTIME stamp (kernels before 5.7, gpiomon -E realtime) is recognised', () => {
    const stamp = BigInt(WALL_NOW_MS - 40) * 1_000_000n;
    expect(mapper.map(stamp)).toEqual({ monoMs: 776_960, domain: 'realtime' });
  });

  it('a stamp a hair in the future (clock read jitter) is now, never later', () => {
    expect(mapper.map(KERNEL_MONO_NOW_NS + 1_000_000n)).toEqual({ monoMs: 777_000, domain: 'monotonic' });
  });

  it('a stamp from no known clock falls back to delivery time', () => {
    expect(mapper.map(42n)).toEqual({ monoMs: 777_000, domain: 'delivery' });
  });

  it('events mapped against one snapshot keep their order and spacing', () => {
    const now = mapper.snapshot();
    const a = mapper.map(KERNEL_MONO_NOW_NS - 20_000n, now).monoMs;
    const b = mapper.map(KERNEL_MONO_NOW_NS - 10_000n, now).monoMs;
    expect(b - a).toBeCloseTo(0.01, 9);
  });
});
