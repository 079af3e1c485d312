/**
 * OEE per shift and rolling hour, as the morning meeting reads it: shift hand-over, final figures
 * that wait for a stop's classification, targets, operator re-assignment, the line's figures.
 */
import { describe, expect, it } from 'vitest';
import { config, Driver, H, MIN, MONDAY_UTC, S } from './helpers.js';
import type { OeeEvent } from '../../../src/core/events.js';

/** Both stations trust their running bits: these tests drive states with the bits, parts with produce(). */
function line(options: { shifts?: string; outputStation?: string; agent?: string } = {}) {
  return config(`
site: { enterprise: acme, site: plant }
${options.agent ?? ''}
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: a_count, address: 0 }
      - { name: a_running, address: 1, type: bit, bit: 0 }
      - { name: a_fault, address: 2 }
      - { name: a_planned, address: 1, type: bit, bit: 3 }
      - { name: b_count, address: 10 }
      - { name: b_running, address: 11, type: bit, bit: 0 }
reasons:
  - { id: jam, label: Jam }
${options.shifts ?? ''}
lines:
  - id: line1
    ${options.outputStation !== undefined ? `outputStation: ${options.outputStation}` : ''}
    stations:
      - id: a
        idealCycleTime: 10s
        trustRunningBit: true
        signals: { cycleCounter: plc1.a_count, running: plc1.a_running, faultCode: plc1.a_fault, plannedStop: plc1.a_planned }
        faultReasons: { "7": jam }
      - id: b
        idealCycleTime: 10s
        trustRunningBit: true
        signals: { cycleCounter: plc1.b_count, running: plc1.b_running }
`);
}

const TWO_SHIFTS = `
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon] }
    - { name: late, start: "14:00", end: "22:00", days: [mon] }
`;

/** Runs station a (and b) making a part every `everyMs` from `fromMs` to `toMs` (monotonic). */
function produce(
  d: Driver,
  fromMs: number,
  toMs: number,
  everyMs: number,
  count: { a: number; b: number },
  only?: 'a',
): void {
  for (let t = fromMs; t <= toMs; t += everyMs) {
    count.a++;
    count.b++;
    d.poll(t, only === 'a' ? { 'plc1.a_count': count.a } : { 'plc1.a_count': count.a, 'plc1.b_count': count.b });
    d.tick(t);
  }
}

function start(d: Driver): { a: number; b: number } {
  d.poll(0, {
    'plc1.a_count': 0,
    'plc1.a_running': true,
    'plc1.a_fault': 0,
    'plc1.a_planned': false,
    'plc1.b_count': 0,
    'plc1.b_running': true,
  }).tick(0);
  return { a: 0, b: 0 };
}

function finals(d: Driver): OeeEvent[] {
  return d.of('oee').filter((e) => e.final);
}

describe('shift figures', () => {
  it('hands over at the shift boundary: final figures once per shift, parts read at 14:00 were made in the early shift, the line reports its output station', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS, outputStation: 'a' }), {
      wallAtZero: MONDAY_UTC + 13 * H + 50 * MIN,
    });
    const count = start(d);
    produce(d, 10 * S, 11 * MIN, 10 * S, count);
    const f = finals(d);
    expect(f.map((e) => `${e.station ?? 'line'}:${e.window.shift}`)).toEqual(['a:early', 'line:early', 'b:early']);
    const early = f[0]?.figures;
    // Parts read at 13:50:10 ... 14:00:00: 60 (a read at 14:00:00 reports parts completed by then).
    expect(early?.counts.total).toBe(60);
    expect(early?.plannedTimeMs).toBe(10 * MIN);
    expect(early?.availability).toBe(1);
    expect(f[1]?.figures).toEqual(early);
    expect(f[1]?.station).toBeUndefined();
    expect(f[1]?.id).toMatch(/^line1-\d{9}$/);
    const late = d.core.snapshot()[0];
    expect(late?.shift?.name).toBe('late');
    expect(late?.oee.shift?.figures.counts.total).toBe(6); // 14:00:10 ... 14:01:00
    expect(d.of('cycle').find((c) => c.ts === MONDAY_UTC + 14 * H)?.shift).toBe('early');
    expect(d.of('cycle').find((c) => c.ts === MONDAY_UTC + 14 * H + 10 * S)?.shift).toBe('late');
  });

  it('waits with the final figures until a stop crossing the shift end is classified: it becomes downtime in both shifts', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 13 * H + 50 * MIN });
    start(d);
    d.poll(9 * MIN, { 'plc1.a_running': false }); // 13:59
    d.run(10 * MIN + 30 * S, 10 * S);
    expect(finals(d).filter((e) => e.station === 'a')).toEqual([]); // still a small stop: not final yet
    d.run(14 * MIN, 10 * S)
      .poll(14 * MIN, { 'plc1.a_running': true })
      .run(15 * MIN, 10 * S);
    const early = finals(d).find((e) => e.station === 'a');
    expect(early?.ts).toBe(MONDAY_UTC + 14 * H + 1 * MIN); // when the stop reached 2 min
    expect(early?.figures.downtimeMs).toBe(1 * MIN);
    expect(early?.figures.smallStopMs).toBe(0);
    expect(early?.figures.downtimeByReason).toEqual({ unassigned: 1 * MIN });
    expect(early?.figures.mttrMs).toBe(1 * MIN);
    const late = d.core.snapshot()[0]?.stations.find((s) => s.id === 'a')?.oee.shift?.figures;
    expect(late?.downtimeMs).toBe(4 * MIN);
    expect(late?.mtbfMs).toBe(1 * MIN);
  });

  it('the planned-stop bit is excluded from planned production time', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    start(d);
    d.poll(20 * MIN, { 'plc1.a_planned': true })
      .poll(30 * MIN, { 'plc1.a_planned': false })
      .run(60 * MIN, 30 * S);
    const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
    expect(f?.plannedTimeMs).toBe(50 * MIN);
    expect(f?.runTimeMs).toBe(50 * MIN);
    expect(f?.availability).toBe(1);
  });

  it('performance above 1 is reported as it is (the ideal cycle time is wrong), not capped', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    const count = start(d);
    produce(d, 5 * S, 10 * MIN, 5 * S, count, 'a');
    const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
    expect(f?.performance).toBeCloseTo(2, 6);
    expect(f?.oee).toBeCloseTo(2, 6);
  });

  it('target: pro rata of the configured shift target over planned time; behindBy in parts', () => {
    const shifts = `
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon], target: 2400, breaks: [{ name: lunch, start: "10:00", duration: 30m }] }
`;
    const d = new Driver(line({ shifts }), { wallAtZero: MONDAY_UTC + 6 * H });
    const count = start(d);
    produce(d, 12 * S, 1 * H, 12 * S, count, 'a');
    const st = d.core.snapshot()[0]?.stations[0];
    // 1 h of the 7.5 h scheduled: 2400 / 7.5 = 320 parts due; 300 made.
    expect(st?.target).toBe(2400);
    expect(st?.behindBy).toBe(20);
    expect(d.core.snapshot()[0]?.shift?.target).toBe(2400);
  });

  it('without a configured target: planned time / ideal cycle time', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    const count = start(d);
    produce(d, 12 * S, 1 * H, 12 * S, count, 'a');
    const st = d.core.snapshot()[0]?.stations[0];
    expect(st?.target).toBe(2880); // 8 h / 10 s
    expect(st?.behindBy).toBe(60); // 360 due, 300 made
  });

  it('MTBF and MTTR from down intervals', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    start(d);
    d.poll(4 * MIN, { 'plc1.a_fault': 7 }).poll(5 * MIN, { 'plc1.a_fault': 0 });
    d.poll(8 * MIN, { 'plc1.a_fault': 7 })
      .poll(11 * MIN, { 'plc1.a_fault': 0 })
      .run(12 * MIN, 30 * S);
    const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
    expect(f?.downtimeMs).toBe(4 * MIN);
    expect(f?.mttrMs).toBe(2 * MIN);
    expect(f?.mtbfMs).toBe(4 * MIN); // 8 min run / 2
  });
});

describe('rolling hour and periodic snapshots', () => {
  it('the rolling window forgets what is older than an hour; snapshots go out every oeeInterval', () => {
    const d = new Driver(line({ agent: 'agent: { oeeInterval: 1m }' }), { wallAtZero: MONDAY_UTC + 6 * H });
    const count = start(d);
    d.run(10 * MIN, 30 * S)
      .poll(10 * MIN, { 'plc1.a_fault': 7 })
      .run(30 * MIN, 30 * S)
      .poll(30 * MIN, { 'plc1.a_fault': 0 });
    produce(d, 30 * MIN, 2 * H, 30 * S, count, 'a');
    const a = d.core.snapshot()[0]?.stations[0]?.oee;
    expect(a?.shift?.figures.downtimeMs).toBe(20 * MIN); // the whole "day" window
    expect(a?.rolling.figures.downtimeMs).toBe(0);
    expect(a?.rolling.figures.availability).toBe(1);
    const windowMs = (a?.rolling.window.end ?? 0) - (a?.rolling.window.start ?? 0);
    expect(windowMs).toBeGreaterThanOrEqual(59 * MIN);
    expect(windowMs).toBeLessThanOrEqual(60 * MIN);
    expect(a?.rolling.figures.plannedTimeMs).toBe(windowMs);
    const periodic = d.of('oee').filter((e) => !e.final && e.station === 'a');
    const rolling = periodic.filter((e) => e.window.kind === 'rolling');
    expect(rolling.length).toBeGreaterThanOrEqual(119);
    expect(rolling.length).toBeLessThanOrEqual(121);
    expect(periodic.filter((e) => e.window.kind === 'shift').length).toBe(rolling.length);
  });
});

describe('operator reason assignment', () => {
  it('re-labels an open downtime: later events carry the new reason, shift and rolling figures move the time', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    start(d);
    d.poll(1 * MIN, { 'plc1.a_running': false }).run(5 * MIN, 10 * S); // down unassigned since 1 min
    const id = d.of('downtime')[0]?.downtimeId ?? '';
    expect(d.core.assignReason(id, 'jam', { user: 'anna', note: 'die stuck' })).toEqual({ ok: true });
    // Who assigned it travels with the downtime's events: the audit trail in MQTT and history.
    expect(d.of('downtime').at(-1)).toMatchObject({
      phase: 'updated',
      reason: 'jam',
      downtimeId: id,
      assignedBy: { user: 'anna', note: 'die stuck' },
    });
    expect(d.of('downtime')[0]).not.toHaveProperty('assignedBy');
    expect(d.of('state').at(-1)).toMatchObject({ state: 'down', reason: 'jam' });
    d.run(7 * MIN, 10 * S)
      .poll(7 * MIN, { 'plc1.a_running': true })
      .run(8 * MIN, 10 * S);
    expect(d.of('downtime').at(-1)).toMatchObject({
      phase: 'ended',
      reason: 'jam',
      durationMs: 6 * MIN,
      assignedBy: { user: 'anna' },
    });
    const o = d.core.snapshot()[0]?.stations[0]?.oee;
    expect(o?.shift?.figures.downtimeByReason).toEqual({ jam: 6 * MIN });
    expect(o?.rolling.figures.downtimeByReason).toEqual({ jam: 6 * MIN });
  });

  it('re-labels a downtime of the previous shift and its final figures', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 13 * H });
    start(d);
    d.poll(10 * MIN, { 'plc1.a_fault': 99 })
      .poll(20 * MIN, { 'plc1.a_fault': 0 })
      .run(70 * MIN, 30 * S);
    const id = d.of('downtime')[0]?.downtimeId ?? '';
    expect(d.core.assignReason(id, 'jam')).toEqual({ ok: true });
    const previous = d.core.snapshot()[0]?.stations[0]?.oee.previousShift;
    expect(previous?.window.shift).toBe('early');
    expect(previous?.figures.downtimeByReason).toEqual({ jam: 10 * MIN });
  });

  it('refuses unknown reasons and unknown downtimes', () => {
    const d = new Driver(line({ shifts: TWO_SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    start(d);
    d.poll(1 * MIN, { 'plc1.a_fault': 7 }).tick(1 * MIN);
    const id = d.of('downtime')[0]?.downtimeId ?? '';
    expect(d.core.assignReason(id, 'no_such_reason')).toMatchObject({ ok: false, code: 'UNKNOWN_REASON' });
    expect(d.core.assignReason('a-000000999', 'jam')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});
