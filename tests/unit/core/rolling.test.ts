/** The rolling hour: what happened more than an hour ago drops out; memory never grows. */
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, RollingWindow } from '../../../src/core/rolling.js';

const MIN = 60_000;

describe('RollingWindow', () => {
  it('keeps the last 59 whole minutes plus the current one', () => {
    const r = new RollingWindow();
    r.addTime('running', undefined, 0, 30 * MIN);
    r.addTime('down', 'jam', 30 * MIN, 40 * MIN);
    r.addCycles(10 * MIN, 5, 4, 50_000);
    expect(r.totals.timeMs.running).toBe(30 * MIN);
    expect(r.totals.downByReason.get('jam')).toBe(10 * MIN);
    expect(r.windowStart(40 * MIN)).toBe(-19 * MIN);
    // At 70:30 the window starts at minute 11: the running minutes 0..10 and the 5 parts are gone.
    r.advance(70.5 * MIN);
    expect(r.windowStart(70.5 * MIN)).toBe(11 * MIN);
    expect(r.totals.timeMs.running).toBe(19 * MIN);
    expect(r.totals.total).toBe(0);
    expect(r.totals.idealMs).toBe(0);
    expect(r.totals.downByReason.get('jam')).toBe(10 * MIN);
    // Two hours later everything is gone.
    r.advance(200 * MIN);
    expect(Object.values(r.totals.timeMs).every((ms) => ms === 0)).toBe(true);
    expect(r.totals.downByReason.size).toBe(0);
  });

  it('splits time across buckets and drops what is older than the window', () => {
    const r = new RollingWindow();
    r.advance(100 * MIN);
    // The window at 100:00 is minutes 41..99 plus the (empty) current minute 100.
    r.addTime('running', undefined, 0, 100 * MIN);
    expect(r.totals.timeMs.running).toBe(59 * MIN);
    r.addTime('running', undefined, 100 * MIN, 100 * MIN + 0.5 * BUCKET_MS);
    expect(r.totals.timeMs.running).toBe(59 * MIN + 30_000);
  });

  it('moves re-assigned downtime between reasons in the buckets that hold it', () => {
    const r = new RollingWindow();
    r.addTime('down', 'unassigned', 5 * MIN, 8 * MIN);
    r.moveReason('unassigned', 'jam', 5 * MIN, 8 * MIN);
    expect(r.totals.downByReason.get('jam')).toBe(3 * MIN);
    expect(r.totals.downByReason.has('unassigned')).toBe(false);
    r.advance(70 * MIN);
    expect(r.totals.downByReason.size).toBe(0);
  });

  it('checkpoint round trip keeps the buckets inside the window', () => {
    const r = new RollingWindow();
    r.addTime('running', undefined, 0, 10 * MIN);
    r.addCycles(5 * MIN, 3, 3, 30_000);
    const copy = new RollingWindow();
    copy.restore(r.toData(), 10 * MIN, 10_000);
    expect(copy.totals.timeMs.running).toBe(10 * MIN);
    expect(copy.totals.total).toBe(3);
    expect(copy.totals.idealMs).toBe(30_000);
  });

  it('restores buckets saved before products at the fallback ideal cycle time', () => {
    const r = new RollingWindow();
    r.addCycles(5 * MIN, 3, 3, 45_000);
    const old = r.toData().map(({ startMono, data }) => {
      const { idealMs: _dropped, ...rest } = data;
      return { startMono, data: rest };
    });
    const copy = new RollingWindow();
    copy.restore(old, 10 * MIN, 10_000);
    expect(copy.totals.idealMs).toBe(30_000);
  });
});
