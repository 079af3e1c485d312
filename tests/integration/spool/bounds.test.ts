/**
 * Spool bounds: past the size or age bound the oldest raw samples go first, then periodic OEE
 * snapshots; cycles, states, downtime, alerts and final OEE are never dropped. Every drop is
 * counted in health and logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/core/events.js';
import { openSpool, type Spool, type SpoolOptions } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { captureLogger } from './log-capture.js';
import { ManualClock, cycle, oee, sample, stationStory } from './make-events.js';

const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) removeTempDir(d);
});

function open(extra: Partial<SpoolOptions> & Pick<SpoolOptions, 'clock' | 'logger'>): Spool {
  const dir = createTempDir('spool-bounds');
  dirs.push(dir);
  const spool = openSpool({
    dir,
    maxBytes: 512 * 1024,
    maxAgeMs: 7 * 86_400_000,
    commitIntervalMs: 60_000,
    destinations: ['mqtt'],
    ...extra,
  });
  spools.push(spool);
  return spool;
}

function eventsIn(spool: Spool): CoreEvent[] {
  return spool.read('mqtt', 0, 1_000_000, { kinds: ['event'] }).flatMap((r) => (r.kind === 'event' ? [r.event] : []));
}

describe('spool size bound', () => {
  it('drops the oldest samples past the bound, counts and logs them, and loses no event', () => {
    const clock = new ManualClock();
    const log = captureLogger();
    const spool = open({ clock, logger: log.logger });
    const written: CoreEvent[] = [];
    let seq = 1;
    let fewestKept = Number.POSITIVE_INFINITY;
    // About 40 bytes of payload per sample: 30,000 samples are far beyond 512 KiB.
    for (let batch = 0; batch < 30; batch++) {
      for (let i = 0; i < 1_000; i++) {
        spool.appendSample(sample(`plc1.tag${i % 20}`, batch * 1_000 + i, clock.wall));
        clock.advance(1);
      }
      for (const e of stationStory('press', seq, clock.wall)) {
        written.push(e);
        spool.appendEvent(e);
      }
      seq += 8;
      spool.flush();
      if (spool.health().dropped.samples > 0) fewestKept = Math.min(fewestKept, spool.health().samples);
    }

    const health = spool.health();
    // Only what the bound requires goes: about 10,000 samples fit, and most of them stay.
    expect(fewestKept).toBeGreaterThan(5_000);
    expect(health.bytes).toBeLessThanOrEqual(512 * 1024);
    expect(health.dropped.samples).toBeGreaterThan(10_000);
    expect(health.dropped.oeeSnapshots).toBe(0);
    expect(health.dropped.lastReason).toBe('size');
    expect(health.dropped.samples + health.samples).toBe(30_000); // every sample is kept or counted
    expect(eventsIn(spool)).toEqual(written);

    // Oldest first: what is left is the newest stretch of samples, without holes.
    const values = spool
      .read('mqtt', 0, 1_000_000, { kinds: ['sample'] })
      .map((r) => (r.kind === 'sample' ? Number(r.sample.value) : -1));
    expect(values.at(-1)).toBe(29_999);
    expect(values).toEqual(Array.from({ length: values.length }, (_, i) => 30_000 - values.length + i));

    const warnings = log.matching('spool dropped');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatchObject({ reason: 'size' });
    expect(warnings[0]?.msg).toContain('no cycle, state, downtime or alert was dropped');
  });

  it('drops periodic OEE snapshots once no samples are left, never final OEE or other events, and says it is stuck', () => {
    const clock = new ManualClock();
    const log = captureLogger();
    const spool = open({ clock, logger: log.logger, maxBytes: 128 * 1024 });
    const keep: CoreEvent[] = [];
    for (let seq = 1; seq <= 1_500; seq++) {
      clock.advance(1_000);
      if (seq % 3 === 0) spool.appendEvent(oee('press', seq, clock.wall, false));
      else {
        const e = seq % 50 === 1 ? oee('press', seq, clock.wall, true) : cycle('press', seq, clock.wall);
        keep.push(e);
        spool.appendEvent(e);
      }
      if (seq % 100 === 0) spool.flush();
    }
    spool.flush();
    const health = spool.health();
    expect(health.dropped.oeeSnapshots).toBe(500); // every periodic snapshot had to go
    const left = eventsIn(spool);
    expect(left).toEqual(keep);
    expect(log.matching('holds only events').length).toBe(1); // logged once, not every commit
  });
});

describe('spool size bound and delivered rows', () => {
  it('deletes rows every destination has, instead of counting them as dropped', () => {
    const clock = new ManualClock();
    const dir = createTempDir('spool-delivered');
    dirs.push(dir);
    const options = {
      dir,
      maxAgeMs: 7 * 86_400_000,
      commitIntervalMs: 60_000,
      destinations: ['mqtt'],
      clock,
      logger: captureLogger().logger,
    };
    let spool = openSpool({ ...options, maxBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < 30_000; i++) spool.appendSample(sample('plc1.temp', i, clock.wall + i));
    spool.flush();
    spool.ack('mqtt', spool.lastCommittedId());
    spool.close();
    // Reopened with a bound the delivered rows alone exceed.
    spool = openSpool({ ...options, maxBytes: 256 * 1024 });
    spools.push(spool);
    for (let i = 0; i < 100; i++) spool.appendSample(sample('plc1.temp', i, clock.wall + i));
    spool.flush();
    expect(spool.health()).toMatchObject({ rows: 100, dropped: { total: 0 } });
  });
});

describe('spool age bound', () => {
  it('drops samples older than the bound and keeps events of any age', () => {
    const clock = new ManualClock();
    const log = captureLogger();
    const spool = open({ clock, logger: log.logger, maxAgeMs: 3_600_000 });
    const start = clock.wall;
    const events: CoreEvent[] = [];
    for (let minute = 0; minute < 120; minute++) {
      spool.appendSample(sample('plc1.speed', minute, clock.wall));
      const e = cycle('press', minute + 1, clock.wall);
      events.push(e);
      spool.appendEvent(e);
      clock.advance(60_000);
    }
    clock.advance(10_000); // the next age check is due
    spool.flush();
    const samples = spool.read('mqtt', 0, 1_000, { kinds: ['sample'] }).map((r) => r.ts);
    expect(samples.length).toBeGreaterThan(0);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(clock.wall - 3_600_000);
    expect(spool.health().dropped).toMatchObject({ samples: 120 - samples.length, lastReason: 'age' });
    expect(eventsIn(spool)).toEqual(events);
    expect(eventsIn(spool)[0]?.ts).toBe(start);
    expect(log.matching('spool dropped')[0]).toMatchObject({ reason: 'age' });
  });
});
