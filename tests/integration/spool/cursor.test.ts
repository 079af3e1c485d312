/**
 * SpoolCursor on a real spool file: the one rule for "everything committed up to here was looked
 * at", which lets a destination that reads only events acknowledge past the samples it skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool, SpoolCursor, type Spool } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle, sample, testSpoolOptions } from './make-events.js';

const T = Date.UTC(2026, 2, 2, 6);
const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) removeTempDir(d);
});

function open(): Spool {
  const dir = createTempDir('cursor');
  dirs.push(dir);
  const spool = openSpool(testSpoolOptions(dir, { destinations: ['events-only', 'all'] }));
  spools.push(spool);
  return spool;
}

describe('SpoolCursor', () => {
  it('scans past rows of other kinds, so acknowledging what it read frees them too', () => {
    const spool = open();
    const e1 = spool.appendEvent(cycle('press', 1, T));
    for (let i = 0; i < 5; i++) spool.appendSample(sample('plc1.temp', 40 + i, T + i));
    const last = spool.appendSample(sample('plc1.temp', 50, T + 9));
    spool.flush();
    const cursor = new SpoolCursor(spool, 'events-only', ['event']);
    const first = cursor.next(10);
    expect(first.rows.map((r) => r.id)).toEqual([e1]);
    expect(first.scannedTo).toBe(last); // fewer rows than asked: the read reached the end
    cursor.ack(first.scannedTo);
    expect(cursor.acked).toBe(last);
    // Nothing new: an empty batch that still says how far it looked.
    expect(cursor.next(10)).toEqual({ rows: [], scannedTo: last });
  });

  it('stops a full batch at its last row, continues after it, and reads again after a rewind', () => {
    const spool = open();
    const ids = [1, 2, 3, 4, 5].map((n) => spool.appendEvent(cycle('press', n, T + n)));
    spool.flush();
    const cursor = new SpoolCursor(spool, 'all');
    const a = cursor.next(2);
    expect(a.rows.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(a.scannedTo).toBe(ids[1]);
    expect(cursor.next(2).rows.map((r) => r.id)).toEqual(ids.slice(2, 4));
    cursor.ack(ids[1] as number);
    cursor.rewind(); // a reconnect: everything after what was acknowledged, again
    expect(cursor.next(10).rows.map((r) => r.id)).toEqual(ids.slice(2));
  });

  it('starts where the destination acknowledged last (what a restarted output does)', () => {
    const spool = open();
    const ids = [1, 2, 3].map((n) => spool.appendEvent(cycle('press', n, T + n)));
    spool.flush();
    new SpoolCursor(spool, 'all').ack(ids[0] as number);
    spool.flush();
    expect(new SpoolCursor(spool, 'all').next(10).rows.map((r) => r.id)).toEqual(ids.slice(1));
  });
});
