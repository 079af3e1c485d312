/**
 * The planner decides how many requests each poll costs. Expected plans are written out by hand
 * for the maps that trip pollers up: gaps, caps, mixed areas, 64-bit values at a cap boundary.
 */
import { describe, expect, it } from 'vitest';
import { ModbusTcpDevice } from '../../../src/config/schema-devices.js';
import { planReads, type ReadPlan } from '../../../src/sources/modbus/planner.js';

type TagInput = Record<string, unknown>;

function device(tags: TagInput[], extra: Record<string, unknown> = {}) {
  return ModbusTcpDevice.parse({ protocol: 'modbus-tcp', id: 'plc1', host: '127.0.0.1', tags, ...extra });
}

/** "holding 0..3 [a b]" per request: compact and readable in a failure diff. */
function shape(plan: ReadPlan): string[] {
  return plan.reads.map(
    (r) => `${r.area} ${r.start}..${r.start + r.count - 1} [${r.tags.map((t) => t.name).join(' ')}]`,
  );
}

describe('coalescing', () => {
  it('contiguous tags of mixed sizes become one request', () => {
    const plan = planReads(
      device([
        { name: 'count', address: 0 },
        { name: 'speed', address: 1, type: 'float32' },
        { name: 'energy', address: 3, type: 'uint64' },
      ]),
    );
    expect(shape(plan)).toEqual(['holding 0..6 [count speed energy]']);
  });

  it('tag order in the config does not matter', () => {
    const plan = planReads(
      device([
        { name: 'c', address: 2 },
        { name: 'a', address: 0 },
        { name: 'b', address: 1 },
      ]),
    );
    expect(shape(plan)).toEqual(['holding 0..2 [a b c]']);
  });

  it('a gap of exactly maxGap unused registers is bridged, one more splits', () => {
    const bridged = planReads(
      device(
        [
          { name: 'a', address: 0 },
          { name: 'b', address: 11 },
        ],
        { maxGap: 10 },
      ),
    );
    expect(shape(bridged)).toEqual(['holding 0..11 [a b]']);
    const split = planReads(
      device(
        [
          { name: 'a', address: 0 },
          { name: 'b', address: 12 },
        ],
        { maxGap: 10 },
      ),
    );
    expect(shape(split)).toEqual(['holding 0..0 [a]', 'holding 12..12 [b]']);
  });

  it('maxGap 0 reads only strictly contiguous runs (for PLCs that reject unmapped addresses)', () => {
    const plan = planReads(
      device(
        [
          { name: 'a', address: 0 },
          { name: 'b', address: 1 },
          { name: 'c', address: 3 },
        ],
        { maxGap: 0 },
      ),
    );
    expect(shape(plan)).toEqual(['holding 0..1 [a b]', 'holding 3..3 [c]']);
  });

  it('tags sharing a register (bits and a whole word) cost one register', () => {
    const plan = planReads(
      device([
        { name: 'status', address: 5 },
        { name: 'running', address: 5, type: 'bit', bit: 0 },
        { name: 'fault', address: 5, type: 'bit', bit: 3 },
      ]),
    );
    expect(shape(plan)).toEqual(['holding 5..5 [fault running status]']);
  });
});

describe('caps', () => {
  it('130 contiguous registers split at the 125-register protocol limit', () => {
    const tags = Array.from({ length: 130 }, (_, i) => ({ name: `r${i}`, address: i }));
    const plan = planReads(device(tags));
    expect(plan.reads.map((r) => [r.start, r.count])).toEqual([
      [0, 125],
      [125, 5],
    ]);
  });

  it('a lower per-device cap is honoured', () => {
    const tags = Array.from({ length: 20 }, (_, i) => ({ name: `r${i}`, address: i }));
    const plan = planReads(device(tags, { maxRegistersPerRequest: 8 }));
    expect(plan.reads.map((r) => [r.start, r.count])).toEqual([
      [0, 8],
      [8, 8],
      [16, 4],
    ]);
  });

  it('a 64-bit value that would straddle the cap boundary moves whole into the next request', () => {
    const plan = planReads(
      device(
        [
          ...Array.from({ length: 8 }, (_, i) => ({ name: `r${i}`, address: i })),
          { name: 'total', address: 8, type: 'float64' },
          { name: 'after', address: 12 },
        ],
        { maxRegistersPerRequest: 10 },
      ),
    );
    expect(plan.reads.map((r) => [r.start, r.count])).toEqual([
      [0, 8],
      [8, 5],
    ]);
    const total = plan.reads[1]?.tags.find((t) => t.name === 'total');
    expect(total).toMatchObject({ offset: 8, count: 4 });
    // Never split: every tag lies wholly inside its request.
    for (const read of plan.reads) {
      for (const tag of read.tags) {
        expect(tag.offset).toBeGreaterThanOrEqual(read.start);
        expect(tag.offset + tag.count).toBeLessThanOrEqual(read.start + read.count);
      }
    }
  });

  it('2000 coils per request, then a second request', () => {
    const tags = Array.from({ length: 2001 }, (_, i) => ({ name: `c${i}`, area: 'coil', address: i, type: 'bool' }));
    const plan = planReads(device(tags));
    expect(plan.reads.map((r) => [r.area, r.start, r.count, r.tags.length])).toEqual([
      ['coil', 0, 2000, 2000],
      ['coil', 2000, 1, 1],
    ]);
  });

  it('bits far apart are read separately when one wide read would cost more bits', () => {
    const tags = [
      { name: 'first', area: 'coil', address: 0, type: 'bool' },
      { name: 'middle', area: 'coil', address: 1000, type: 'bool' },
      { name: 'last', area: 'coil', address: 1999, type: 'bool' },
      { name: 'beyond', area: 'coil', address: 2000, type: 'bool' },
    ];
    // Two requests either way; {first} + {middle..beyond} reads 1 + 1001 bits, not 2000 + 1.
    expect(shape(planReads(device(tags, { maxGap: 124 })))).toEqual([
      'coil 0..0 [first]',
      'coil 1000..2000 [middle last beyond]',
    ]);
  });

  it('a string longer than the device cap is reported, not split', () => {
    const plan = planReads(
      device(
        [
          { name: 'model', address: 0, type: 'string', length: 20 },
          { name: 'count', address: 30 },
        ],
        { maxRegistersPerRequest: 16 },
      ),
    );
    expect(shape(plan)).toEqual(['holding 30..30 [count]']);
    expect(plan.invalid).toEqual([
      { tag: 'plc1.model', message: 'needs 20 registers but the device reads at most 16 per request' },
    ]);
  });
});

describe('areas and addressing', () => {
  it('mixed areas from Modicon addresses: one request per area, never mixed', () => {
    const plan = planReads(
      device([
        { name: 'hr', address: '40001' },
        { name: 'ir', address: '30001' },
        { name: 'co', address: '00001', type: 'bool' },
        { name: 'di', address: '10001', type: 'bool' },
        { name: 'hr2', address: '40002' },
      ]),
    );
    expect(shape(plan)).toEqual(['holding 0..1 [hr hr2]', 'input 0..0 [ir]', 'coil 0..0 [co]', 'discrete 0..0 [di]']);
  });

  it('addressBase 1 shifts plain addresses down by one', () => {
    const plan = planReads(
      device(
        [
          { name: 'a', address: 1 },
          { name: 'b', address: 10 },
        ],
        { addressBase: 1 },
      ),
    );
    expect(shape(plan)).toEqual(['holding 0..9 [a b]']);
  });

  it('bit areas bridge maxGap * 16 unused bits', () => {
    const near = planReads(
      device(
        [
          { name: 'a', area: 'discrete', address: 0, type: 'bool' },
          { name: 'b', area: 'discrete', address: 17, type: 'bool' },
        ],
        { maxGap: 1 },
      ),
    );
    expect(shape(near)).toEqual(['discrete 0..17 [a b]']);
    const far = planReads(
      device(
        [
          { name: 'a', area: 'discrete', address: 0, type: 'bool' },
          { name: 'b', area: 'discrete', address: 18, type: 'bool' },
        ],
        { maxGap: 1 },
      ),
    );
    expect(far.reads).toHaveLength(2);
  });

  it('tags carry their decode spec with the device order as default', () => {
    const plan = planReads(
      device(
        [
          { name: 'a', address: 0, type: 'float32' },
          { name: 'b', address: 2, type: 'float32', order: 'ABCD', scale: 2 },
        ],
        { order: 'CDAB' },
      ),
    );
    const [a, b] = plan.reads[0]?.tags ?? [];
    expect(a?.decode).toMatchObject({ type: 'float32', order: 'CDAB', scale: 1 });
    expect(b?.decode).toMatchObject({ type: 'float32', order: 'ABCD', scale: 2 });
    expect(a?.id).toBe('plc1.a');
  });

  it('an unresolvable tag is listed with the reason, the rest still planned', () => {
    const plan = planReads(
      device([
        { name: 'ok', address: 0 },
        { name: 'bad', address: 0, area: 'coil', type: 'float32' },
      ]),
    );
    expect(shape(plan)).toEqual(['holding 0..0 [ok]']);
    expect(plan.invalid[0]?.tag).toBe('plc1.bad');
    expect(plan.invalid[0]?.message).toMatch(/cannot be read from coils/);
  });
});

describe('optimality', () => {
  it('prefers the plan that reads fewer registers when request counts tie', () => {
    // a[0] b[5] c[10..13], cap 10: {a b}{c} and {a}{b c} both read 10 registers in 2 requests;
    // {a}{b}{c} (3 requests) is never chosen.
    const plan = planReads(
      device(
        [
          { name: 'a', address: 0 },
          { name: 'b', address: 5 },
          { name: 'c', address: 10, type: 'uint64' },
        ],
        { maxRegistersPerRequest: 10 },
      ),
    );
    expect(plan.reads).toHaveLength(2);
    expect(plan.reads.reduce((n, r) => n + r.count, 0)).toBe(10);
  });

  /** Smallest number of feasible groups over EVERY set partition (not only consecutive runs). */
  function bruteForceMinimum(spans: [number, number][], cap: number, gap: number): number {
    const feasible = (group: [number, number][]): boolean => {
      const sorted = [...group].sort((x, y) => x[0] - y[0]);
      let end = sorted[0]![0] + sorted[0]![1] - 1;
      for (const [o, c] of sorted.slice(1)) {
        if (o - (end + 1) > gap) return false;
        end = Math.max(end, o + c - 1);
      }
      return end - sorted[0]![0] + 1 <= cap;
    };
    let best = spans.length;
    const assign = (i: number, groups: [number, number][][]): void => {
      if (groups.length >= best) return;
      if (i === spans.length) {
        best = groups.length;
        return;
      }
      const span = spans[i]!;
      for (const g of groups) {
        g.push(span);
        if (feasible(g)) assign(i + 1, groups);
        g.pop();
      }
      groups.push([span]);
      assign(i + 1, groups);
      groups.pop();
    };
    assign(0, []);
    return best;
  }

  it('matches an exhaustive search over all groupings on 300 random small maps', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const types = [
      ['uint16', 1],
      ['float32', 2],
      ['float64', 4],
    ] as const;
    for (let trial = 0; trial < 300; trial++) {
      const cap = 2 + rand(8);
      const maxGap = rand(3);
      const tags = Array.from({ length: 3 + rand(5) }, (_, i) => {
        const [type, size] = types[rand(size3(cap))]!;
        return { name: `t${i}`, address: rand(16), type, size };
      });
      const plan = planReads(
        device(
          tags.map(({ size: _size, ...t }) => t),
          { maxRegistersPerRequest: cap, maxGap },
        ),
      );
      const expected = bruteForceMinimum(
        tags.map((t) => [t.address, t.size]),
        cap,
        maxGap,
      );
      expect(plan.reads.length, JSON.stringify({ cap, maxGap, tags })).toBe(expected);
    }
  });
});

/** How many of the type table fit a cap (a tag never exceeds the cap in these trials). */
function size3(cap: number): number {
  return cap >= 4 ? 3 : 2;
}
