/** Realistic core events and samples for spool and publisher tests. */
import type { CoreEvent, CycleEvent, DowntimeEvent, OeeEvent, StateEvent } from '../../../src/core/events.js';
import type { Clock, Sample } from '../../../src/core/sample.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { afterEach } from 'vitest';
import { openSpool, type Spool, type SpoolOptions } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';

export const eventId = (station: string, seq: number): string => `${station}-${String(seq).padStart(9, '0')}`;

export function cycle(station: string, seq: number, ts: number, cycleTimeMs = 12_000): CycleEvent {
  return {
    type: 'cycle',
    id: eventId(station, seq),
    line: 'line1',
    station,
    seq,
    ts,
    cycleTimeMs,
    good: seq % 17 !== 0,
  };
}

export function state(
  station: string,
  seq: number,
  ts: number,
  to: StateEvent['state'],
  from: StateEvent['state'],
): StateEvent {
  return {
    type: 'state',
    id: eventId(station, seq),
    line: 'line1',
    station,
    seq,
    ts,
    state: to,
    previous: from,
    since: ts - 500,
    ...(to === 'down' ? { reason: 'jam' } : {}),
  };
}

export function downtime(
  station: string,
  seq: number,
  ts: number,
  phase: DowntimeEvent['phase'],
  start: number,
): DowntimeEvent {
  return {
    type: 'downtime',
    id: eventId(station, seq),
    line: 'line1',
    station,
    seq,
    ts,
    phase,
    downtimeId: `${station}-dt-${start}`,
    start,
    ...(phase === 'ended' ? { end: ts, durationMs: ts - start } : {}),
    reason: 'jam',
    category: 'breakdown',
  };
}

export function oee(station: string | undefined, seq: number, ts: number, final = false): OeeEvent {
  const base = { type: 'oee' as const, id: eventId(station ?? 'line1', seq), line: 'line1', seq, ts, final };
  return {
    ...base,
    ...(station === undefined ? {} : { station }),
    window: { kind: 'shift', shift: 'early', start: ts - 3_600_000, end: ts },
    figures: {
      availability: 0.9,
      performance: 0.85,
      quality: 0.98,
      oee: 0.9 * 0.85 * 0.98,
      counts: { total: 300, good: 294, reject: 6 },
      runTimeMs: 3_240_000,
      plannedTimeMs: 3_600_000,
      downtimeMs: 360_000,
      smallStopMs: 60_000,
      commsLostMs: 0,
      starvedMs: 0,
      blockedMs: 0,
      plannedStopMs: 0,
      idealMs: 0,
      downtimeByReason: { jam: 360_000 },
    },
  };
}

export function sample(tag: string, value: Sample['value'], ts: number): Sample {
  return { tag, value, ts, mono: ts };
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(
    public wall = Date.UTC(2026, 2, 2, 6, 0, 0),
    public mono = 1_000,
  ) {}
  wallMs(): number {
    return this.wall;
  }
  monoMs(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}

/** The events a station emits in a short, plausible stretch: cycles, a breakdown, recovery. */
export function stationStory(station: string, firstSeq: number, startTs: number): CoreEvent[] {
  let seq = firstSeq;
  let ts = startTs;
  const out: CoreEvent[] = [];
  for (let i = 0; i < 3; i++) out.push(cycle(station, seq++, (ts += 12_000)));
  out.push(state(station, seq++, (ts += 30_000), 'down', 'running'));
  const start = ts;
  out.push(downtime(station, seq++, ts, 'started', start));
  out.push(downtime(station, seq++, (ts += 300_000), 'ended', start));
  out.push(state(station, seq++, ts, 'running', 'down'));
  out.push(cycle(station, seq, ts + 12_000));
  return out;
}

/** A spool's options for a test: 64 MB, a week, commits only when flushed, two destinations. */
export function testSpoolOptions(dir: string, extra: Partial<SpoolOptions> = {}): SpoolOptions {
  return {
    dir,
    maxBytes: 64 * 1024 * 1024,
    maxAgeMs: 7 * 86_400_000,
    commitIntervalMs: 60_000,
    destinations: ['mqtt', 'influx'],
    clock: new ManualClock(),
    logger: silentLogger,
    ...extra,
  };
}

/**
 * Spools in temporary directories for one test file, closed and removed after each test. Call at
 * the top level of the file.
 */
export function testSpools(defaults: Partial<SpoolOptions> = {}): {
  open(dir: string, extra?: Partial<SpoolOptions>): Spool;
  tempDir(): string;
} {
  const dirs: string[] = [];
  const spools: Spool[] = [];
  afterEach(() => {
    for (const s of spools.splice(0)) s.close();
    for (const d of dirs.splice(0)) removeTempDir(d);
  });
  return {
    open(dir, extra = {}) {
      const spool = openSpool(testSpoolOptions(dir, { ...defaults, ...extra }));
      spools.push(spool);
      return spool;
    },
    tempDir() {
      const dir = createTempDir('spool');
      dirs.push(dir);
      return dir;
    },
  };
}
