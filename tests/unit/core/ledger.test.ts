/**
 * The line's shift ledger: what a plant view sums. It must carry exactly the figures the stations'
 * own OEE events carry, in flow order, live every oeeInterval and once final per shift (again when
 * a reason of that shift is re-assigned), and nothing outside shifts.
 */
import { describe, expect, it } from 'vitest';
import { config, Driver, H, MIN, MONDAY_UTC, S } from './helpers.js';
import type { LedgerEvent, OeeEvent } from '../../../src/core/events.js';

function twoStations() {
  return config(`
site: { enterprise: acme, site: plant }
agent: { id: pi-line1, oeeInterval: 60s }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: a_count, address: 0 }
      - { name: a_running, address: 1, type: bit, bit: 0 }
      - { name: a_fault, address: 2 }
      - { name: b_count, address: 10 }
      - { name: b_running, address: 11, type: bit, bit: 0 }
      - { name: b_starved, address: 11, type: bit, bit: 1 }
reasons:
  - { id: jam, label: Jam }
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon] }
    - { name: late, start: "14:00", end: "22:00", days: [mon] }
lines:
  - id: line1
    outputStation: b
    stations:
      - id: a
        idealCycleTime: 10s
        trustRunningBit: true
        signals: { cycleCounter: plc1.a_count, running: plc1.a_running, faultCode: plc1.a_fault }
        faultReasons: { "7": jam }
      - id: b
        idealCycleTime: 8s
        trustRunningBit: true
        signals: { cycleCounter: plc1.b_count, running: plc1.b_running, starved: plc1.b_starved }
`);
}

function start(d: Driver): void {
  d.poll(0, {
    'plc1.a_count': 0,
    'plc1.a_running': true,
    'plc1.a_fault': 0,
    'plc1.b_count': 0,
    'plc1.b_running': true,
    'plc1.b_starved': false,
  }).tick(0);
}

/** 13:50 Monday: a 2-minute jam at a (b starved meanwhile), parts every 10 s, across 14:00. */
function runAcrossShiftEnd(d: Driver): void {
  start(d);
  let n = 0;
  for (let t = 10 * S; t <= 14 * MIN; t += 10 * S) {
    const jammed = t > 3 * MIN && t <= 6 * MIN;
    if (!jammed) n++;
    d.poll(t, {
      'plc1.a_count': n,
      'plc1.b_count': n,
      'plc1.a_fault': jammed ? 7 : 0,
      'plc1.a_running': !jammed,
      'plc1.b_starved': jammed,
    });
    d.tick(t);
  }
}

function ledgers(d: Driver): LedgerEvent[] {
  return d.of('ledger');
}

describe('the line ledger', () => {
  it('goes out with the OEE every oeeInterval: every station in flow order, the same figures as their OEE events', () => {
    const d = new Driver(twoStations(), { wallAtZero: MONDAY_UTC + 13 * H + 50 * MIN });
    runAcrossShiftEnd(d);
    const live = ledgers(d).filter((l) => !l.final);
    expect(live.length).toBeGreaterThanOrEqual(9);
    const last = live.filter((l) => l.window.shift === 'early').at(-1) as LedgerEvent;
    expect(last.agentId).toBe('pi-line1');
    expect(last.outputStation).toBe('b');
    expect(last.stations.map((s) => s.station)).toEqual(['a', 'b']);
    expect(last.window).toEqual({ shift: 'early', start: MONDAY_UTC + 6 * H, end: MONDAY_UTC + 14 * H });
    expect(last.id).toMatch(/^line1-\d{9}$/);
    // The station OEE events of the same tick carry the same figures.
    for (const s of last.stations) {
      const oee = d
        .of('oee')
        .find((e) => e.station === s.station && e.ts === last.ts && e.window.kind === 'shift') as OeeEvent;
      expect(s.figures).toEqual(oee.figures);
    }
  });

  it('is final once per shift, when the line finalized it: its times add up and the waits and downtime are split', () => {
    const d = new Driver(twoStations(), { wallAtZero: MONDAY_UTC + 13 * H + 50 * MIN });
    runAcrossShiftEnd(d);
    const finals = ledgers(d).filter((l) => l.final);
    expect(finals.map((l) => l.window.shift)).toEqual(['early']);
    const [a, b] = (finals[0] as LedgerEvent).stations;
    // a: 10 min of the early shift, 3 min of it down (jam); b starved those 3 min.
    expect(a?.figures.plannedTimeMs).toBe(10 * MIN);
    expect(a?.figures.downtimeMs).toBe(3 * MIN);
    expect(a?.figures.downtimeByReason).toEqual({ jam: 3 * MIN });
    expect(b?.figures.starvedMs).toBe(3 * MIN);
    expect(b?.figures.runTimeMs).toBe(7 * MIN);
    expect(b?.figures.idealMs).toBe((b?.figures.counts.total ?? 0) * 8 * S);
    for (const s of [a, b]) {
      const f = s?.figures;
      expect((f?.runTimeMs ?? 0) + (f?.downtimeMs ?? 0) + (f?.starvedMs ?? 0) + (f?.blockedMs ?? 0)).toBe(
        f?.plannedTimeMs,
      );
    }
    // The final ledger holds the final OEE figures of both stations.
    for (const s of [a, b]) {
      const oee = d.of('oee').find((e) => e.final && e.station === s?.station) as OeeEvent;
      expect(s?.figures).toEqual(oee.figures);
    }
  });

  it('is sent final again when an operator re-assigns a reason in the ended shift', () => {
    const d = new Driver(twoStations(), { wallAtZero: MONDAY_UTC + 13 * H + 50 * MIN });
    runAcrossShiftEnd(d);
    const downtimeId = d.of('downtime').find((e) => e.phase === 'started')?.downtimeId as string;
    expect(d.core.assignReason(downtimeId, 'unassigned')).toEqual({ ok: true });
    const finals = ledgers(d).filter((l) => l.final);
    expect(finals).toHaveLength(2);
    expect(finals[1]?.stations[0]?.figures.downtimeByReason).toEqual({ unassigned: 3 * MIN });
    expect(finals[1]?.stations[0]?.figures.plannedTimeMs).toBe(10 * MIN);
    expect(finals[1]?.seq).toBeGreaterThan(finals[0]?.seq as number);
  });

  it('is not sent outside shifts', () => {
    const d = new Driver(twoStations(), { wallAtZero: MONDAY_UTC + 2 * H });
    start(d);
    d.run(10 * MIN, 10 * S);
    expect(ledgers(d)).toEqual([]);
    expect(d.of('oee').length).toBeGreaterThan(0);
  });
});
