/**
 * A destination that keeps up reads the last commits from memory (recent-rows.ts), one that is
 * behind reads the file. Both must give exactly the same rows. Oracle: the same spool reopened,
 * whose memory is empty, so every read comes from the file. Random polls, events, commits, acks
 * and reads at every cursor position, limit and kind filter, over several reopen rounds.
 */
import { describe, expect, it } from 'vitest';
import type { Spool, SpoolReadOptions } from '../../../src/outputs/spool/index.js';
import { ManualClock, cycle, sample, testSpools } from './make-events.js';

const { open, tempDir } = testSpools({ maxBufferedRows: 500 });

/** A small deterministic generator (the same cases on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const T = Date.UTC(2026, 2, 2, 6);
const KINDS: (SpoolReadOptions['kinds'] | undefined)[] = [undefined, ['sample'], ['event'], ['event', 'sample']];

type Query = { after: number; limit: number; kinds: SpoolReadOptions['kinds'] | undefined };

function answers(spool: Spool, queries: readonly Query[]): unknown[] {
  return queries.map((q) => spool.read('influx', q.after, q.limit, q.kinds === undefined ? {} : { kinds: q.kinds }));
}

describe('rows kept in memory after a commit', () => {
  it('reads exactly what the file holds, at any cursor, limit and kind', () => {
    const dir = tempDir();
    const next = random(20_261_205);
    let spool = open(dir);
    let seq = 0;
    let at = 0;
    for (let round = 0; round < 6; round++) {
      for (let step = 0; step < 40; step++) {
        const r = next();
        if (r < 0.6) {
          const tags = 1 + Math.floor(next() * 300); // up to a poll bigger than a row holds
          for (let j = 0; j < tags; j++) {
            // Numbers, booleans, strings and a NaN now and then, as sources send them.
            const kind = j % 7;
            const value =
              kind === 3 ? j % 2 === 0 : kind === 5 ? `s${at}` : kind === 6 && at % 11 === 0 ? Number.NaN : at + j / 8;
            spool.appendSample(sample(`plc${j % 3}.hr${j}`, value, T + at));
          }
          at += 1;
        } else if (r < 0.8) {
          seq += 1;
          spool.appendEvent(cycle('press', seq, T + at));
        } else if (r < 0.95) {
          spool.flush();
        } else {
          const committed = spool.lastCommittedId();
          spool.ack('mqtt', Math.floor(next() * committed));
          spool.ack('influx', Math.floor(next() * committed));
        }
      }
      spool.flush();
      const last = spool.lastCommittedId();
      const queries: Query[] = [];
      for (let q = 0; q < 60; q++) {
        queries.push({
          after: Math.floor(next() * (last + 2)),
          limit: 1 + Math.floor(next() * 700),
          kinds: KINDS[q % KINDS.length],
        });
      }
      // The newest rows: what a destination that keeps up asks for.
      queries.push({ after: Math.max(0, last - 50), limit: 1_000, kinds: undefined });
      const fromMemory = answers(spool, queries);
      spool.close();
      spool = open(dir);
      expect(fromMemory).toEqual(answers(spool, queries));
    }
  });

  it('serves what the last commit added without waiting for the file, and nothing a bound pruned', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const spool = open(dir, { clock, maxAgeMs: 3_600_000 });
    for (let minute = 0; minute < 90; minute++) {
      spool.appendSample(sample('plc1.speed', minute, clock.wall));
      clock.advance(60_000);
    }
    clock.advance(10_000);
    spool.flush(); // commits, and the age bound drops the first half hour at once
    const kept = spool.read('influx', 0, 1_000).map((r) => r.ts);
    expect(kept.length).toBeLessThan(90);
    expect(Math.min(...kept)).toBeGreaterThanOrEqual(clock.wall - 3_600_000);
    spool.appendSample(sample('plc1.speed', 90, clock.wall));
    spool.flush();
    expect(spool.read('influx', spool.lastCommittedId() - 1, 10)).toMatchObject([
      { kind: 'sample', sample: sample('plc1.speed', 90, clock.wall) },
    ]);
  });
});
