/**
 * Starved and blocked time booked to the station that caused it (docs/oee.md#waits): a manager
 * reads "pack starved 5 min ← weld down: wire feed", not "Starved 5 min" beside an unrelated fault.
 */
import { describe, expect, it } from 'vitest';
import { config, Driver, MIN, MONDAY_UTC, H, S } from './helpers.js';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import type { OeeFigures, WaitShare } from '../../../src/core/events.js';

const STATIONS = ['press', 'weld', 'pack'] as const;
type Id = (typeof STATIONS)[number];

function threeStations() {
  const tags = STATIONS.map(
    (id, i) => `
      - { name: ${id}_count, address: ${i * 10} }
      - { name: ${id}_bits, address: ${i * 10 + 1} }
      - { name: ${id}_running, address: ${i * 10 + 2}, type: bit, bit: 0 }
      - { name: ${id}_starved, address: ${i * 10 + 2}, type: bit, bit: 1 }
      - { name: ${id}_blocked, address: ${i * 10 + 2}, type: bit, bit: 2 }
      - { name: ${id}_fault, address: ${i * 10 + 3} }`,
  ).join('');
  const stations = STATIONS.map(
    (id) => `
      - id: ${id}
        idealCycleTime: 10s
        trustRunningBit: true
        signals:
          cycleCounter: plc1.${id}_count
          running: plc1.${id}_running
          starved: plc1.${id}_starved
          blocked: plc1.${id}_blocked
          faultCode: plc1.${id}_fault
        faultReasons: { "7": wire_feed }`,
  ).join('');
  return config(`
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:${tags}
reasons:
  - { id: wire_feed, label: Wire feed fault }
  - { id: electrode, label: Electrode change }
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon] }
    - { name: late, start: "14:00", end: "22:00", days: [mon] }
lines:
  - id: line1
    stations:${stations}
`);
}

interface Bits {
  running?: boolean;
  starved?: boolean;
  blocked?: boolean;
  fault?: number;
}

class Line {
  readonly d: Driver;
  private readonly bits: Record<Id, Required<Bits>>;
  private count = 0;

  constructor(wallAtZero = MONDAY_UTC + 6 * H) {
    this.d = new Driver(threeStations(), { wallAtZero });
    this.bits = {
      press: { running: true, starved: false, blocked: false, fault: 0 },
      weld: { running: true, starved: false, blocked: false, fault: 0 },
      pack: { running: true, starved: false, blocked: false, fault: 0 },
    };
    this.poll(0);
  }

  set(at: number, changes: Partial<Record<Id, Bits>>): this {
    for (const id of STATIONS) Object.assign(this.bits[id], changes[id] ?? {});
    return this.poll(at);
  }

  /** Runs to `until`, a part every 10 s at every running station. */
  run(until: number): this {
    const from = this.d.clock.mono;
    for (let t = from + 10 * S; t <= until; t += 10 * S) {
      this.count++;
      this.poll(t);
    }
    return this;
  }

  private poll(at: number): this {
    const values: Record<string, number | boolean> = {};
    for (const id of STATIONS) {
      const b = this.bits[id];
      values[`plc1.${id}_count`] = this.count;
      values[`plc1.${id}_running`] = b.running;
      values[`plc1.${id}_starved`] = b.starved;
      values[`plc1.${id}_blocked`] = b.blocked;
      values[`plc1.${id}_fault`] = b.fault;
    }
    this.d.poll(at, values).tick(at);
    return this;
  }

  figures(id: Id): OeeFigures {
    const st = this.d.core.snapshot()[0]?.stations.find((s) => s.id === id);
    return st?.oee.shift?.figures as OeeFigures;
  }
}

function total(waits: readonly WaitShare[] | undefined): number {
  return (waits ?? []).reduce((sum, w) => sum + w.ms, 0);
}

describe('starved and blocked time by cause', () => {
  it('books the waits on both sides of a breakdown to it, with its reason', () => {
    const line = new Line().run(10 * MIN);
    line.set(10 * MIN, {
      weld: { running: false, fault: 7 },
      pack: { running: false, starved: true },
      press: { running: false, blocked: true },
    });
    line.set(15 * MIN, {
      weld: { running: true, fault: 0 },
      pack: { running: true, starved: false },
      press: { running: true, blocked: false },
    });
    line.run(20 * MIN);
    expect(line.figures('pack').waits).toEqual([
      { kind: 'starved', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 5 * MIN },
    ]);
    expect(line.figures('press').waits).toEqual([
      { kind: 'blocked', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 5 * MIN },
    ]);
    expect(line.figures('weld').waits).toBeUndefined();
    expect(line.figures('weld').downtimeByReason).toEqual({ wire_feed: 5 * MIN });
  });

  it('looks past stations that wait too; a wait nobody in the line explains comes from outside it', () => {
    const line = new Line().run(10 * MIN);
    // press is starved itself (no material): weld and pack starve behind it.
    line.set(10 * MIN, {
      press: { running: false, starved: true },
      weld: { running: false, starved: true },
      pack: { running: false, starved: true },
    });
    line.set(14 * MIN, {
      press: { running: true, starved: false },
      weld: { running: true, starved: false },
      pack: { running: true, starved: false },
    });
    line.run(15 * MIN);
    expect(line.figures('press').waits).toEqual([{ kind: 'starved', state: 'starved', ms: 4 * MIN }]);
    expect(line.figures('pack').waits).toEqual([{ kind: 'starved', state: 'starved', ms: 4 * MIN }]);
  });

  it('splits one wait when its cause changes: a small stop that becomes downtime, a reason assigned later, a slow but running cause', () => {
    const line = new Line().run(10 * MIN);
    // weld stops without a fault code: a small stop, downtime ("unassigned") from 2 min on.
    line.set(10 * MIN, { weld: { running: false }, pack: { running: false, starved: true } });
    line.d.run(13 * MIN, 10 * S);
    line.set(13 * MIN, { weld: { running: true } }); // weld runs again, pack still starved for 1 min
    line.d.run(14 * MIN, 10 * S);
    line.set(14 * MIN, { pack: { running: true, starved: false } });
    line.run(16 * MIN);
    const downtimeId = line.d.of('downtime').find((e) => e.station === 'weld')?.downtimeId as string;
    const waits = line.figures('pack').waits;
    // The small stop became downtime from its start, but the wait saw "small stop" until then.
    expect(waits).toEqual([
      { kind: 'starved', cause: 'weld', state: 'small_stop', ms: 2 * MIN },
      { kind: 'starved', cause: 'weld', state: 'down', reason: 'unassigned', ms: 1 * MIN },
      { kind: 'starved', cause: 'weld', state: 'running', ms: 1 * MIN },
    ]);
    expect(total(waits)).toBe(line.figures('pack').starvedMs);
    expect(line.d.core.assignReason(downtimeId, 'electrode')).toEqual({ ok: true });
    expect(line.figures('pack').waits?.find((w) => w.state === 'down')).toEqual({
      kind: 'starved',
      cause: 'weld',
      state: 'down',
      reason: 'electrode',
      ms: 1 * MIN,
    });
  });

  it('counts the open wait live, and a re-assigned reason follows an open breakdown', () => {
    const line = new Line().run(10 * MIN);
    line.set(10 * MIN, { weld: { running: false, fault: 7 }, pack: { running: false, starved: true } });
    line.d.run(13 * MIN, 10 * S);
    expect(line.figures('pack').waits).toEqual([
      { kind: 'starved', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 3 * MIN },
    ]);
    const downtimeId = line.d.of('downtime').find((e) => e.station === 'weld')?.downtimeId as string;
    line.d.core.assignReason(downtimeId, 'electrode');
    line.d.run(14 * MIN, 10 * S);
    expect(line.figures('pack').waits).toEqual([
      { kind: 'starved', cause: 'weld', state: 'down', reason: 'electrode', ms: 4 * MIN },
    ]);
  });

  it('keeps the attribution across a restart and in the final figures of the shift', () => {
    const line = new Line(MONDAY_UTC + 13 * H + 40 * MIN).run(5 * MIN);
    line.set(5 * MIN, { weld: { running: false, fault: 7 }, pack: { running: false, starved: true } });
    line.d.run(8 * MIN, 10 * S);
    // Another process, 30 s later: the gap is comms_lost, the wait before it keeps its cause.
    const restored = new Driver(threeStations(), {
      wallAtZero: MONDAY_UTC + 13 * H + 48 * MIN + 30 * S,
      restore: JSON.parse(JSON.stringify(line.d.core.checkpoint())) as CoreCheckpoint,
    });
    const pack = restored.core.snapshot()[0]?.stations.find((s) => s.id === 'pack')?.oee.shift?.figures;
    expect(pack?.waits?.[0]).toMatchObject({ cause: 'weld', state: 'down', reason: 'wire_feed' });
    expect(pack?.waits?.[0]?.ms).toBe(3 * MIN);
    // The original line runs on over the shift end: the final figures carry the waits.
    line.set(12 * MIN, { weld: { running: true, fault: 0 }, pack: { running: true, starved: false } });
    line.run(25 * MIN);
    const final = line.d.of('oee').find((e) => e.final && e.station === 'pack');
    expect(final?.figures.waits).toEqual([
      { kind: 'starved', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 7 * MIN },
    ]);
  });
});

describe('the station that constrains the line now', () => {
  it('is the station the others wait for, with its reason; the waiting stations say who they wait for', () => {
    const line = new Line().run(10 * MIN);
    line.set(10 * MIN, {
      weld: { running: false, fault: 7 },
      pack: { running: false, starved: true },
      press: { running: false, blocked: true },
    });
    line.d.run(12 * MIN, 10 * S);
    const snap = line.d.core.snapshot()[0];
    expect(snap?.constraint).toEqual({
      station: 'weld',
      why: 'down',
      reason: 'wire_feed',
      since: MONDAY_UTC + 6 * H + 10 * MIN,
      waiting: ['press', 'pack'],
    });
    expect(snap?.stations.find((s) => s.id === 'pack')?.waitingFor).toEqual({
      cause: 'weld',
      state: 'down',
      reason: 'wire_feed',
    });
  });

  it('is a stopped station nobody waits for yet; with everyone running, the one with the most run time per part', () => {
    const line = new Line().run(10 * MIN);
    line.set(10 * MIN, { press: { running: false } });
    line.d.run(10 * MIN + 30 * S, 10 * S);
    expect(line.d.core.snapshot()[0]?.constraint).toMatchObject({ station: 'press', why: 'small_stop', waiting: [] });
    line.set(11 * MIN, { press: { running: true } });
    // weld and pack idle 2 s of every 10 with their running bits low: press works longest per part.
    for (let t = 11 * MIN + 10 * S; t <= 20 * MIN; t += 10 * S) {
      line.set(t - 2 * S, { weld: { running: false }, pack: { running: false } });
      line.set(t, { weld: { running: true }, pack: { running: true } });
      line.run(t);
    }
    expect(line.d.core.snapshot()[0]?.constraint).toEqual({ station: 'press', why: 'slowest', waiting: [] });
  });

  it('is none on a break or outside shifts', () => {
    const line = new Line(MONDAY_UTC + 22 * H).run(10 * MIN);
    line.set(10 * MIN, { weld: { running: false, fault: 7 } });
    line.d.run(12 * MIN, 10 * S);
    expect(line.d.core.snapshot()[0]?.constraint).toBeUndefined();
  });
});
