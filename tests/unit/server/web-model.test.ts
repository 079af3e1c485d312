// The page's model (src/web/model.js) is plain browser JavaScript without DOM access: tested here
// directly, the same code the browser runs.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { applyDelta, applySnapshot, applySpanChange, createModel, paretoOf } from '../../../src/web/model.js';

interface Span {
  state: string;
  from: number;
  to?: number;
  reason?: string;
}

/** A Pareto bar (src/web/causes.js), as far as these tests read it. */
interface Item {
  label: string;
  ms: number;
  outside: boolean;
}

describe('page model', () => {
  it('replaces back-dated spans and reopens a span that continues the same state', () => {
    const spans: Span[] = [{ state: 'running', from: 0 }];
    applySpanChange(spans, { station: 'p', state: 'small_stop', since: 100 }, 0);
    applySpanChange(spans, { station: 'p', state: 'down', since: 100, reason: 'jam' }, 0);
    expect(spans).toEqual([
      { state: 'running', from: 0, to: 100 },
      { state: 'down', from: 100, reason: 'jam' },
    ]);
    applySpanChange(spans, { station: 'p', state: 'running', since: 300 }, 0);
    applySpanChange(spans, { station: 'p', state: 'running', since: 300 }, 0);
    expect(spans).toEqual([
      { state: 'running', from: 0, to: 100 },
      { state: 'down', from: 100, to: 300, reason: 'jam' },
      { state: 'running', from: 300 },
    ]);
  });

  it('asks for a resync on a gap in the delta sequence and on a new shift', () => {
    const model = createModel();
    applySnapshot(model, {
      protocol: 1,
      at: 1000,
      seq: 5,
      site: {},
      timezone: 'UTC',
      reasons: [],
      operatorEnabled: false,
      window: { from: 0, to: 10_000 },
      lines: [{ id: 'l', stationIds: [], shift: { name: 'early', start: 0, end: 10_000 } }],
      stations: [],
      timeline: {},
      downtime: [],
      alerts: [],
      devices: [],
    });
    expect(applyDelta(model, { seq: 6, at: 1100 }).resync).toBe(false);
    expect(applyDelta(model, { seq: 8, at: 1200 }).resync).toBe(true);
    expect(
      applyDelta(model, {
        seq: 9,
        at: 1300,
        lines: [{ id: 'l', stationIds: [], shift: { name: 'late', start: 10_000, end: 20_000 } }],
      }).resync,
    ).toBe(true);
  });

  it('stays bounded however long it runs: spans merge, downtime and alerts are capped', () => {
    const model = createModel();
    applySnapshot(model, {
      protocol: 1,
      at: 0,
      seq: 0,
      site: {},
      timezone: 'UTC',
      reasons: [],
      operatorEnabled: false,
      window: { from: 0, to: 8 * 3600_000 },
      lines: [],
      stations: [],
      timeline: { p: [] },
      downtime: [],
      alerts: [],
      devices: [],
    });
    for (let i = 1; i <= 20_000; i++) {
      applyDelta(model, {
        seq: i,
        at: i,
        spans: [{ station: 'p', state: i % 2 === 0 ? 'running' : 'small_stop', since: i * 1000 }],
        downtime: [{ id: `d${i}`, start: i }],
        alerts: [{ id: `a${i}`, ts: i }],
      });
    }
    expect(model.timeline.get('p').length).toBeLessThanOrEqual(3000);
    expect(model.downtime.size).toBeLessThanOrEqual(300);
    expect(model.alerts.size).toBeLessThanOrEqual(200);
    expect(model.downtime.has('d20000')).toBe(true);
  });

  it("lists losses by cause for the Pareto: each station's downtime by reason, waits without a cause last", () => {
    const model = createModel();
    model.reasons = [{ id: 'jam', label: 'Die jam' }];
    model.stations = new Map([
      ['a', { id: 'a', name: 'Press', oee: { figures: { downtimeByReason: { jam: 60_000, unassigned: 10_000 } } } }],
      [
        'b',
        { id: 'b', name: 'Weld', rollingOee: { figures: { downtimeByReason: { jam: 30_000, starved: 200_000 } } } },
      ],
    ]);
    expect(paretoOf(model).map((i: Item) => [i.label, i.ms, i.outside])).toEqual([
      ['Press · Die jam', 60_000, false],
      ['Weld · Die jam', 30_000, false],
      ['Press · Unassigned', 10_000, false],
      // Rolling figures carry no attribution: the wait stays a wait, after the causes.
      ['Starved', 200_000, true],
    ]);
  });
});
