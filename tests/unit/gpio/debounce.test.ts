/**
 * The pulse filter decides what a part sensor's pin means: one part per real pulse, none for
 * contact bounce or a glitch, and the pulse stamped when it began. Time is fake: every edge
 * carries its own timestamp and `flush` stands in for the source's timer.
 */
import { describe, expect, it } from 'vitest';
import { PulseFilter, type LevelChange, type PulseFilterSettings } from '../../../src/sources/gpio/debounce.js';
import type { Level } from '../../../src/sources/gpio/driver.js';

type Edge = readonly [monoMs: number, level: Level];

interface Run {
  readonly changes: LevelChange[];
  readonly filter: PulseFilter;
}

const base: PulseFilterSettings = { debounceMs: 1, glitchFilterMs: 0, edge: 'rising', activeLow: false };

/** Feeds edges in order, then flushes at `flushAtMs` (default: long after the last edge). */
function run(
  settings: Partial<PulseFilterSettings>,
  edges: readonly Edge[],
  options: { initial?: Level; flushAtMs?: number } = {},
): Run {
  const changes: LevelChange[] = [];
  const filter = new PulseFilter({ ...base, ...settings }, options.initial ?? 0, 0, (c) => changes.push(c));
  for (const [t, level] of edges) filter.push(level, t);
  const last = edges.length > 0 ? (edges[edges.length - 1] as Edge)[0] : 0;
  filter.flush(options.flushAtMs ?? last + 10_000);
  return { changes, filter };
}

/** A clean pulse from `startMs` lasting `widthMs`. */
function pulse(startMs: number, widthMs: number): Edge[] {
  return [
    [startMs, 1],
    [startMs + widthMs, 0],
  ];
}

/** Contact bounce: the level goes to `toLevel` at `startMs`, then toggles at each gap (an even number of gaps ends on `toLevel`). */
function bounce(startMs: number, gapsMs: readonly number[], toLevel: Level): Edge[] {
  const edges: Edge[] = [[startMs, toLevel]];
  let t = startMs;
  let level: Level = toLevel;
  for (const gap of gapsMs) {
    t += gap;
    level = (1 - level) as Level;
    edges.push([t, level]);
  }
  return edges;
}

describe('contact bounce gives one count', () => {
  const cases: { name: string; debounceMs: number; gaps: number[] }[] = [
    { name: 'gaps of 1 ms', debounceMs: 6, gaps: [1, 1, 1, 1] },
    { name: 'a single bounce', debounceMs: 6, gaps: [2, 3] },
    { name: 'gaps of 1-5 ms', debounceMs: 6, gaps: [1, 3, 5, 2, 4, 1] },
    { name: 'gaps of 5 ms with a 10 ms debounce', debounceMs: 10, gaps: [5, 5, 5, 5] },
    { name: 'gaps rising 1..5 ms', debounceMs: 6, gaps: [1, 2, 3, 4, 5, 4, 3, 2] },
  ];
  it.each(cases)('$name on press and release', ({ debounceMs, gaps }) => {
    const press = bounce(100, gaps, 1);
    const release = bounce(300, gaps, 0);
    const { changes, filter } = run({ debounceMs }, [...press, ...release]);
    expect(filter.count).toBe(1);
    expect(changes.map((c) => c.level)).toEqual([1, 0]);
    // Stamped at the first edge of each burst, not when the debounce expired.
    expect(changes[0]?.monoMs).toBe(100);
    expect(changes[1]?.monoMs).toBe(300);
    expect(filter.stats().bouncesRejected).toBe(0);
  });

  it('a burst that settles back where it started is no change at all', () => {
    const { changes, filter } = run({ debounceMs: 6 }, bounce(100, [1, 2, 3], 1));
    expect(changes).toEqual([]);
    expect(filter.count).toBe(0);
    expect(filter.stats().bouncesRejected).toBe(1);
  });
});

describe('real short pulses are kept', () => {
  it('a clean 2 ms pulse with 1 ms debounce is counted, stamped at its edges', () => {
    const { changes, filter } = run({ debounceMs: 1 }, pulse(50, 2));
    expect(filter.count).toBe(1);
    expect(changes).toEqual([
      { level: 1, monoMs: 50, counted: true, count: 1 },
      { level: 0, monoMs: 52, counted: false, count: 1 },
    ]);
  });

  it('a pulse exactly as long as the debounce counts; a shorter one does not', () => {
    expect(run({ debounceMs: 1 }, pulse(10, 1)).filter.count).toBe(1);
    expect(run({ debounceMs: 1 }, pulse(10, 0.5)).filter.count).toBe(0);
  });

  it('with debounce 0 every edge counts, even a zero-width pulse', () => {
    expect(run({ debounceMs: 0 }, [...pulse(10, 0), ...pulse(20, 0.1)]).filter.count).toBe(2);
  });
});

describe('the glitch filter drops short pulses after debounce', () => {
  const cases: { name: string; glitchFilterMs: number; edges: Edge[]; count: number; levels: Level[] }[] = [
    { name: 'a 3 ms spike with a 5 ms filter', glitchFilterMs: 5, edges: pulse(10, 3), count: 0, levels: [] },
    { name: 'a 6 ms pulse with a 5 ms filter', glitchFilterMs: 5, edges: pulse(10, 6), count: 1, levels: [1, 0] },
    { name: 'a pulse exactly as long as the filter', glitchFilterMs: 5, edges: pulse(10, 5), count: 1, levels: [1, 0] },
    {
      name: 'a 2 ms dropout inside a 100 ms pulse',
      glitchFilterMs: 5,
      edges: [
        [10, 1],
        [50, 0],
        [52, 1],
        [110, 0],
      ],
      count: 1,
      levels: [1, 0],
    },
    { name: 'no filter keeps the 3 ms spike', glitchFilterMs: 0, edges: pulse(10, 3), count: 1, levels: [1, 0] },
  ];
  it.each(cases)('$name', ({ glitchFilterMs, edges, count, levels }) => {
    const { changes, filter } = run({ debounceMs: 1, glitchFilterMs }, edges);
    expect(filter.count).toBe(count);
    expect(changes.map((c) => c.level)).toEqual(levels);
  });

  it('a pulse with bounce on both edges is measured from burst start to burst start', () => {
    // Pulse 10..16 with 2 ms bursts on each edge: 6 ms from first edge to first edge.
    const edges = [...bounce(10, [0.5, 0.5, 1, 0.5], 1), ...bounce(16, [0.5, 0.5, 1, 0.5], 0)];
    expect(run({ debounceMs: 1, glitchFilterMs: 5 }, edges).filter.count).toBe(1);
    expect(run({ debounceMs: 1, glitchFilterMs: 7 }, edges).filter.count).toBe(0);
  });
});

describe('edge selection and active-low', () => {
  const twoPulses = [...pulse(10, 20), ...pulse(50, 20)];
  const cases: {
    edge: PulseFilterSettings['edge'];
    activeLow: boolean;
    initial: Level;
    edges: Edge[];
    count: number;
  }[] = [
    { edge: 'rising', activeLow: false, initial: 0, edges: twoPulses, count: 2 },
    { edge: 'falling', activeLow: false, initial: 0, edges: twoPulses, count: 2 },
    { edge: 'both', activeLow: false, initial: 0, edges: twoPulses, count: 4 },
    // Active-low sensor: idle high, a part pulls the pin low. "rising" = becoming active.
    {
      edge: 'rising',
      activeLow: true,
      initial: 1,
      edges: [
        [10, 0],
        [30, 1],
        [50, 0],
        [70, 1],
      ],
      count: 2,
    },
  ];
  it.each(cases)('edge $edge, activeLow $activeLow counts $count', ({ edge, activeLow, initial, edges, count }) => {
    const { filter } = run({ edge, activeLow }, edges, { initial });
    expect(filter.count).toBe(count);
  });

  it('active-low reports the logical level: a pin held low is level 1', () => {
    const { changes, filter } = run({ activeLow: true }, [[10, 0]], { initial: 1 });
    expect(changes).toEqual([{ level: 1, monoMs: 10, counted: true, count: 1 }]);
    expect(filter.level).toBe(1);
  });

  it('a falling-edge input counts the part when it leaves the sensor, stamped then', () => {
    const { changes } = run({ edge: 'falling' }, pulse(10, 20));
    expect(changes.filter((c) => c.counted).map((c) => c.monoMs)).toEqual([30]);
  });
});

describe('decisions wait for time, and flush releases them', () => {
  it('the last pulse is held until flush passes its debounce, then released', () => {
    const changes: LevelChange[] = [];
    const filter = new PulseFilter({ ...base, debounceMs: 5 }, 0, 0, (c) => changes.push(c));
    filter.push(1, 100);
    expect(filter.nextDecisionMs()).toBe(105);
    filter.flush(104.9);
    expect(changes).toEqual([]);
    filter.flush(105);
    expect(changes).toEqual([{ level: 1, monoMs: 100, counted: true, count: 1 }]);
    expect(filter.nextDecisionMs()).toBeUndefined();
  });

  it('with a glitch filter, the change waits for the filter too', () => {
    const changes: LevelChange[] = [];
    const filter = new PulseFilter({ ...base, debounceMs: 1, glitchFilterMs: 10 }, 0, 0, (c) => changes.push(c));
    filter.push(1, 100);
    filter.flush(101);
    expect(changes).toEqual([]);
    expect(filter.nextDecisionMs()).toBe(110);
    filter.flush(110);
    expect(changes.map((c) => c.monoMs)).toEqual([100]);
  });

  it('an edge older than a decision already made is moved up to it, and nothing is lost', () => {
    const changes: LevelChange[] = [];
    const filter = new PulseFilter({ ...base, debounceMs: 1 }, 0, 0, (c) => changes.push(c));
    filter.push(1, 10);
    filter.flush(20);
    filter.push(0, 15); // delivered late
    filter.flush(40);
    expect(changes.map((c) => [c.level, c.monoMs])).toEqual([
      [1, 10],
      [0, 20],
    ]);
    expect(filter.stats().lateEdges).toBe(1);
  });

  it('a repeated level from the driver is no edge', () => {
    const { filter } = run({}, [
      [10, 1],
      [11, 1],
      [20, 0],
      [21, 0],
    ]);
    expect(filter.count).toBe(1);
    expect(filter.stats().repeatedEdges).toBe(2);
  });
});

describe('no pulse is lost at part-sensor rates', () => {
  it('a 50 Hz train for a virtual minute counts exactly 3000', () => {
    const edges: Edge[] = [];
    for (let i = 0; i < 50 * 60; i++) edges.push(...pulse(1_000 + i * 20, 10));
    const { filter } = run({ debounceMs: 1 }, edges);
    expect(filter.count).toBe(3000);
  });

  it('a 50 Hz train with 1-3 ms contact bounce on every edge and a 5 ms debounce counts exactly 3000', () => {
    const edges: Edge[] = [];
    for (let i = 0; i < 50 * 60; i++) {
      const t = 1_000 + i * 20;
      edges.push(...bounce(t, [1, 0.5, 1.5, 0.5], 1), ...bounce(t + 10, [0.5, 1, 1.5, 0.25], 0));
    }
    const { filter, changes } = run({ debounceMs: 4, glitchFilterMs: 2 }, edges);
    expect(filter.count).toBe(3000);
    // Every pulse is stamped at its first edge: 20 ms apart, exactly.
    const rises = changes.filter((c) => c.level === 1).map((c) => c.monoMs);
    expect(rises.every((t, i) => i === 0 || t - (rises[i - 1] as number) === 20)).toBe(true);
  });

  it('random pulse trains with random bounce: every pulse counted once (seeded)', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 20; trial++) {
      const edges: Edge[] = [];
      let t = 0;
      const pulses = 200 + Math.floor(random() * 200);
      for (let i = 0; i < pulses; i++) {
        t += 10 + random() * 40; // gap before the pulse, > debounce + glitch
        const gaps = Array.from({ length: Math.floor(random() * 4) * 2 }, () => 0.1 + random() * 1.4);
        edges.push(...bounce(t, gaps, 1));
        t += 10 + random() * 30; // pulse width
        edges.push(...bounce(t, gaps, 0));
      }
      const { filter } = run({ debounceMs: 2, glitchFilterMs: 3 }, edges);
      expect(filter.count).toBe(pulses);
    }
  });
});
