import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  CoreEvent,
  CycleEvent,
  DowntimeEvent,
  OeeEvent,
  StateEvent,
  StationState,
} from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { MIGRATIONS } from '../../../src/outputs/history/schema.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import { runMigrations } from '../../../src/lib/sqlite-setup.js';
import type { HistoryStore } from '../../../src/outputs/history/types.js';
import { ManualClock } from '../../integration/server/support/harness.js';

const T0 = Date.UTC(2025, 10, 24, 6, 0, 0);
const MIN = 60_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let seq = 0;
const base = (station: string, ts: number) => ({ id: `${station}-${++seq}`, line: 'line1', station, seq, ts });

function state(station: string, s: StationState, since: number, reason?: string): StateEvent {
  return {
    ...base(station, since),
    type: 'state',
    state: s,
    previous: 'running',
    since,
    ...(reason !== undefined ? { reason } : {}),
  };
}
function cycle(station: string, ts: number, cycleTimeMs: number | undefined, good = true): CycleEvent {
  return { ...base(station, ts), type: 'cycle', ...(cycleTimeMs !== undefined ? { cycleTimeMs } : {}), good };
}
function downtime(
  station: string,
  id: string,
  phase: DowntimeEvent['phase'],
  start: number,
  end?: number,
  reason = 'unassigned',
): DowntimeEvent {
  return {
    ...base(station, end ?? start),
    type: 'downtime',
    phase,
    downtimeId: id,
    start,
    ...(end !== undefined ? { end, durationMs: end - start } : {}),
    reason,
    category: 'breakdown',
  };
}
function oee(station: string | undefined, ts: number, windowStart: number, oeeValue: number, final = false): OeeEvent {
  return {
    id: `oee-${++seq}`,
    line: 'line1',
    ...(station !== undefined ? { station } : {}),
    seq,
    ts,
    type: 'oee',
    final,
    window: { kind: 'shift', shift: 'early', start: windowStart, end: windowStart + 8 * HOUR },
    figures: {
      availability: 1,
      performance: 1,
      quality: 1,
      oee: oeeValue,
      counts: { total: 1, good: 1, reject: 0 },
      runTimeMs: 1,
      plannedTimeMs: 1,
      downtimeMs: 0,
      smallStopMs: 0,
      commsLostMs: 0,
      starvedMs: 0,
      blockedMs: 0,
      plannedStopMs: 0,
      idealMs: 0,
      downtimeByReason: {},
    },
  };
}

describe('history store', () => {
  let dir: string;
  let clock: ManualClock;
  let store: HistoryStore;
  const open = (opts: { rawCyclesPerStation?: number; retentionMs?: number; shiftRetentionMs?: number } = {}) =>
    openHistoryStore({
      dir,
      retentionMs: opts.retentionMs ?? 7 * DAY,
      ...(opts.shiftRetentionMs !== undefined ? { shiftRetentionMs: opts.shiftRetentionMs } : {}),
      clock,
      logger: silentLogger,
      ...(opts.rawCyclesPerStation !== undefined ? { rawCyclesPerStation: opts.rawCyclesPerStation } : {}),
    });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lineside-history-'));
    clock = new ManualClock(T0 + 4 * HOUR);
    store = open();
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps state spans, and a back-dated state replaces what it covers (small stop that became downtime)', () => {
    store.record(state('press', 'running', T0));
    store.record(state('press', 'small_stop', T0 + 10 * MIN));
    // Two minutes later the core decides the stop is downtime from its start.
    store.record(state('press', 'down', T0 + 10 * MIN, 'hydraulic'));
    store.record(state('press', 'running', T0 + 30 * MIN));
    expect(store.timeline('press', T0, T0 + HOUR)).toEqual([
      { state: 'running', from: T0, to: T0 + 10 * MIN },
      { state: 'down', from: T0 + 10 * MIN, to: T0 + 30 * MIN, reason: 'hydraulic' },
      { state: 'running', from: T0 + 30 * MIN, to: T0 + HOUR },
    ]);
  });

  it('reports the current state as open when the range reaches now, and clips spans to the range', () => {
    store.record(state('press', 'running', T0));
    store.record(state('press', 'down', T0 + 2 * HOUR));
    const spans = store.timeline('press', T0 + HOUR, clock.wallMs());
    expect(spans).toEqual([
      { state: 'running', from: T0 + HOUR, to: T0 + 2 * HOUR },
      { state: 'down', from: T0 + 2 * HOUR },
    ]);
    expect(store.timeline('weld', T0, clock.wallMs())).toEqual([]);
  });

  it('downsamples cycles into at most `points` buckets with min, max and mean', () => {
    // 2 hours of 12 s cycles with one slow cycle per 10 minutes.
    let n = 0;
    for (let t = T0; t < T0 + 2 * HOUR; t += 12_000)
      store.record(cycle('press', t, ++n % 50 === 0 ? 30_000 : 12_000, n % 100 !== 0));
    const buckets = store.cycles('press', T0, T0 + 2 * HOUR, 100);
    expect(buckets.length).toBeLessThanOrEqual(100);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(600);
    expect(buckets.reduce((s, b) => s + b.good, 0)).toBe(594);
    expect(Math.min(...buckets.map((b) => b.minMs ?? Infinity))).toBe(12_000);
    expect(Math.max(...buckets.map((b) => b.maxMs ?? -Infinity))).toBe(30_000);
    for (const b of buckets) expect(b.to - b.from).toBeCloseTo((2 * HOUR) / 100, -1);
  });

  it('keeps only the last N raw cycles per station, and older ranges still come from the per-minute roll-ups', () => {
    store.close();
    store = open({ rawCyclesPerStation: 100 });
    for (let i = 0; i < 1000; i++) store.record(cycle('press', T0 + i * 10_000, 10_000 + (i % 7)));
    store.flush();
    // Raw rows now cover only the recent past; a query over the whole range must still count all.
    const all = store.cycles('press', T0, T0 + 1000 * 10_000, 50);
    expect(all.reduce((s, b) => s + b.count, 0)).toBe(1000);
    // A recent range at full resolution comes from the raw rows.
    const recent = store.cycles('press', T0 + 990 * 10_000, T0 + 1000 * 10_000, 10);
    expect(recent.map((b) => b.count)).toEqual(Array(10).fill(1));
  });

  it('counts a cycle without a time as a part and leaves it out of min, max and mean, raw and per minute', () => {
    // Minute 1: a first cycle without a time, then 9 s and 11 s. Minute 2: only one without a time.
    const record = (station: string) => {
      store.record(cycle(station, T0 + 1_000, undefined));
      store.record(cycle(station, T0 + 10_000, 9_000));
      store.record(cycle(station, T0 + 21_000, 11_000));
      store.record(cycle(station, T0 + MIN + 5_000, undefined));
      store.flush();
    };
    const expected = [
      expect.objectContaining({ count: 3, timed: 2, minMs: 9_000, maxMs: 11_000, avgMs: 10_000 }),
      expect.objectContaining({ count: 1, timed: 0, minMs: null, maxMs: null, avgMs: null }),
    ];
    record('press');
    expect(store.cycles('press', T0, T0 + 2 * MIN, 2)).toEqual(expected); // from the raw rows
    store.close();
    store = open({ rawCyclesPerStation: 1 });
    record('weld');
    expect(store.cycles('weld', T0, T0 + 2 * MIN, 2)).toEqual(expected); // from the per-minute roll-ups
  });

  it('keeps cycles written before cycle times could be missing, all counted as timed', () => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(path.join(tmpdir(), 'lineside-history-'));
    const db = new Database(path.join(dir, 'history.db'));
    runMigrations(db, MIGRATIONS.slice(0, 2), 'history schema');
    db.prepare('INSERT INTO cycle_minutes VALUES (?, ?, ?, ?, ?, ?, ?)').run('press', T0, 2, 2, 20_000, 9_000, 11_000);
    db.prepare('INSERT INTO cycles_raw (station, ts, cycle_time_ms, good) VALUES (?, ?, ?, ?)').run(
      'press',
      T0 + 10_000,
      9_000,
      1,
    );
    db.prepare('INSERT INTO cycles_raw (station, ts, cycle_time_ms, good) VALUES (?, ?, ?, ?)').run(
      'press',
      T0 + 21_000,
      11_000,
      1,
    );
    db.close();
    store = open();
    expect(store.cycles('press', T0, T0 + MIN, 1)).toEqual([
      expect.objectContaining({ count: 2, timed: 2, minMs: 9_000, maxMs: 11_000, avgMs: 10_000 }),
    ]);
    store.record(cycle('press', T0 + 30_000, undefined));
    store.flush();
    expect(store.cycles('press', T0, T0 + MIN, 1)).toEqual([
      expect.objectContaining({ count: 3, timed: 2, avgMs: 10_000 }),
    ]);
  });

  it('records downtime with its reason updates and the operator who assigned it', () => {
    store.record(state('weld', 'down', T0 + HOUR));
    store.record(downtime('weld', 'dt-1', 'started', T0 + HOUR));
    store.record({
      ...downtime('weld', 'dt-1', 'updated', T0 + HOUR, undefined, 'die-jam'),
      assignedBy: { user: 'Anna', role: 'operator', via: 'login', note: 'jammed again' },
    });
    store.record(downtime('weld', 'dt-1', 'ended', T0 + HOUR, T0 + HOUR + 12 * MIN, 'die-jam'));
    const [d] = store.downtime({ from: T0, to: T0 + 2 * HOUR });
    expect(d).toMatchObject({
      id: 'dt-1',
      station: 'weld',
      start: T0 + HOUR,
      end: T0 + HOUR + 12 * MIN,
      durationMs: 12 * MIN,
      reason: 'die-jam',
      reasonBy: 'Anna',
      reasonNote: 'jammed again',
      reasonRole: 'operator',
      reasonVia: 'login',
    });
    // The Gantt's down span carries the assigned reason too.
    expect(store.timeline('weld', T0, T0 + 2 * HOUR).find((s) => s.state === 'down')?.reason).toBe('die-jam');
    expect(store.downtimeById('nope')).toBeUndefined();
  });

  it('takes who assigned a reason from the downtime event itself (the audit trail the core emits)', () => {
    store.record(downtime('weld', 'dt-2', 'started', T0 + HOUR));
    store.record({
      ...downtime('weld', 'dt-2', 'updated', T0 + HOUR, undefined, 'die-jam'),
      assignedBy: { user: 'Ben', note: 'die cleaned' },
    });
    // A later event without the field (from an older agent) keeps what was recorded.
    store.record(downtime('weld', 'dt-2', 'ended', T0 + HOUR, T0 + HOUR + 5 * MIN, 'die-jam'));
    expect(store.downtimeById('dt-2')).toMatchObject({
      reason: 'die-jam',
      reasonBy: 'Ben',
      reasonNote: 'die cleaned',
      end: T0 + HOUR + 5 * MIN,
    });
  });

  it('lists downtime overlapping the range, newest first, filtered by station', () => {
    store.record(downtime('weld', 'a', 'started', T0 - 30 * MIN));
    store.record(downtime('weld', 'a', 'ended', T0 - 30 * MIN, T0 + 5 * MIN));
    store.record(downtime('press', 'b', 'started', T0 + HOUR));
    store.record(downtime('press', 'c', 'started', T0 - 3 * HOUR));
    store.record(downtime('press', 'c', 'ended', T0 - 3 * HOUR, T0 - 2 * HOUR));
    expect(store.downtime({ from: T0, to: T0 + 2 * HOUR }).map((d) => d.id)).toEqual(['b', 'a']);
    expect(store.downtime({ from: T0, to: T0 + 2 * HOUR, station: 'weld' }).map((d) => d.id)).toEqual(['a']);
  });

  it('keeps the latest OEE snapshot per shift window, and the final one wins over later non-final ones', () => {
    store.record(oee('press', T0 + HOUR, T0, 0.5));
    store.record(oee('press', T0 + 2 * HOUR, T0, 0.6));
    store.record(oee(undefined, T0 + 2 * HOUR, T0, 0.55));
    store.record(oee(undefined, T0 + 8 * HOUR, T0, 0.7, true));
    store.record(oee(undefined, T0 + 9 * HOUR, T0 + 8 * HOUR, 0.1));
    expect(store.oee({ line: 'line1', windowStart: T0 })).toMatchObject({ final: true, figures: { oee: 0.7 } });
    expect(store.oee({ line: 'line1' })?.windowStart).toBe(T0 + 8 * HOUR);
    expect(store.oee({ line: 'line1', shift: 'early', windowStart: T0 })?.figures.oee).toBe(0.7);
    expect(store.oeeStations('line1', T0).map((r) => [r.station, r.figures.oee])).toEqual([['press', 0.6]]);
    expect(store.oee({ line: 'line1', shift: 'night' })).toBeUndefined();
    // The report's trend: the line roll-up of each shift starting in the range, oldest first.
    expect(store.oeeShifts('line1', T0, T0 + 9 * HOUR).map((r) => [r.windowStart, r.figures.oee])).toEqual([
      [T0, 0.7],
      [T0 + 8 * HOUR, 0.1],
    ]);
    expect(store.oeeShifts('line1', T0 + 1, T0 + 9 * HOUR).map((r) => r.windowStart)).toEqual([T0 + 8 * HOUR]);
  });

  it('lists the line roll-up of each shift starting in [from, to), oldest first: no stations, no rolling hour, no other line', () => {
    store.record(oee(undefined, T0 + 8 * HOUR, T0, 0.7, true));
    store.record(oee(undefined, T0 + 9 * HOUR, T0 + 8 * HOUR, 0.4));
    store.record(oee('press', T0 + 9 * HOUR, T0 + 8 * HOUR, 0.3));
    store.record({ ...oee(undefined, T0 + 9 * HOUR, T0 + 8 * HOUR, 0.9), line: 'line2' });
    const rolling = oee(undefined, T0 + 9 * HOUR, T0 + 8 * HOUR, 0.2);
    store.record({ ...rolling, window: { kind: 'rolling', start: T0 + 8 * HOUR, end: T0 + 9 * HOUR } });
    const shifts = (from: number, to: number) =>
      store.oeeShifts('line1', from, to).map((r) => [r.windowStart, r.final, r.figures.oee]);
    expect(shifts(T0, T0 + DAY)).toEqual([
      [T0, true, 0.7],
      [T0 + 8 * HOUR, false, 0.4],
    ]);
    // By start: a shift starting at `to` is not in, one starting at `from` is.
    expect(shifts(T0 + 1, T0 + 8 * HOUR)).toEqual([]);
    expect(shifts(T0 + 8 * HOUR, T0 + 8 * HOUR + 1)).toEqual([[T0 + 8 * HOUR, false, 0.4]]);
    expect(store.oeeShifts('line2', T0, T0 + DAY).map((r) => r.figures.oee)).toEqual([0.9]);
  });

  it('keeps alerts with their acknowledgement', () => {
    const alert: CoreEvent = {
      ...base('press', T0),
      type: 'alert',
      alertId: 'a1',
      kind: 'cycle_drift',
      severity: 'warning',
      status: 'active',
      evidence: { slope: 0.1 },
    };
    store.record(alert);
    const by = { user: 'Ben', role: 'maintenance', via: 'login', note: 'on it' };
    store.record({
      ...alert,
      ts: T0 + MIN,
      status: 'acknowledged',
      acknowledgedBy: { ...by, at: new Date(T0 + MIN).toISOString() },
    });
    expect(store.alertById('a1')).toMatchObject({
      status: 'acknowledged',
      ackBy: 'Ben',
      ackNote: 'on it',
      ackRole: 'maintenance',
      evidence: { slope: 0.1 },
    });
    // Later events of the alert carry the acknowledgement too; the audit trail has it once.
    store.record({
      ...alert,
      ts: T0 + 2 * HOUR,
      status: 'resolved',
      acknowledgedBy: { ...by, at: new Date(T0 + MIN).toISOString() },
    });
    expect(store.audit({ from: T0, to: T0 + 3 * HOUR })).toEqual([
      {
        ts: T0 + MIN,
        action: 'acknowledge-alert',
        line: 'line1',
        station: 'press',
        target: 'a1',
        user: 'Ben',
        role: 'maintenance',
        via: 'login',
        note: 'on it',
      },
    ]);
    expect(store.alerts(T0 + 3 * HOUR)).toEqual([]);
    expect(store.alerts(T0).map((a) => a.status)).toEqual(['resolved']);
  });

  it("takes who acknowledged an alert from the alert's own event", () => {
    const alert: CoreEvent = {
      ...base('weld', T0),
      type: 'alert',
      alertId: 'a2',
      kind: 'condition_trend',
      severity: 'warning',
      status: 'active',
      evidence: {},
    };
    store.record(alert);
    store.record({
      ...alert,
      ts: T0 + MIN,
      status: 'acknowledged',
      acknowledgedBy: { user: 'Mia', note: 'bearing ordered', at: new Date(T0 + MIN).toISOString() },
    });
    store.record({ ...alert, ts: T0 + 2 * MIN, status: 'resolved' });
    expect(store.alertById('a2')).toMatchObject({ status: 'resolved', ackBy: 'Mia', ackNote: 'bearing ordered' });
  });

  it('prunes what is older than the retention, but keeps a state that is still open', () => {
    store.record(state('press', 'running', T0 - 10 * DAY));
    store.record(state('weld', 'running', T0 - 10 * DAY));
    store.record(state('weld', 'down', T0 - 9 * DAY));
    store.record(state('weld', 'running', T0 - HOUR));
    store.record(cycle('weld', T0 - 9 * DAY, 12_000));
    store.record(cycle('weld', T0 - HOUR, 12_000));
    store.record(downtime('weld', 'old', 'started', T0 - 9 * DAY));
    store.record(downtime('weld', 'old', 'ended', T0 - 9 * DAY, T0 - 9 * DAY + HOUR));
    store.flush();
    expect(store.prune()).toBeGreaterThan(0);
    expect(store.downtimeById('old')).toBeUndefined();
    expect(store.cycles('weld', T0 - 10 * DAY, T0, 10).reduce((s, b) => s + b.count, 0)).toBe(1);
    // The press has been running for ten days: still shown.
    expect(store.timeline('press', T0 - 2 * HOUR, T0)).toEqual([{ state: 'running', from: T0 - 2 * HOUR, to: T0 }]);
    // The weld's first span ended 9 days ago: gone; the breakdown lasted until an hour ago: kept.
    expect(store.timeline('weld', T0 - 10 * DAY, T0).map((s) => s.state)).toEqual(['down', 'running']);
  });

  it("keeps a shift's records (OEE, downtimes, alerts) for the shift retention, the per-minute detail for the retention", () => {
    store.close();
    store = open({ retentionMs: 7 * DAY, shiftRetentionMs: 90 * DAY });
    const old = T0 - 10 * DAY;
    store.record(oee('weld', old + 8 * HOUR, old, 0.7, true));
    store.record(oee(undefined, old + 8 * HOUR, old, 0.6, true));
    store.record(oee('weld', T0 - 100 * DAY + 8 * HOUR, T0 - 100 * DAY, 0.5, true));
    store.record(cycle('weld', old + HOUR, 12_000));
    store.record(state('weld', 'running', old));
    store.record(state('weld', 'down', old + HOUR));
    store.record(state('weld', 'running', old + 2 * HOUR));
    store.record(downtime('weld', 'ten-days', 'started', old + HOUR));
    store.record(downtime('weld', 'ten-days', 'ended', old + HOUR, old + 2 * HOUR));
    store.flush();
    expect(store.prune()).toBeGreaterThan(0);
    expect(store.oeeShifts('line1', T0 - 120 * DAY, T0).map((r) => [r.windowStart, r.figures.oee])).toEqual([
      [old, 0.6],
    ]);
    expect(store.oeeStations('line1', old).map((r) => r.figures.oee)).toEqual([0.7]);
    expect(store.downtimeById('ten-days')).toMatchObject({ start: old + HOUR, end: old + 2 * HOUR });
    expect(store.cycles('weld', old, old + 8 * HOUR, 8).reduce((n, b) => n + b.count, 0)).toBe(0);
    expect(store.timeline('weld', old, old + 8 * HOUR).map((s) => s.state)).not.toContain('down');
  });

  it('survives a restart: the shift so far is still there after reopening the file', () => {
    store.record(state('press', 'running', T0));
    store.record(downtime('press', 'dt-9', 'started', T0 + HOUR));
    store.close();
    store = open();
    expect(store.timeline('press', T0, T0 + HOUR).length).toBe(1);
    expect(store.downtimeById('dt-9')?.start).toBe(T0 + HOUR);
  });

  it('moves a damaged file aside and starts empty instead of failing the agent', () => {
    store.close();
    const file = path.join(dir, 'history.db');
    writeFileSync(file, 'this is not a database, just garbage bytes '.repeat(200));
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    store = open();
    store.record(state('press', 'running', T0));
    expect(store.timeline('press', T0, T0 + MIN)).toHaveLength(1);
    expect(store.health().writable).toBe(true);
  });

  it('answers every query on an empty store and reports its health', () => {
    expect(store.cycles('press', T0, T0 + HOUR, 100)).toEqual([]);
    expect(store.cycles('press', T0 + HOUR, T0, 100)).toEqual([]);
    expect(store.oee({ line: 'line1' })).toBeUndefined();
    const h = store.health();
    expect(h).toMatchObject({ writable: true, buffered: 0, writeErrors: 0 });
    expect(h.bytes).toBeGreaterThan(0);
  });
});
