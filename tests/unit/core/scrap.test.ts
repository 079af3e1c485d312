/**
 * Scrap reasons (docs/oee.md#scrap-reasons): per-reason reject counters say why parts were
 * rejected; rejects after a changeover are start-up rejects until N good parts or T after it;
 * an operator scraps parts counted good; all of it in the shift's figures, and across a restart.
 */
import { describe, expect, it } from 'vitest';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { config, Driver, MIN, MONDAY_UTC, S } from './helpers.js';

const SIX = 6 * 3600_000;

/** press (output), 10 s; products a (code 1) and b (code 2); scrap reasons burr and crack. */
function scrapLine(options: { rejectCount?: boolean; startup?: string } = {}) {
  const withRegister = options.rejectCount ?? true;
  return config(`
site: { enterprise: acme, site: plant }
agent: { oeeInterval: 24h }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: reject, address: 1 }
      - { name: burr, address: 2 }
      - { name: crack, address: 3 }
      - { name: product, address: 4 }
scrapReasons:
  - { id: burr, label: Burr on the edge }
  - { id: crack, label: Crack }
  - { id: dimension, label: Out of tolerance }
products:
  - { id: a, code: 1, idealCycleTime: 10s }
  - { id: b, code: 2, idealCycleTime: 10s }
shifts:
  timezone: UTC
  shifts: [{ name: early, start: "06:00", end: "14:00" }]
lines:
  - id: line1
    productCode: plc1.product
    ${options.startup !== undefined ? `changeovers: { startup: ${options.startup} }` : ''}
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.count${withRegister ? ', rejectCount: plc1.reject' : ''} }
        scrapCounts: { burr: plc1.burr, crack: plc1.crack }
`);
}

interface Counts {
  n: number;
  reject: number;
  burr: number;
  crack: number;
  product: number;
}

function start(cfg = scrapLine()): { d: Driver; c: Counts } {
  const d = new Driver(cfg, { wallAtZero: MONDAY_UTC });
  const c = { n: 0, reject: 0, burr: 0, crack: 0, product: 1 };
  d.poll(SIX, { 'plc1.count': 0, 'plc1.reject': 0, 'plc1.burr': 0, 'plc1.crack': 0, 'plc1.product': 1 }).tick(SIX);
  return { d, c };
}

/** One part at `t`; `why` makes it a reject (counted by the reject register and the reason's counter). */
function part(d: Driver, c: Counts, t: number, why?: 'burr' | 'crack' | 'unknown'): void {
  c.n++;
  if (why !== undefined) c.reject++;
  if (why === 'burr') c.burr++;
  if (why === 'crack') c.crack++;
  d.poll(t, {
    'plc1.count': c.n,
    'plc1.reject': c.reject,
    'plc1.burr': c.burr,
    'plc1.crack': c.crack,
    'plc1.product': c.product,
  }).tick(t);
}

function shift(d: Driver) {
  const f = d.core.snapshot()[0]?.stations[0]?.oee.shift?.figures;
  if (f === undefined) throw new Error('no shift figures');
  return f;
}

describe('scrap reasons', () => {
  it('each reject takes the reason its counter gives; one no counter explains is unassigned', () => {
    const { d, c } = start();
    const why: Array<'burr' | 'crack' | 'unknown' | undefined> = [
      undefined,
      'burr',
      undefined,
      'crack',
      'unknown',
      'burr',
    ];
    why.forEach((w, i) => part(d, c, SIX + (i + 1) * 10 * S, w));
    const rejects = d.of('cycle').filter((e) => !e.good);
    expect(rejects.map((e) => e.scrapReason)).toEqual(['burr', 'crack', 'unassigned', 'burr']);
    expect(shift(d).counts).toEqual({ total: 6, good: 2, reject: 4 });
    expect(shift(d).rejects).toEqual({ startup: 0, production: 4, byReason: { burr: 2, crack: 1, unassigned: 1 } });
  });

  it('without a reject counter register, the per-reason counters are the rejects', () => {
    const { d, c } = start(scrapLine({ rejectCount: false }));
    ['burr', undefined, 'crack', 'crack'].forEach((w, i) =>
      part(d, c, SIX + (i + 1) * 10 * S, w as 'burr' | 'crack' | undefined),
    );
    expect(shift(d).counts).toEqual({ total: 4, good: 1, reject: 3 });
    expect(shift(d).rejects?.byReason).toEqual({ burr: 1, crack: 2 });
  });

  it('rejects from a changeover until its 3rd good part are start-up rejects; later ones production rejects', () => {
    const { d, c } = start(scrapLine({ startup: '{ goodParts: 3 }' }));
    part(d, c, SIX + 10 * S, 'burr'); // before any changeover: production
    c.product = 2;
    d.poll(SIX + 20 * S, { 'plc1.product': 2 }).tick(SIX + 20 * S);
    d.run(SIX + 5 * MIN, 5 * S); // setup
    let t = SIX + 5 * MIN;
    const next = (w?: 'burr' | 'crack') => part(d, c, (t += 10 * S), w);
    next('crack'); // trial part, changeover still on: start-up
    next(); // 1st good: the changeover ends
    next('burr'); // start-up
    next(); // 2nd good
    next(); // 3rd good: the window closes
    next('burr'); // production
    const rejects = d.of('cycle').filter((e) => !e.good);
    expect(rejects.map((e) => [e.scrapReason, e.startup === true])).toEqual([
      ['burr', false],
      ['crack', true],
      ['burr', true],
      ['burr', false],
    ]);
    expect(d.of('changeover').map((e) => e.phase)).toEqual(['started', 'ended']);
    expect(shift(d).rejects).toEqual({ startup: 2, production: 2, byReason: { burr: 3, crack: 1 } });
  });

  it('a start-up window with a duration closes that long after the changeover ended', () => {
    const { d, c } = start(scrapLine({ startup: '{ duration: 2m }' }));
    part(d, c, SIX + 10 * S);
    c.product = 2;
    d.poll(SIX + 20 * S, { 'plc1.product': 2 }).tick(SIX + 20 * S);
    d.run(SIX + 5 * MIN, 5 * S);
    part(d, c, SIX + 5 * MIN + 10 * S); // 1st good part: began at 05:00 - the changeover ends then
    part(d, c, SIX + 6 * MIN, 'burr'); // 1 min after: start-up
    part(d, c, SIX + 7 * MIN + 30 * S, 'crack'); // 2.5 min after: production
    expect(
      d
        .of('cycle')
        .filter((e) => !e.good)
        .map((e) => e.startup === true),
    ).toEqual([true, false]);
  });

  it('an operator scraps parts counted good: quality and the running order follow; more than were made is refused', () => {
    const { d, c } = start();
    d.core.startOrder('line1', { id: 'o1', quantity: 100 });
    for (let i = 1; i <= 10; i++) part(d, c, SIX + i * 10 * S);
    const by = { user: 'anna', role: 'operator', via: 'login' };
    expect(d.core.recordScrap('press', 'dimension', 3, by)).toEqual({ ok: true, count: 3 });
    expect(shift(d).counts).toEqual({ total: 10, good: 7, reject: 3 });
    expect(shift(d).quality).toBeCloseTo(0.7, 9);
    expect(shift(d).rejects?.byReason).toEqual({ dimension: 3 });
    expect(d.of('scrap')).toMatchObject([{ station: 'press', reason: 'dimension', count: 3, shift: 'early', by }]);
    expect(d.core.snapshot()[0]?.order).toMatchObject({ good: 7, reject: 3, remaining: 93 });
    expect(d.core.recordScrap('press', 'dimension', 8)).toMatchObject({ ok: false, code: 'NOT_ENOUGH_GOOD' });
    expect(d.core.recordScrap('press', 'paint', 1)).toMatchObject({ ok: false, code: 'UNKNOWN_SCRAP_REASON' });
    expect(d.core.recordScrap('weld', 'burr', 1)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(shift(d).counts.good).toBe(7);
  });

  it('reason credits, an open start-up window and the split survive a restart', () => {
    const { d, c } = start(scrapLine({ startup: '{ goodParts: 3 }' }));
    c.product = 2;
    d.poll(SIX + 10 * S, { 'plc1.product': 2 }).tick(SIX + 10 * S);
    d.run(SIX + 2 * MIN, 5 * S);
    part(d, c, SIX + 2 * MIN + 10 * S); // 1st good: changeover ends, window open for 2 more
    part(d, c, SIX + 2 * MIN + 20 * S, 'burr');
    // The crack counter moves a read before its part is counted: a credit waiting in the checkpoint.
    c.crack++;
    d.poll(SIX + 2 * MIN + 25 * S, { 'plc1.crack': c.crack }).tick(SIX + 2 * MIN + 25 * S);
    const saved = JSON.parse(JSON.stringify(d.core.checkpoint())) as CoreCheckpoint;

    const values = () => ({
      'plc1.count': c.n,
      'plc1.reject': c.reject,
      'plc1.burr': c.burr,
      'plc1.crack': c.crack,
      'plc1.product': 2,
    });
    const d2 = new Driver(scrapLine({ startup: '{ goodParts: 3 }' }), { wallAtZero: MONDAY_UTC, restore: saved });
    d2.poll(SIX + 2 * MIN + 30 * S, values()).tick(SIX + 2 * MIN + 30 * S);
    // The part with the crack: a start-up reject with its reason from before the restart.
    c.n++;
    c.reject++;
    d2.poll(SIX + 2 * MIN + 40 * S, values()).tick(SIX + 2 * MIN + 40 * S);
    const rejects = d2.of('cycle').filter((e) => !e.good);
    expect(rejects.map((e) => [e.scrapReason, e.startup === true])).toEqual([['crack', true]]);
    expect(d2.core.snapshot()[0]?.stations[0]?.oee.shift?.figures.rejects).toEqual({
      startup: 2,
      production: 0,
      byReason: { burr: 1, crack: 1 },
    });
  });
});
