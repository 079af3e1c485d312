/**
 * The rolling "last hour" window: 60 one-minute buckets on the monotonic clock, with running
 * totals so reading it is O(1) in the number of buckets (the dashboard reads several times a
 * second). Memory is fixed: 60 accumulators, reused. The window is the 59 whole minutes before
 * the current minute plus the current one, so its length is between 59 and 60 minutes and its
 * start is a bucket boundary; the figures are exact for that window.
 */
import { Accumulator, STATE_ORDER, type FigureSource } from './accumulator.js';
import type { StationState } from './events.js';

export const BUCKET_MS = 60_000;
export const BUCKET_COUNT = 60;

/** What readers of the rolling hour (live figures) use. */
export interface RollingView {
  /** Start of the window once advanced to `mono` (advancing only expires old buckets). */
  windowStart(mono: number): number;
  readonly totals: FigureSource;
}

export class RollingWindow implements RollingView {
  private readonly buckets: Accumulator[] = [];
  /** Absolute bucket index (floor(mono / BUCKET_MS)) of the newest bucket. */
  private head: number | undefined;
  readonly totals = new Accumulator();

  constructor() {
    for (let i = 0; i < BUCKET_COUNT; i++) this.buckets.push(new Accumulator());
  }

  /** Start of the window (mono ms) once advanced to `mono`. */
  windowStart(mono: number): number {
    this.advance(mono);
    return ((this.head as number) - BUCKET_COUNT + 1) * BUCKET_MS;
  }

  /** Moves the window forward so it ends at `mono`, expiring buckets that fell out. */
  advance(mono: number): void {
    const index = Math.floor(mono / BUCKET_MS);
    if (this.head === undefined) {
      this.head = index;
      return;
    }
    if (index <= this.head) return;
    const steps = Math.min(index - this.head, BUCKET_COUNT);
    for (let i = 1; i <= steps; i++) {
      // The slot the new bucket takes held the bucket that is now BUCKET_COUNT minutes old.
      const slot = this.bucketAt(this.head + i);
      this.subtract(slot);
      slot.clear();
    }
    this.head = index;
  }

  private bucketAt(index: number): Accumulator {
    return this.buckets[((index % BUCKET_COUNT) + BUCKET_COUNT) % BUCKET_COUNT] as Accumulator;
  }

  private inWindow(index: number): boolean {
    return this.head !== undefined && index <= this.head && index > this.head - BUCKET_COUNT;
  }

  private subtract(bucket: Accumulator): void {
    const t = this.totals;
    for (const s of STATE_ORDER) t.timeMs[s] = Math.max(0, t.timeMs[s] - bucket.timeMs[s]);
    t.total -= bucket.total;
    t.good -= bucket.good;
    t.idealMs = Math.max(0, t.idealMs - bucket.idealMs);
    for (const [reason, ms] of bucket.downByReason) {
      const left = (t.downByReason.get(reason) ?? 0) - ms;
      if (left > 0.5) t.downByReason.set(reason, left);
      else t.downByReason.delete(reason);
    }
  }

  /** Adds [from, to) of a state; portions older than the window are dropped. */
  addTime(state: StationState, reason: string | undefined, from: number, to: number): void {
    if (!(to > from)) return;
    this.advance(to);
    const head = this.head as number;
    let index = Math.max(Math.floor(from / BUCKET_MS), head - BUCKET_COUNT + 1);
    const last = Math.min(Math.floor((to - 1e-9) / BUCKET_MS), head);
    for (; index <= last; index++) {
      const a = Math.max(from, index * BUCKET_MS);
      const b = Math.min(to, (index + 1) * BUCKET_MS);
      if (b <= a) continue;
      this.bucketAt(index).addTime(state, reason, b - a);
      this.totals.addTime(state, reason, b - a);
    }
  }

  addCycles(mono: number, total: number, good: number, idealMs: number): void {
    this.advance(mono);
    const index = Math.floor(mono / BUCKET_MS);
    if (!this.inWindow(index)) return;
    this.bucketAt(index).addCycles(total, good, idealMs);
    this.totals.addCycles(total, good, idealMs);
  }

  /** Re-labels committed downtime in [from, to) from one reason to another. */
  moveReason(fromReason: string, toReason: string, from: number, to: number): void {
    if (!(to > from) || this.head === undefined) return;
    const head = this.head;
    let index = Math.max(Math.floor(from / BUCKET_MS), head - BUCKET_COUNT + 1);
    const last = Math.min(Math.floor((to - 1e-9) / BUCKET_MS), head);
    for (; index <= last; index++) {
      const a = Math.max(from, index * BUCKET_MS);
      const b = Math.min(to, (index + 1) * BUCKET_MS);
      if (b <= a) continue;
      const bucket = this.bucketAt(index);
      const before = bucket.downByReason.get(fromReason) ?? 0;
      bucket.moveReason(fromReason, toReason, b - a);
      const moved = before - (bucket.downByReason.get(fromReason) ?? 0);
      this.totals.moveReason(fromReason, toReason, moved);
    }
  }

  /** Buckets with their start (mono), for checkpoints. */
  toData(): { startMono: number; data: ReturnType<Accumulator['toData']> }[] {
    const out: { startMono: number; data: ReturnType<Accumulator['toData']> }[] = [];
    if (this.head === undefined) return out;
    for (let index = this.head - BUCKET_COUNT + 1; index <= this.head; index++) {
      const bucket = this.bucketAt(index);
      if (bucket.total === 0 && STATE_ORDER.every((s) => bucket.timeMs[s] === 0)) continue;
      out.push({ startMono: index * BUCKET_MS, data: bucket.toData() });
    }
    return out;
  }

  /** Restores buckets (their mono start re-based to this process); old ones are dropped. */
  restore(
    buckets: readonly { startMono: number; data: ReturnType<Accumulator['toData']> }[],
    nowMono: number,
    fallbackIdealMs: number,
  ): void {
    this.advance(nowMono);
    for (const { startMono, data } of buckets) {
      const index = Math.round(startMono / BUCKET_MS);
      if (!this.inWindow(index)) continue;
      const restored = Accumulator.fromData(data, fallbackIdealMs);
      const bucket = this.bucketAt(index);
      for (const s of STATE_ORDER) {
        const ms = restored.timeMs[s];
        if (s === 'down') continue;
        bucket.addTime(s, undefined, ms);
        this.totals.addTime(s, undefined, ms);
      }
      for (const [reason, ms] of restored.downByReason) {
        bucket.addTime('down', reason, ms);
        this.totals.addTime('down', reason, ms);
      }
      bucket.addCycles(restored.total, restored.good, restored.idealMs);
      this.totals.addCycles(restored.total, restored.good, restored.idealMs);
    }
  }
}
