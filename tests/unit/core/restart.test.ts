/**
 * Restarting the agent mid-shift continues the shift's numbers: the time it was not running is
 * comms_lost (unknown), parts made meanwhile count at the first read (without cycle times), event
 * sequence numbers continue, and open downtimes end where knowledge ended.
 */
import { describe, expect, it } from 'vitest';
import { joinRolling, splitRolling, type CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { Driver, H, ManualClock, MIN, MONDAY_UTC, oneStation, S } from './helpers.js';

const EARLY = `
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon] }
    - { name: late, start: "14:00", end: "22:00", days: [mon] }
`;
const ALL_OK = {
  'plc1.count': 0,
  'plc1.running': true,
  'plc1.fault': 0,
  'plc1.reject': 0,
  'plc1.starved': false,
  'plc1.blocked': false,
  'plc1.planned': false,
};

/** Saves through JSON (as the file store does) and starts a new process at `wall`, whose monotonic clock reads `mono`. */
function restart(d: Driver, wall: number, mono = 5 * S): Driver {
  const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;
  const clock = new ManualClock(wall - mono);
  clock.mono = mono;
  return new Driver(d.cfg, { clock, restore: saved });
}

function figures(d: Driver) {
  const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
  if (f === undefined) throw new Error('no shift figures');
  return f;
}

describe('restart from a checkpoint', () => {
  it('continues the shift: counts carry on, the gap is comms_lost, parts made meanwhile count without cycle times', () => {
    const cfg = oneStation({ shifts: EARLY });
    const before = new Driver(cfg, { wallAtZero: MONDAY_UTC + 6 * H }).poll(0, ALL_OK).tick(0);
    for (let i = 1; i <= 360; i++) before.poll(i * 10 * S, { 'plc1.count': i });
    before.tick(1 * H);
    expect(figures(before).counts.total).toBe(360);
    const lastSeq = Math.max(...before.events.filter((e) => e.station === 'press').map((e) => e.seq));

    // Back 10 minutes later (07:10); meanwhile the press made 60 parts.
    const after = restart(before, MONDAY_UTC + 7 * H + 10 * MIN);
    after.tick(5 * S);
    expect(after.diagnostics.map((x) => x.code)).toContain('CHECKPOINT_RESTORED');
    expect(after.of('state')[0]).toMatchObject({ state: 'comms_lost', previous: 'running', since: MONDAY_UTC + 7 * H });
    after
      .poll(6 * S, { ...ALL_OK, 'plc1.count': 420 })
      .poll(16 * S, { 'plc1.count': 421 })
      .tick(16 * S);
    const cycles = after.of('cycle');
    expect(cycles).toHaveLength(61);
    expect(cycles.slice(0, 60).every((c) => !('cycleTimeMs' in c))).toBe(true);
    expect(cycles[60]?.cycleTimeMs).toBe(10 * S);
    const f = figures(after);
    expect(f.counts.total).toBe(421);
    expect(f.commsLostMs).toBe(10 * MIN + 1 * S);
    expect(f.runTimeMs).toBe(1 * H + 10 * S);
    expect(f.downtimeMs).toBe(0);
    // Sequence numbers continue; ids never collide with the first run's.
    expect(after.events.find((e) => e.station === 'press')?.seq).toBe(lastSeq + 1);
    const ids = [...before.events, ...after.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a downtime open at the checkpoint ends there; if the fault persists, a new one starts when the PLC answers; reasons stay assignable', () => {
    const cfg = oneStation({ shifts: EARLY });
    const before = new Driver(cfg, { wallAtZero: MONDAY_UTC + 6 * H })
      .poll(0, ALL_OK)
      .poll(10 * MIN, { 'plc1.fault': 7, 'plc1.running': false })
      .tick(20 * MIN);
    const firstId = before.of('downtime')[0]?.downtimeId ?? '';
    const after = restart(before, MONDAY_UTC + 6 * H + 25 * MIN);
    after.tick(5 * S);
    expect(after.of('downtime')[0]).toMatchObject({
      phase: 'ended',
      downtimeId: firstId,
      end: MONDAY_UTC + 6 * H + 20 * MIN,
      durationMs: 10 * MIN,
    });
    after.poll(6 * S, { ...ALL_OK, 'plc1.fault': 7, 'plc1.running': false }).tick(6 * S);
    expect(after.of('downtime').at(-1)).toMatchObject({
      phase: 'started',
      reason: 'jam',
      start: MONDAY_UTC + 6 * H + 25 * MIN + 1 * S,
    });
    expect(after.core.assignReason(firstId, 'hydraulic')).toEqual({ ok: true });
    const f = figures(after);
    expect(f.downtimeByReason).toEqual({ hydraulic: 10 * MIN });
    expect(f.commsLostMs).toBe(5 * MIN + 1 * S);
  });

  it('who assigned a reason (name, role, login, note) survives the restart with the open downtime', () => {
    const cfg = oneStation({ shifts: EARLY });
    const before = new Driver(cfg, { wallAtZero: MONDAY_UTC + 6 * H })
      .poll(0, ALL_OK)
      .poll(10 * MIN, { 'plc1.fault': 7, 'plc1.running': false })
      .tick(20 * MIN);
    const id = before.of('downtime')[0]?.downtimeId ?? '';
    const by = { user: 'anna', role: 'operator', via: 'login', note: 'die 4' };
    expect(before.core.assignReason(id, 'hydraulic', by)).toEqual({ ok: true });
    const after = restart(before, MONDAY_UTC + 6 * H + 25 * MIN);
    after.tick(5 * S);
    expect(after.of('downtime')[0]).toMatchObject({ phase: 'ended', downtimeId: id, reason: 'hydraulic' });
    expect(after.of('downtime')[0]?.assignedBy).toEqual(by);
  });

  it('a restart after the shift ended closes that shift with the unknown time as comms_lost', () => {
    const cfg = oneStation({ shifts: EARLY });
    const before = new Driver(cfg, { wallAtZero: MONDAY_UTC + 13 * H }).poll(0, ALL_OK);
    for (let i = 1; i <= 300; i++) before.poll(i * 10 * S, { 'plc1.count': i });
    before.tick(50 * MIN);
    const after = restart(before, MONDAY_UTC + 14 * H + 30 * MIN);
    after.tick(5 * S);
    const final = after.of('oee').find((e) => e.final && e.station === 'press');
    expect(final?.window.shift).toBe('early');
    expect(final?.figures.counts.total).toBe(300);
    expect(final?.figures.commsLostMs).toBe(10 * MIN);
    expect(final?.figures.runTimeMs).toBe(50 * MIN);
    expect(final?.figures.availability).toBe(1);
    expect(figures(after).commsLostMs).toBe(30 * MIN);
  });

  it('an unusable checkpoint is reported and the core starts from zero', () => {
    const clock = new ManualClock(MONDAY_UTC);
    const broken = { version: 1, savedAtWall: 'yesterday', stations: {}, lines: {} } as unknown as CoreCheckpoint;
    const d = new Driver(oneStation(), { clock, restore: broken }).poll(0, ALL_OK).tick(0);
    expect(d.diagnostics[0]).toMatchObject({ code: 'CHECKPOINT_INVALID' });
    expect(String(d.diagnostics[0]?.context.reason)).toContain('savedAtWall');
    expect(d.states()).toEqual(['running']);
  });

  it('a checkpoint survives JSON and restores the same figures it saved', () => {
    const cfg = oneStation({ shifts: EARLY });
    const d = new Driver(cfg, { wallAtZero: MONDAY_UTC + 6 * H }).poll(0, ALL_OK);
    for (let i = 1; i <= 100; i++) d.poll(i * 10 * S, { 'plc1.count': i, 'plc1.reject': Math.floor(i / 10) });
    d.poll(1001 * S, { 'plc1.fault': 8 }).tick(1100 * S);
    const saved = d.core.checkpoint();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const restored = restart(d, MONDAY_UTC + 6 * H + 1100 * S, 0);
    restored.tick(0);
    const a = figures(d);
    const b = figures(restored);
    expect(b.counts).toEqual(a.counts);
    expect(b.runTimeMs).toBe(a.runTimeMs);
    expect(b.downtimeByReason).toEqual(a.downtimeByReason);
    expect(b.mttrMs).toBe(a.mttrMs);
  });
});

describe('checkpoint split for the spool (state with every batch, rolling buckets less often)', () => {
  it('joins back to the same restart: state and rolling buckets saved at different moments still restore', () => {
    const cfg = oneStation({ shifts: EARLY });
    const before = new Driver(cfg, { wallAtZero: MONDAY_UTC + 6 * H }).poll(0, ALL_OK).tick(0);
    for (let i = 1; i <= 180; i++) before.poll(i * 10 * S, { 'plc1.count': i });
    before.tick(30 * MIN);
    const whole = JSON.parse(JSON.stringify(before.core.checkpoint())) as CoreCheckpoint;
    const { state, rolling } = splitRolling(whole);
    expect(Object.values(state.stations).every((s) => (s.rolling ?? []).length === 0)).toBe(true);
    expect(JSON.stringify(state).length).toBeLessThan(JSON.stringify(whole).length);
    expect(joinRolling(JSON.parse(JSON.stringify(state)), JSON.parse(JSON.stringify(rolling)))).toEqual(whole);
    // What the agent saves with every batch of events is that same state, taken without the buckets.
    expect(JSON.parse(JSON.stringify(before.core.checkpoint({ withRolling: false })))).toEqual(state);
    // An old single-key checkpoint (rolling inside) is used as it is.
    expect(joinRolling(whole, undefined)).toEqual(whole);

    const clock = new ManualClock(MONDAY_UTC + 6 * H + 31 * MIN - 5 * S);
    clock.mono = 5 * S;
    const after = new Driver(cfg, { clock, restore: joinRolling(state, rolling) as CoreCheckpoint });
    after.tick(5 * S);
    expect(after.core.snapshot()[0]?.stations[0]?.oee.rolling.figures.counts.total).toBe(180);
  });
});
