import { describe, expect, it } from 'vitest';
import { sumFigures } from '../../../src/outputs/history/period.js';
import { buildReport } from '../../../src/reports/model.js';
import { figures, HOUR, input, MIN, record, T0 } from './fixtures.js';

describe('the report model takes its figures from the history records as stored', () => {
  it('shows the line record of the shift verbatim, and stations in flow order', () => {
    const i = input();
    const m = buildReport(i);
    expect(m.figures).toBe(i.lineOee[0]?.figures);
    expect(m.final).toBe(true);
    expect(m.stations.map((s) => [s.station, s.figures.oee])).toEqual([
      ['press', 0.7],
      ['pack', 0.6],
    ]);
    expect(m.output).toEqual({ good: 950, total: 1000, target: 1100, behindBy: 150 });
    expect(m.trend.map((t) => t.oee)).toEqual([0.5, 0.55, 0.684]);
  });

  it('ranks losses in minutes, with waits booked to their cause', () => {
    const m = buildReport(input());
    expect(m.topLosses.map((l) => [l.label, l.ms / MIN])).toEqual([
      ['Press: Material jam', 25],
      ['Pack starved by Press (down, Material jam)', 10],
      ['Press: unassigned', 3],
      ['Pack starved (outside the line)', 2],
      ['Pack: Tool change', 2],
    ]);
  });

  it("lists the line's downtimes oldest first with who assigned them, and the open or unassigned ones", () => {
    const m = buildReport(input());
    expect(m.downtime.map((d) => [d.id, d.reasonLabel, d.assignedBy ?? null, d.open])).toEqual([
      ['d1', 'Material jam', 'Ana', false],
      ['d2', 'unassigned', null, true],
    ]);
    expect(m.openOrUnassigned.map((d) => d.id)).toEqual(['d2']);
  });

  it('keeps alerts raised before the period ends and not resolved before it began', () => {
    const m = buildReport(input());
    expect(m.alerts).toEqual([
      {
        id: 'a1',
        station: 'press',
        kind: 'cycle_drift',
        severity: 'warning',
        raisedAt: T0 + 2 * HOUR,
        lastAt: T0 + 2 * HOUR + 5 * MIN,
        status: 'acknowledged',
        acknowledgedBy: 'Ben',
      },
    ]);
  });

  it('is deterministic: the same records give the same model', () => {
    expect(JSON.stringify(buildReport(input()))).toBe(JSON.stringify(buildReport(input())));
  });

  it('refuses a period the history has no OEE for, with a code', () => {
    expect(() => buildReport(input({ lineOee: [] }))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('sums a day from its shifts: ratios from summed times and counts, never a mean of ratios', () => {
    const a = record(undefined, figures({ runTimeMs: 6 * HOUR, plannedTimeMs: 8 * HOUR, idealMs: 3 * HOUR }));
    const b = record(
      undefined,
      figures({
        runTimeMs: 2 * HOUR,
        plannedTimeMs: 8 * HOUR,
        idealMs: 2 * HOUR,
        counts: { total: 0, good: 0, reject: 0 },
      }),
      T0 + 8 * HOUR,
    );
    const f = sumFigures([a.figures, b.figures]);
    expect(f.availability).toBe(0.5);
    expect(f.performance).toBe(5 / 8);
    expect(f.quality).toBe(0.95);
    expect(f.counts.total).toBe(1000);
    const day = buildReport(input({ period: { kind: 'day', start: T0, end: T0 + 24 * HOUR }, lineOee: [a, b] }));
    expect(day.figures.oee).toBeCloseTo(0.5 * (5 / 8) * 0.95, 12);
  });
});
