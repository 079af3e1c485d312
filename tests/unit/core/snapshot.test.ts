/** What the dashboard reads: cheap, side-effect free, and consistent with the events. */
import { describe, expect, it } from 'vitest';
import { Driver, H, MIN, MONDAY_UTC, oneStation, S } from './helpers.js';

const SHIFTS = `
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon], breaks: [{ name: breakfast, start: "09:00", duration: 15m }] }
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

describe('snapshot', () => {
  it('shows the state, the open downtime, the shift and the line figures, and emits nothing', () => {
    const d = new Driver(oneStation({ shifts: SHIFTS }), { wallAtZero: MONDAY_UTC + 6 * H });
    d.poll(0, ALL_OK);
    for (let i = 1; i <= 30; i++) d.poll(i * 10 * S, { 'plc1.count': i });
    d.poll(301 * S, { 'plc1.fault': 8, 'plc1.running': false }).run(6 * MIN, 10 * S);
    const eventsBefore = d.events.length;
    const [line] = d.core.snapshot();
    expect(d.events.length).toBe(eventsBefore);
    expect(line?.shift).toMatchObject({
      name: 'early',
      key: 'early@2025-01-06',
      start: MONDAY_UTC + 6 * H,
      end: MONDAY_UTC + 14 * H,
    });
    expect(line?.plannedStop).toBeUndefined();
    const st = line?.stations[0];
    expect(st).toMatchObject({
      id: 'press',
      state: 'down',
      reason: 'hydraulic',
      since: MONDAY_UTC + 6 * H + 301 * S,
      commsOk: true,
      lastCycleTimeMs: 10 * S,
    });
    expect(st?.openDowntime).toMatchObject({
      reason: 'hydraulic',
      faultCode: 8,
      start: MONDAY_UTC + 6 * H + 301 * S,
      durationMs: 59 * S,
    });
    expect(st?.counts).toEqual({ total: 30, good: 30, reject: 0 });
    expect(st?.oee.shift?.figures.downtimeMs).toBe(59 * S);
    expect(line?.oee.shift?.figures).toEqual(st?.oee.shift?.figures);
    expect(line?.ts).toBe(MONDAY_UTC + 6 * H + 6 * MIN);
  });

  it('during a break the line shows the planned stop', () => {
    const d = new Driver(oneStation({ shifts: SHIFTS }), { wallAtZero: MONDAY_UTC + 9 * H });
    d.poll(0, ALL_OK).run(1 * MIN, 10 * S);
    const [line] = d.core.snapshot();
    expect(line?.plannedStop).toBe('breakfast');
    expect(line?.stations[0]).toMatchObject({ state: 'planned_stop', reason: 'breakfast' });
  });

  it('before any device answered, every station is comms_lost', () => {
    const d = new Driver(oneStation());
    d.tick(5 * S);
    expect(d.core.snapshot()[0]?.stations[0]).toMatchObject({ state: 'comms_lost', commsOk: false });
  });
});
