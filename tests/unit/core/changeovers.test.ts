/**
 * Changeovers (docs/oee.md#changeovers) beyond the golden cases: the setup loss in the shift's
 * figures and Pareto, planned changeovers, an operator's product change, a PLC changeover bit,
 * and a restart in the middle of one.
 */
import { describe, expect, it } from 'vitest';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { config, Driver, MIN, S } from './helpers.js';

const SHIFT = `shifts:\n  timezone: UTC\n  shifts: [{ name: day, start: "00:00", end: "23:59" }]`;

function line(options: { planned?: boolean; bit?: boolean } = {}) {
  return config(`
site: { enterprise: acme, site: plant }
agent: { oeeInterval: 24h }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: product, address: 1 }
      - { name: setup, address: 2, type: bit, bit: 0 }
      - { name: fault, address: 3 }
reasons:
  - { id: jam, label: Jam }
products:
  - { id: a, code: 1, idealCycleTime: 10s }
  - { id: b, code: 2, idealCycleTime: 10s, changeoverTarget: 5m }
${SHIFT}
lines:
  - id: line1
    productCode: plc1.product
    changeovers: { planned: ${options.planned ?? false} }
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.count, faultCode: plc1.fault${options.bit === true ? ', changeover: plc1.setup' : ''} }
        faultReasons: { "7": jam }
`);
}

/** Parts every 10 s over (from, to], then the code changes at `to` + 1 s; setup lasts `setupS`. */
function changeover(d: Driver, count: { n: number }, from: number, to: number, code: number, setupS: number): number {
  for (let t = from + 10 * S; t <= to; t += 10 * S) d.poll(t, { 'plc1.count': ++count.n }).tick(t);
  d.poll(to + S, { 'plc1.product': code }).tick(to + S);
  const first = to + S + setupS * S + 10 * S;
  for (let t = to + 5 * S; t < first; t += 5 * S) d.tick(t);
  d.poll(first, { 'plc1.count': ++count.n }).tick(first);
  return first;
}

function shift(d: Driver) {
  const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
  if (f === undefined) throw new Error('no shift figures');
  return f;
}

describe('changeovers', () => {
  it('are setup downtime in the shift: availability, the Pareto (reason "changeover") and the events', () => {
    const d = new Driver(line()).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    const count = { n: 0 };
    const t = changeover(d, count, 0, 10 * MIN, 2, 240);
    d.run(t + MIN, 10 * S);
    const f = shift(d);
    expect(f.downtimeByReason).toEqual({ changeover: 240 * S });
    expect(f.downtimeMs).toBe(240 * S);
    const [started, ended] = d.of('changeover');
    expect(started).toMatchObject({ phase: 'started', from: 'a', to: 'b', targetMs: 5 * MIN, planned: false });
    expect(ended).toMatchObject({ phase: 'ended', changeoverId: started?.id, durationMs: 240 * S });
    expect(d.of('downtime')[0]).toMatchObject({ reason: 'changeover', category: 'setup' });
  });

  it('planned by config: planned stop, outside availability, still a changeover event', () => {
    const d = new Driver(line({ planned: true })).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    const count = { n: 0 };
    changeover(d, count, 0, 10 * MIN, 2, 240);
    const f = shift(d);
    expect(f.downtimeMs).toBe(0);
    expect(f.availability).toBe(1);
    expect(d.states()).toContain('planned_stop:changeover');
    expect(d.of('changeover').map((e) => [e.phase, e.planned])).toEqual([
      ['started', true],
      ['ended', true],
    ]);
  });

  it("an operator's product change starts one too; another change before a good part keeps it and retargets it", () => {
    const d = new Driver(line()).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    d.poll(10 * S, { 'plc1.count': 1 }).tick(10 * S);
    d.clock.mono = 15 * S;
    d.core.setProduct({ line: 'line1' }, 'b', { user: 'anna' });
    d.run(60 * S, 5 * S);
    expect(d.states()).toEqual(['running', 'down:changeover']);
    d.clock.mono = 65 * S;
    d.core.setProduct({ line: 'line1' }, 'a', { user: 'anna' });
    d.poll(90 * S, { 'plc1.count': 2 }).tick(90 * S);
    const ended = d.of('changeover').at(-1);
    expect(ended).toMatchObject({ phase: 'ended', from: 'a', to: 'a', durationMs: 65 * S });
    expect(d.of('changeover')).toHaveLength(2);
  });

  it('with a PLC changeover bit, the bit says when (a product change alone starts none)', () => {
    const d = new Driver(line({ bit: true })).poll(0, { 'plc1.count': 0, 'plc1.product': 1, 'plc1.setup': false });
    d.tick(0)
      .poll(10 * S, { 'plc1.count': 1 })
      .tick(10 * S);
    d.poll(20 * S, { 'plc1.setup': true }).tick(20 * S);
    d.poll(30 * S, { 'plc1.product': 2 }).run(300 * S, 10 * S);
    d.poll(310 * S, { 'plc1.setup': false }).tick(310 * S);
    expect(d.of('changeover').map((e) => [e.phase, e.trigger, e.to, e.durationMs])).toEqual([
      ['started', 'plc', 'a', undefined],
      ['ended', 'plc', 'a', 290 * S],
    ]);
    expect(d.states()).toEqual(['running', 'down:changeover', 'running']);
  });

  it('what the changeover hid applies from its end: a fault that outlasts it is downtime from there', () => {
    const d = new Driver(line()).poll(0, { 'plc1.count': 0, 'plc1.product': 1, 'plc1.fault': 0 }).tick(0);
    d.poll(10 * S, { 'plc1.count': 1 })
      .poll(11 * S, { 'plc1.product': 2 })
      .run(100 * S, 5 * S);
    d.poll(100 * S, { 'plc1.fault': 7 }).run(245 * S, 5 * S); // a jam during the setup: hidden
    d.poll(245 * S, { 'plc1.fault': 0 }).tick(245 * S);
    d.poll(251 * S, { 'plc1.count': 2 }).tick(251 * S); // the first part of b began at 241 s
    expect(d.states()).toEqual(['running', 'down:changeover', 'down:jam', 'running']);
    const jam = d.of('downtime').filter((e) => e.reason === 'jam');
    expect(jam.map((e) => [e.phase, e.start - d.clock.wallAtZero, e.durationMs])).toEqual([
      ['started', 241 * S, undefined],
      ['ended', 241 * S, 4 * S],
    ]);
    expect(d.of('changeover').at(-1)).toMatchObject({ phase: 'ended', durationMs: 230 * S });
  });

  it('a restart in the middle of a changeover continues it; it ends at the first good part after', () => {
    const cfg = line();
    const d = new Driver(cfg).poll(0, { 'plc1.count': 0, 'plc1.product': 1 }).tick(0);
    d.poll(10 * S, { 'plc1.count': 1 })
      .poll(11 * S, { 'plc1.product': 2 })
      .run(60 * S, 5 * S);
    const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;
    const again = new Driver(cfg, { restore: saved, wallAtZero: d.clock.wallAtZero + 70 * S });
    again.poll(0, { 'plc1.count': 1, 'plc1.product': 2 }).run(60 * S, 5 * S);
    expect(again.core.snapshot()[0]?.stations[0]?.state).toBe('down');
    again.poll(70 * S, { 'plc1.count': 2 }).tick(70 * S);
    const ended = again.of('changeover').at(-1);
    expect(ended).toMatchObject({ phase: 'ended', changeoverId: d.of('changeover')[0]?.id, from: 'a', to: 'b' });
    // From the change (11 s) to the start of the first part of b (70 s after the restart at 70 s, minus 10 s).
    expect(ended?.durationMs).toBe(130 * S - 11 * S);
  });
});
