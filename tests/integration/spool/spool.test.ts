/**
 * The spool on a real SQLite file in a temp dir: ordering, durability across reopen, per-destination
 * cursors, deletion only after every destination acknowledged, checkpoints, batching.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool, type Spool, type SpoolOptions } from '../../../src/outputs/spool/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { ManualClock, cycle, oee, sample, stationStory } from './make-events.js';

const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) removeTempDir(d);
});

function tempDir(): string {
  const dir = createTempDir('spool');
  dirs.push(dir);
  return dir;
}

function open(dir: string, extra: Partial<SpoolOptions> = {}): Spool {
  const spool = openSpool({
    dir,
    maxBytes: 64 * 1024 * 1024,
    maxAgeMs: 7 * 86_400_000,
    commitIntervalMs: 60_000, // tests commit with flush() unless they test the timer
    destinations: ['mqtt'],
    clock: new ManualClock(),
    logger: silentLogger,
    ...extra,
  });
  spools.push(spool);
  return spool;
}

function reopen(spool: Spool, dir: string, extra: Partial<SpoolOptions> = {}): Spool {
  spool.close();
  spools.splice(spools.indexOf(spool), 1);
  return open(dir, extra);
}

describe('spool ordering and durability', () => {
  it('hands rows back in append order with increasing ids, and only once they are committed', () => {
    const dir = tempDir();
    const spool = open(dir);
    const events = stationStory('press', 1, Date.UTC(2026, 2, 2, 6));
    const ids = events.map((e) => spool.appendEvent(e));
    const sampleId = spool.appendSample(sample('plc1.temp', 41.5, Date.UTC(2026, 2, 2, 6)));

    expect(spool.read('mqtt', 0, 100)).toEqual([]); // durable first, then visible
    spool.flush();
    const rows = spool.read('mqtt', 0, 100);
    expect(rows.map((r) => r.id)).toEqual([...ids, sampleId]);
    expect([...ids, sampleId]).toEqual([...ids, sampleId].slice().sort((a, b) => a - b));
    expect(rows.filter((r) => r.kind === 'event').map((r) => (r.kind === 'event' ? r.event : null))).toEqual(events);
    expect(rows.at(-1)).toMatchObject({ kind: 'sample', sample: { tag: 'plc1.temp', value: 41.5 } });
  });

  it('keeps committed rows, cursors and checkpoints across a reopen, and never reuses an id', () => {
    const dir = tempDir();
    let spool = open(dir);
    const first = stationStory('press', 1, Date.UTC(2026, 2, 2, 6)).map((e) => spool.appendEvent(e));
    spool.setCheckpoint('core.seq', { press: 8 });
    spool.flush();
    spool.ack('mqtt', first[2] ?? 0);
    spool = reopen(spool, dir);

    expect(spool.ackedId('mqtt')).toBe(first[2]);
    expect(spool.getCheckpoint('core.seq')).toEqual({ press: 8 });
    expect(spool.read('mqtt', spool.ackedId('mqtt'), 100).map((r) => r.id)).toEqual(first.slice(3));

    // Deliver everything; the rows are deleted, yet new ids continue above the old ones.
    spool.ack('mqtt', first.at(-1) ?? 0);
    spool.flush();
    expect(spool.health().rows).toBe(0);
    spool = reopen(spool, dir);
    const next = spool.appendEvent(cycle('press', 9, Date.UTC(2026, 2, 2, 7)));
    expect(next).toBe((first.at(-1) ?? 0) + 1);
  });

  it('close() commits what is still buffered', () => {
    const dir = tempDir();
    let spool = open(dir);
    spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
    spool = reopen(spool, dir);
    expect(spool.read('mqtt', 0, 10)).toHaveLength(1);
  });

  it('commits on its own every commit interval', async () => {
    const dir = tempDir();
    const spool = open(dir, { commitIntervalMs: 50 });
    const committed = new Promise<number>((resolve) => spool.onCommit((info) => resolve(info.lastCommittedId)));
    const id = spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
    await expect(committed).resolves.toBe(id);
    expect(spool.read('mqtt', 0, 10).map((r) => r.id)).toEqual([id]);
  });

  it('commits a checkpoint in the same transaction as the rows appended before it', () => {
    const dir = tempDir();
    const spool = open(dir);
    spool.appendEvent(cycle('press', 41, Date.UTC(2026, 2, 2, 6)));
    spool.setCheckpoint('core.seq', { press: 41 });
    // A second connection sees only what is committed: neither the row nor the checkpoint yet.
    const reader = new Database(path.join(dir, 'spool.db'), { readonly: true });
    try {
      const peek = () => ({
        rows: (reader.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n,
        checkpoint: (
          reader.prepare("SELECT value FROM checkpoints WHERE key = 'core.seq'").get() as { value: string } | undefined
        )?.value,
      });
      expect(peek()).toEqual({ rows: 0, checkpoint: undefined });
      spool.flush();
      expect(peek()).toEqual({ rows: 1, checkpoint: '{"press":41}' });
    } finally {
      reader.close();
    }
  });

  it('takes a checkpoint source afresh in every commit that adds events, so the saved state never lags them', () => {
    const dir = tempDir();
    const spool = open(dir);
    let seq = 0;
    spool.setCheckpointSource('core', () => ({ seq }));
    const committed = () => {
      const reader = new Database(path.join(dir, 'spool.db'), { readonly: true });
      try {
        const rows = reader.prepare("SELECT payload FROM rows WHERE kind = 'event' ORDER BY id").all() as {
          payload: string;
        }[];
        const cp = reader.prepare("SELECT value FROM checkpoints WHERE key = 'core'").get() as
          | { value: string }
          | undefined;
        return {
          lastSeq: rows.length === 0 ? 0 : (JSON.parse(rows.at(-1)?.payload ?? '{}') as { seq: number }).seq,
          checkpoint: JSON.parse(cp?.value ?? 'null') as { seq: number } | null,
        };
      } finally {
        reader.close();
      }
    };
    for (let batch = 1; batch <= 3; batch++) {
      for (let i = 0; i < 5; i++) spool.appendEvent(cycle('press', ++seq, Date.UTC(2026, 2, 2, 6, 0, seq)));
      spool.flush();
      // What a restart after kill -9 here would read: the checkpoint covers exactly the events.
      expect(committed()).toEqual({ lastSeq: seq, checkpoint: { seq } });
    }
    // Samples alone do not retake it (nothing to cover), a refresh request does.
    seq = 99;
    spool.appendSample(sample('plc1.x', 1, Date.UTC(2026, 2, 2, 7)));
    spool.flush();
    expect(committed().checkpoint).toEqual({ seq: 15 });
    spool.requestCheckpoint();
    spool.flush();
    expect(committed().checkpoint).toEqual({ seq: 99 });
  });

  it("takes a 'requested' source only when a refresh is asked for, not with every batch of events", () => {
    const dir = tempDir();
    const spool = open(dir);
    let n = 0;
    spool.setCheckpointSource('bulky', () => ({ n: ++n }), 'requested');
    spool.flush(); // the first commit after registering takes every source
    spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
    spool.flush();
    expect(spool.getCheckpoint('bulky')).toEqual({ n: 1 });
    spool.requestCheckpoint();
    spool.flush();
    expect(reopen(spool, dir).getCheckpoint('bulky')).toEqual({ n: 2 });
  });

  it('commits a full buffer after the current step, so a checkpoint is never taken in the middle of one', async () => {
    const dir = tempDir();
    const spool = open(dir, { maxBufferedRows: 3 });
    let stepDone = false;
    const seen: boolean[] = [];
    spool.setCheckpointSource('core', () => {
      seen.push(stepDone);
      return { stepDone };
    });
    // One synchronous "core step" that emits more events than the buffer holds.
    for (let i = 1; i <= 5; i++) spool.appendEvent(cycle('press', i, Date.UTC(2026, 2, 2, 6, 0, i)));
    stepDone = true;
    await Promise.resolve();
    expect(seen).toEqual([true]);
    expect(spool.lastCommittedId()).toBe(5);
  });
});

describe('spool destinations', () => {
  it('deletes a row only after every destination acknowledged it', () => {
    const dir = tempDir();
    const spool = open(dir, { destinations: ['mqtt', 'influx'] });
    const ids = stationStory('press', 1, Date.UTC(2026, 2, 2, 6)).map((e) => spool.appendEvent(e));
    spool.flush();
    const last = ids.at(-1) ?? 0;

    spool.ack('mqtt', last);
    spool.flush();
    expect(spool.health().rows).toBe(ids.length); // influx still needs them
    expect(spool.read('influx', 0, 100)).toHaveLength(ids.length);
    expect(spool.health().destinations.mqtt?.pending).toBe(0);
    expect(spool.health().destinations.influx?.pending).toBe(ids.length);

    spool.ack('influx', ids[3] ?? 0);
    spool.flush();
    expect(spool.health().rows).toBe(ids.length - 4);
    spool.ack('influx', last);
    spool.flush();
    expect(spool.health().rows).toBe(0);
  });

  it('gives a newly configured destination every row still in the spool', () => {
    const dir = tempDir();
    let spool = open(dir, { destinations: ['mqtt'] });
    const ids = stationStory('press', 1, Date.UTC(2026, 2, 2, 6)).map((e) => spool.appendEvent(e));
    spool.flush();
    spool.ack('mqtt', ids[1] ?? 0);
    spool = reopen(spool, dir, { destinations: ['mqtt', 'influx'] });
    expect(spool.read('influx', spool.ackedId('influx'), 100).map((r) => r.id)).toEqual(ids.slice(2));
  });

  it('lets a destination that does not publish samples read only events', () => {
    const dir = tempDir();
    const spool = open(dir);
    const t = Date.UTC(2026, 2, 2, 6);
    for (let i = 0; i < 50; i++) spool.appendSample(sample('plc1.temp', i, t + i));
    const eventRow = spool.appendEvent(cycle('press', 1, t + 60));
    for (let i = 0; i < 50; i++) spool.appendSample(sample('plc1.temp', i, t + 100 + i));
    spool.flush();
    expect(spool.read('mqtt', 0, 10, { kinds: ['event'] }).map((r) => r.id)).toEqual([eventRow]);
    expect(spool.read('mqtt', 0, 1000, { kinds: ['sample'] })).toHaveLength(100);
  });

  it('reports depth and the age of the oldest unsent row', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const spool = open(dir, { clock });
    spool.appendEvent(cycle('press', 1, clock.wall));
    spool.appendSample(sample('plc1.temp', 1, clock.wall));
    spool.flush();
    clock.advance(90_000);
    const health = spool.health();
    expect(health).toMatchObject({ rows: 2, events: 1, samples: 1, buffered: 0 });
    expect(health.destinations.mqtt).toEqual({ ackedId: 0, pending: 2, oldestUnsentAgeMs: 90_000 });
    expect(health.bytes).toBeGreaterThan(0);
  });

  it('skips a row whose payload was damaged on disk and counts it', () => {
    const dir = tempDir();
    const before = open(dir);
    const t = Date.UTC(2026, 2, 2, 6);
    const a = before.appendEvent(cycle('press', 1, t));
    const b = before.appendEvent(cycle('press', 2, t + 1));
    const c = before.appendEvent(oee('press', 3, t + 2));
    before.close();
    // Damaged while the agent was down; it finds out when it reads the rows after the restart.
    const writer = new Database(path.join(dir, 'spool.db'));
    writer.prepare('UPDATE rows SET payload = ? WHERE id = ?').run('{"type":"cyc', b);
    writer.close();
    const spool = open(dir);
    expect(spool.read('mqtt', 0, 10).map((r) => r.id)).toEqual([a, c]);
    // A full page still means "more may follow": the damaged row does not shorten it.
    expect(spool.read('mqtt', 0, 2).map((r) => r.id)).toEqual([a, c]);
    expect(spool.health().unreadable).toBe(1); // counted once, however often it is read
  });
});
