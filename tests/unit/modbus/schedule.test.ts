/** Polls stay on their grid: no drift from slow replies, no queue of late polls after an overrun. */
import { describe, expect, it } from 'vitest';
import { nextPoll } from '../../../src/sources/modbus/schedule.js';

describe('nextPoll', () => {
  it('plans from the schedule, not from when the poll finished', () => {
    // Due at 1000, finished at 1037: the next is due at 1100, not 1137.
    expect(nextPoll(1000, 1037, 100)).toEqual({ dueMs: 1100, missed: 0 });
  });

  it('a thousand polls that each take 37 ms end exactly on the grid (no drift)', () => {
    let due = 0;
    for (let i = 0; i < 1000; i++) due = nextPoll(due, due + 37, 100).dueMs;
    expect(due).toBe(100_000);
  });

  it('an overrun counts the missed slots and skips them (never queued)', () => {
    // Due at 1000, the poll took 250 ms: slots 1100 and 1200 were missed, next at 1300.
    expect(nextPoll(1000, 1250, 100)).toEqual({ dueMs: 1300, missed: 2 });
  });

  it('finishing exactly on the next slot still makes it', () => {
    expect(nextPoll(1000, 1100, 100)).toEqual({ dueMs: 1100, missed: 0 });
    expect(nextPoll(1000, 1100.5, 100)).toEqual({ dueMs: 1200, missed: 1 });
    expect(nextPoll(1000, 1200, 100)).toEqual({ dueMs: 1200, missed: 1 });
  });
});
