/**
 * Maps kernel edge timestamps onto the injected clock, so a pulse's time is when it happened,
 * not when gpiomon's line reached us through a pipe and a busy event loop.
 *
 * The kernel stamps GPIO events with CLOCK_MONOTONIC (since Linux 5.7; CLOCK_REALTIME before,
 * and with `gpiomon -E realtime`). Node's process.hrtime reads CLOCK_MONOTONIC too, so the
 * event's age is `hrtime now - timestamp`; the edge is then `clock.monoMs() - age`, which works
 * for the system clock and for a virtual one alike. A timestamp that fits neither clock (an
 * unexpected clock source) falls back to the delivery time and says so.
 */
import type { Clock } from '../../../core/sample.js';

export type TimestampDomain = 'monotonic' | 'realtime' | 'delivery';

export interface MappedTime {
  readonly monoMs: number;
  readonly domain: TimestampDomain;
}

/** The three clocks read at one moment. */
export interface TimeSnapshot {
  readonly clockMonoMs: number;
  readonly monotonicMs: number;
  readonly realtimeMs: number;
  readonly monotonicOffsetMs: number;
  readonly realtimeOffsetMs: number;
}

export interface KernelTimeSources {
  /** CLOCK_MONOTONIC now, ns (process.hrtime.bigint on Linux). */
  readonly monotonicNs: () => bigint;
  /** The system's real-time clock now, ms since the epoch (Date.now). */
  readonly realtimeMs: () => number;
}

const systemSources: KernelTimeSources = {
  monotonicNs: () => process.hrtime.bigint(),
  realtimeMs: () => Date.now(),
};

/** Events older than this at delivery are taken as a clock mismatch, not as a late delivery. */
const MAX_PLAUSIBLE_AGE_MS = 60_000;
/** Timer granularity between the kernel and our clock readings; a little "future" is fine. */
const FUTURE_TOLERANCE_MS = 5;
const CALIBRATION_READS = 64;

export class KernelTimeMapper {
  constructor(
    private readonly clock: Clock,
    private readonly sources: KernelTimeSources = systemSources,
  ) {
    // Settle the offsets now (see stabilise): the first reads after start-up are the slowest.
    for (let i = 0; i < CALIBRATION_READS; i++) this.snapshot();
  }

  /** Best estimate of clock.monoMs() - CLOCK_MONOTONIC ms (and the same for CLOCK_REALTIME). */
  private monotonicOffsetMs: number | undefined;
  private realtimeOffsetMs: number | undefined;

  /**
   * Reads the clocks once. Map a whole chunk of events against one snapshot so they keep their
   * order and spacing exactly.
   */
  snapshot(): TimeSnapshot {
    const clockMonoMs = this.clock.monoMs();
    const monotonicMs = Number(this.sources.monotonicNs()) / 1e6;
    const realtimeMs = this.sources.realtimeMs();
    this.monotonicOffsetMs = stabilise(this.monotonicOffsetMs, clockMonoMs - monotonicMs);
    this.realtimeOffsetMs = stabilise(this.realtimeOffsetMs, clockMonoMs - realtimeMs);
    return {
      clockMonoMs,
      monotonicMs,
      realtimeMs,
      monotonicOffsetMs: this.monotonicOffsetMs,
      realtimeOffsetMs: this.realtimeOffsetMs,
    };
  }

  /** The clock's monotonic ms at which an event stamped `timestampNs` by the kernel happened. */
  map(timestampNs: bigint, now: TimeSnapshot = this.snapshot()): MappedTime {
    const stampMs = Number(timestampNs) / 1e6;
    if (plausible(now.monotonicMs - stampMs)) {
      return { monoMs: Math.min(now.clockMonoMs, stampMs + now.monotonicOffsetMs), domain: 'monotonic' };
    }
    if (plausible(now.realtimeMs - stampMs)) {
      return { monoMs: Math.min(now.clockMonoMs, stampMs + now.realtimeOffsetMs), domain: 'realtime' };
    }
    return { monoMs: now.clockMonoMs, domain: 'delivery' };
  }
}

/**
 * Two clocks read one after the other differ by their true offset minus the time between the
 * reads, so the largest difference seen is the best estimate: it keeps edge spacing exact to
 * the nanosecond instead of jittering by the read gap. A change of more than a millisecond is a
 * clock that moved (a virtual or scaled clock, a wall-clock step): take it as the new offset.
 */
function stabilise(current: number | undefined, measured: number): number {
  if (current === undefined || Math.abs(measured - current) > 1) return measured;
  return Math.max(current, measured);
}

function plausible(ageMs: number): boolean {
  return ageMs >= -FUTURE_TOLERANCE_MS && ageMs <= MAX_PLAUSIBLE_AGE_MS;
}
