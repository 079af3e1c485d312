/**
 * Samples appended together share one spool row (schema 2), while every sample keeps its own id:
 * reads hand them back one by one, a cursor may stop inside a row, a row is deleted only once all
 * of it is delivered, ids are never reused across a reopen, drops count samples, and a spool
 * written by schema 1 (one sample per row) or by schema 2's first payload (a tuple per sample)
 * still reads.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { MIGRATIONS } from '../../../src/outputs/spool/schema.js';
import { ManualClock, cycle, sample, testSpools } from './make-events.js';

const { open, tempDir } = testSpools();

function rowsInFile(dir: string): { id: number; kind: string; n: number }[] {
  const db = new Database(path.join(dir, 'spool.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, kind, n FROM rows ORDER BY id').all() as { id: number; kind: string; n: number }[];
  } finally {
    db.close();
  }
}

const T = Date.UTC(2026, 2, 2, 6);
const poll = (spool: Spool, count: number, at: number): number[] =>
  Array.from({ length: count }, (_, j) => spool.appendSample(sample(`plc1.hr${j}`, at + j, T + at)));

describe('sample rows', () => {
  it('stores a poll as one row, an event in between starts a new one, and reads them back one by one', () => {
    const dir = tempDir();
    const spool = open(dir);
    const first = poll(spool, 20, 0);
    const eventId = spool.appendEvent(cycle('press', 1, T + 50));
    const second = poll(spool, 20, 100);
    spool.flush();
    expect(rowsInFile(dir).map((r) => [r.kind, r.n])).toEqual([
      ['sample', 20],
      ['event', 1],
      ['sample', 20],
    ]);
    const rows = spool.read('mqtt', 0, 1_000);
    expect(rows.map((r) => r.id)).toEqual([...first, eventId, ...second]);
    const values = rows.flatMap((r) => (r.kind === 'sample' ? [[r.sample.tag, r.sample.value, r.ts]] : []));
    expect(values[21]).toEqual(['plc1.hr1', 101, T + 100]);
    expect(spool.health().samples).toBe(40);
    expect(spool.health().events).toBe(1);
  });

  it('resumes inside a row, and deletes the row only once every destination has all of it', () => {
    const dir = tempDir();
    const spool = open(dir);
    const ids = poll(spool, 10, 0);
    spool.flush();
    // A limit inside the row, then a read from a cursor inside it.
    expect(spool.read('mqtt', 0, 4).map((r) => r.id)).toEqual(ids.slice(0, 4));
    expect(spool.read('mqtt', ids[3]!, 100).map((r) => r.id)).toEqual(ids.slice(4));
    spool.ack('mqtt', ids[9]!);
    spool.ack('influx', ids[5]!); // influx stopped inside the row
    spool.flush();
    expect(rowsInFile(dir)).toHaveLength(1);
    expect(spool.health().destinations.influx?.pending).toBe(4);
    expect(spool.read('influx', ids[5]!, 100).map((r) => r.id)).toEqual(ids.slice(6));
    spool.ack('influx', ids[9]!);
    spool.flush();
    expect(rowsInFile(dir)).toHaveLength(0);
    expect(spool.health().samples).toBe(0);
  });

  it('never reuses the ids of a row of samples after a reopen', () => {
    const dir = tempDir();
    const spool = open(dir);
    const ids = poll(spool, 15, 0);
    spool.close(); // closed again after the test: close is idempotent
    const again = open(dir);
    const next = again.appendSample(sample('plc1.hr0', 1, T + 200));
    expect(next).toBe(ids[14]! + 1);
  });

  it('counts dropped samples, not rows, when the age bound drops a row of them', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const spool = open(dir, { clock, maxAgeMs: 60_000 });
    for (let i = 0; i < 20; i++) spool.appendSample(sample(`plc1.hr${i}`, i, clock.wallMs()));
    spool.flush();
    clock.advance(120_000);
    spool.appendEvent(cycle('press', 1, clock.wallMs()));
    spool.flush();
    expect(spool.health().dropped.samples).toBe(20);
    expect(spool.health().samples).toBe(0);
  });

  it('reads a spool written by schema 1, one sample per row', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'spool.db'));
    MIGRATIONS[0]!(db);
    db.pragma('user_version = 1');
    const insert = db.prepare('INSERT INTO rows (id, kind, priority, ts, payload) VALUES (?, ?, ?, ?, ?)');
    insert.run(1, 'sample', 0, T, JSON.stringify(sample('plc1.temp', 41.5, T)));
    insert.run(2, 'sample', 0, T + 1, JSON.stringify(sample('plc1.temp', 42, T + 1)));
    db.close();
    const spool = open(dir);
    const rows = spool.read('mqtt', 0, 10);
    expect(rows.map((r) => (r.kind === 'sample' ? [r.id, r.sample.value] : null))).toEqual([
      [1, 41.5],
      [2, 42],
    ]);
    expect(spool.appendSample(sample('plc1.temp', 43, T + 2))).toBe(3);
  });

  it('reads rows stored as a tuple per sample (before the columns), with a cursor inside one', () => {
    const dir = tempDir();
    open(dir).close(); // a current file, then a row as the previous release wrote it
    const db = new Database(path.join(dir, 'spool.db'));
    db.prepare('INSERT INTO rows (id, kind, priority, ts, n, payload) VALUES (?, ?, ?, ?, ?, ?)').run(
      1,
      'sample',
      0,
      T,
      3,
      JSON.stringify([
        ['plc1.hr0', 7, T, 5],
        ['plc1.hr1', null, T, 5],
        ['plc1.run', true, T + 1, 6],
      ]),
    );
    db.prepare("INSERT INTO meta (key, value) VALUES ('last_id', 3) ON CONFLICT(key) DO UPDATE SET value = 3").run();
    db.close();
    const spool = open(dir);
    expect(spool.read('mqtt', 0, 10)).toMatchObject([
      { id: 1, sample: { tag: 'plc1.hr0', value: 7, ts: T, mono: 5 } },
      { id: 2, sample: { tag: 'plc1.hr1', value: Number.NaN } },
      { id: 3, sample: { tag: 'plc1.run', value: true, ts: T + 1, mono: 6 } },
    ]);
    expect(spool.read('mqtt', 2, 10).map((r) => r.id)).toEqual([3]);
    expect(spool.appendSample(sample('plc1.temp', 43, T + 2))).toBe(4);
  });
});
