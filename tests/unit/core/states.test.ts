/**
 * Station states and downtime events as docs/oee.md defines them: precedence, fault reasons,
 * starved/blocked interrupting stops, rejects, comms loss, and robustness against bad values and
 * misbehaving consumers.
 */
import { describe, expect, it } from 'vitest';
import { Driver, MIN, oneStation, S } from './helpers.js';

const ALL_OK = {
  'plc1.count': 0,
  'plc1.running': true,
  'plc1.fault': 0,
  'plc1.reject': 0,
  'plc1.starved': false,
  'plc1.blocked': false,
  'plc1.planned': false,
};

function started(): Driver {
  return new Driver(oneStation()).poll(0, ALL_OK).tick(0);
}

function shiftFigures(d: Driver) {
  const figures = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
  if (figures === undefined) throw new Error('no shift figures');
  return figures;
}

describe('station states and downtime', () => {
  it('a fault code makes the station down at once, with the reason and loss category from the config', () => {
    const d = started()
      .poll(10 * S, { 'plc1.fault': 9, 'plc1.running': false })
      .tick(11 * S);
    expect(d.states()).toEqual(['running', 'down:changeover']);
    const [start] = d.of('downtime');
    expect(start).toMatchObject({
      phase: 'started',
      reason: 'changeover',
      category: 'setup',
      faultCode: 9,
      start: d.clock.wallAtZero + 10 * S,
    });
  });

  it('an unknown fault code is downtime "unassigned" and is reported', () => {
    const d = started()
      .poll(10 * S, { 'plc1.fault': 42 })
      .tick(11 * S);
    for (let i = 1; i <= 20; i++) d.poll((11 + i) * S, { 'plc1.count': i }); // the fault persists over many polls
    d.tick(40 * S);
    expect(d.states()).toEqual(['running', 'down:unassigned']);
    expect(d.diagnostics.filter((x) => x.code === 'UNKNOWN_FAULT_CODE')).toHaveLength(1);
    expect(d.diagnostics.find((x) => x.code === 'UNKNOWN_FAULT_CODE')?.context).toMatchObject({
      station: 'press',
      faultCode: 42,
      tag: 'plc1.fault',
    });
  });

  it('a running bit falling in the same read as a fault code gives one transition to down', () => {
    const d = started()
      .poll(10 * S, { 'plc1.running': false, 'plc1.fault': 7 })
      .tick(10 * S);
    expect(d.states()).toEqual(['running', 'down:jam']);
  });

  it('follows the precedence planned stop > down > blocked > starved > stop', () => {
    const d = started()
      .poll(10 * S, { 'plc1.running': false, 'plc1.starved': true })
      .poll(20 * S, { 'plc1.blocked': true })
      .poll(30 * S, { 'plc1.fault': 7 })
      .poll(40 * S, { 'plc1.planned': true })
      .poll(50 * S, { 'plc1.planned': false, 'plc1.fault': 0 })
      .poll(60 * S, { 'plc1.blocked': false })
      .poll(70 * S, { 'plc1.starved': false })
      .tick(70 * S);
    expect(d.states()).toEqual([
      'running',
      'starved:starved',
      'blocked:blocked',
      'down:jam',
      'planned_stop:plc_planned_stop',
      'blocked:blocked',
      'starved:starved',
      'small_stop',
    ]);
  });

  it('starved time interrupts a stop: each stretch is judged on its own and starved is never downtime', () => {
    const d = started()
      .poll(60 * S, { 'plc1.running': false }) // stop 60 s
      .poll(120 * S, { 'plc1.starved': true }) // starved 5 min
      .poll(420 * S, { 'plc1.starved': false }) // stop again 90 s
      .poll(510 * S, { 'plc1.running': true })
      .run(600 * S, 10 * S);
    expect(d.states()).toEqual(['running', 'small_stop', 'starved:starved', 'small_stop', 'running']);
    expect(d.of('downtime')).toEqual([]);
    const f = shiftFigures(d);
    expect(f.downtimeMs).toBe(0);
    expect(f.smallStopMs).toBe(150 * S);
    expect(f.downtimeByReason).toEqual({ starved: 300 * S });
    expect(f.runTimeMs).toBe(300 * S);
    expect(f.plannedTimeMs).toBe(600 * S);
  });

  it('a fault code changing to another code with the same reason is the same downtime; another reason starts a new one', () => {
    const d = started()
      .poll(10 * S, { 'plc1.fault': 7, 'plc1.running': false })
      .poll(20 * S, { 'plc1.fault': 10 }) // also "jam"
      .poll(30 * S, { 'plc1.fault': 8 }) // hydraulic
      .poll(40 * S, { 'plc1.fault': 0, 'plc1.running': true })
      .tick(40 * S);
    const dt = d.of('downtime');
    expect(dt.map((e) => `${e.phase}:${e.reason}`)).toEqual([
      'started:jam',
      'ended:jam',
      'started:hydraulic',
      'ended:hydraulic',
    ]);
    expect(dt[1]?.durationMs).toBe(20 * S);
    expect(dt[3]?.durationMs).toBe(10 * S);
  });

  it('comms loss is reported on its own: excluded from planned time, never downtime', () => {
    const d = started()
      .poll(60 * S, { 'plc1.count': 5 })
      .tick(60 * S);
    d.clock.mono = 120 * S;
    d.core.comms({ device: 'plc1', ok: false, ts: d.clock.wallMs(), mono: 120 * S, error: 'MODBUS_TIMEOUT plc1' });
    d.tick(300 * S);
    d.clock.mono = 300 * S;
    d.core.comms({ device: 'plc1', ok: true, ts: d.clock.wallMs(), mono: 300 * S });
    d.poll(300 * S, ALL_OK).run(360 * S, 10 * S);
    expect(d.states()).toEqual(['running', 'comms_lost', 'running']);
    expect(d.of('downtime')).toEqual([]);
    const f = shiftFigures(d);
    expect(f.commsLostMs).toBe(180 * S);
    expect(f.plannedTimeMs).toBe(180 * S);
    expect(f.availability).toBe(1);
  });

  it('a reject counter marks parts as rejects and lowers quality', () => {
    const d = started()
      .poll(10 * S, { 'plc1.count': 1 })
      .poll(20 * S, { 'plc1.count': 2, 'plc1.reject': 1 })
      .poll(30 * S, { 'plc1.count': 4 })
      .poll(40 * S, { 'plc1.count': 7, 'plc1.reject': 2 })
      .tick(40 * S);
    expect(d.of('cycle').map((c) => c.good)).toEqual([true, false, true, true, true, true, false]);
    const f = shiftFigures(d);
    expect(f.counts).toEqual({ total: 7, good: 5, reject: 2 });
    expect(f.quality).toBeCloseTo(5 / 7, 12);
  });

  it('several parts completed within one read all count, their cycle times apportioned', () => {
    const d = started()
      .poll(10 * S, { 'plc1.count': 1 })
      .poll(40 * S, { 'plc1.count': 4 })
      .tick(40 * S);
    expect(d.of('cycle').map((c) => c.cycleTimeMs)).toEqual([undefined, 10 * S, 10 * S, 10 * S]);
    expect(d.core.snapshot()[0]?.stations[0]?.lastCycleTimeMs).toBe(10 * S);
  });

  it('without a running bit, a stop is back-dated to the last cycle and ends one ideal cycle before the next part', () => {
    const d = new Driver(oneStation({ running: false }));
    d.poll(0, {
      'plc1.count': 0,
      'plc1.fault': 0,
      'plc1.reject': 0,
      'plc1.starved': false,
      'plc1.blocked': false,
      'plc1.planned': false,
    });
    for (let i = 1; i <= 3; i++) d.poll(i * 10 * S, { 'plc1.count': i });
    // Last part at 30 s; nothing until 95 s: stopped from 30 s to 85 s (95 - 10).
    d.run(94 * S, 1 * S)
      .poll(95 * S, { 'plc1.count': 4 })
      .run(100 * S, 1 * S);
    const states = d.of('state');
    expect(states.map((s) => s.state)).toEqual(['running', 'small_stop', 'running']);
    expect(states[1]?.since).toBe(d.clock.wallAtZero + 30 * S);
    expect(states[1]?.ts).toBe(d.clock.wallAtZero + 60 * S); // 3 x 10 s without a part
    expect(states[2]?.since).toBe(d.clock.wallAtZero + 85 * S);
    expect(shiftFigures(d).smallStopMs).toBe(55 * S);
  });

  it('a value a role cannot use is reported once and ignored', () => {
    const d = started()
      .poll(10 * S, { 'plc1.running': 'maybe' })
      .poll(20 * S, { 'plc1.running': 'still no' })
      .tick(20 * S);
    expect(d.states()).toEqual(['running']);
    expect(d.diagnostics.filter((x) => x.code === 'BAD_VALUE')).toHaveLength(1);
  });

  it('a consumer that throws is reported and does not break the core', () => {
    const d = started();
    d.core.on(() => {
      throw new Error('consumer bug');
    });
    d.poll(10 * S, { 'plc1.fault': 7 })
      .poll(20 * S, { 'plc1.fault': 0 })
      .tick(20 * S);
    expect(d.states()).toEqual(['running', 'down:jam', 'running']);
    expect(d.diagnostics.some((x) => x.code === 'LISTENER_FAILED')).toBe(true);
  });

  it('event ids are unique and seq increases strictly per station', () => {
    const d = started();
    for (let i = 1; i <= 50; i++) d.poll(i * 10 * S, { 'plc1.count': i, 'plc1.fault': i % 7 === 0 ? 7 : 0 });
    d.run(10 * MIN, 10 * S);
    const ids = d.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = d.events.filter((e) => e.station === 'press').map((e) => e.seq);
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number))).toBe(true);
    expect(d.events[0]?.id).toMatch(/^press-\d{9}$/);
  });
});
