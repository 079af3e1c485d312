/** Fixed history records of one shift of line1 (press -> weld -> pack) for the report tests. */
import type { OeeFigures } from '../../../src/core/events.js';
import type { OeeRecord } from '../../../src/outputs/history/types.js';
import type { ReportInput } from '../../../src/reports/types.js';

export const T0 = Date.UTC(2026, 11, 4, 6, 0, 0);
export const HOUR = 3_600_000;
export const MIN = 60_000;
export const END = T0 + 8 * HOUR;

export function figures(over: Partial<OeeFigures> = {}): OeeFigures {
  return {
    availability: 0.8,
    performance: 0.9,
    quality: 0.95,
    oee: 0.684,
    counts: { total: 1000, good: 950, reject: 50 },
    runTimeMs: 6 * HOUR,
    plannedTimeMs: 7.5 * HOUR,
    downtimeMs: 40 * MIN,
    smallStopMs: 5 * MIN,
    commsLostMs: 0,
    starvedMs: 0,
    blockedMs: 0,
    plannedStopMs: 30 * MIN,
    idealMs: 5.4 * HOUR,
    target: 1100,
    behindBy: 150,
    downtimeByReason: {},
    ...over,
  };
}

export function record(station: string | undefined, f: OeeFigures, start = T0, final = true): OeeRecord {
  return {
    line: 'line1',
    ...(station !== undefined ? { station } : {}),
    kind: 'shift',
    shift: 'early',
    windowStart: start,
    windowEnd: start + 8 * HOUR,
    ts: start + 8 * HOUR,
    final,
    figures: f,
  };
}

export function input(over: Partial<ReportInput> = {}): ReportInput {
  const line = record(undefined, figures({ downtimeByReason: { jam: 25 * MIN } }));
  return {
    line: 'line1',
    lineName: 'Line 1',
    period: { kind: 'shift', shift: 'early', start: T0, end: END },
    span: { start: T0, end: END },
    timezone: 'Europe/Berlin',
    generatedAt: END + 5_000,
    lineOee: [line],
    stationOee: [
      record('press', figures({ oee: 0.7, downtimeByReason: { jam: 25 * MIN, unassigned: 3 * MIN } })),
      record(
        'pack',
        figures({
          oee: 0.6,
          starvedMs: 12 * MIN,
          downtimeByReason: { starved: 12 * MIN, tool: 2 * MIN },
          waits: [
            { kind: 'starved', cause: 'press', state: 'down', reason: 'jam', ms: 10 * MIN },
            { kind: 'starved', state: 'starved', ms: 2 * MIN },
          ],
        }),
      ),
    ],
    trend: [
      record(undefined, figures({ oee: 0.5 }), T0 - 24 * HOUR),
      record(undefined, figures({ oee: 0.55 }), T0 - 16 * HOUR),
      line,
    ],
    downtime: [
      {
        id: 'd2',
        line: 'line1',
        station: 'press',
        start: T0 + 3 * HOUR,
        reason: 'unassigned',
        category: 'breakdown',
      },
      {
        id: 'd1',
        line: 'line1',
        station: 'press',
        start: T0 + HOUR,
        end: T0 + HOUR + 25 * MIN,
        durationMs: 25 * MIN,
        reason: 'jam',
        category: 'breakdown',
        reasonBy: 'Ana',
        reasonRole: 'operator',
      },
      { id: 'x', line: 'line2', station: 'other', start: T0, reason: 'jam', category: 'breakdown' },
    ],
    alerts: [
      {
        alertId: 'a1',
        line: 'line1',
        station: 'press',
        kind: 'cycle_drift',
        severity: 'warning',
        status: 'acknowledged',
        firstTs: T0 + 2 * HOUR,
        ts: T0 + 2 * HOUR + 5 * MIN,
        evidence: {},
        ackBy: 'Ben',
      },
      {
        alertId: 'old',
        line: 'line1',
        station: 'press',
        kind: 'cycle_drift',
        severity: 'warning',
        status: 'resolved',
        firstTs: T0 - 5 * HOUR,
        ts: T0 - 4 * HOUR,
        evidence: {},
      },
    ],
    orders: [],
    cycles: [
      {
        station: 'pack',
        buckets: [
          { from: T0, to: T0 + HOUR, count: 120, good: 118, timed: 119, minMs: 20_000, maxMs: 40_000, avgMs: 29_876.4 },
        ],
      },
    ],
    stations: [
      { id: 'press', name: 'Press' },
      { id: 'weld', name: 'Weld' },
      { id: 'pack', name: 'Pack' },
    ],
    reasonLabels: { jam: 'Material jam', tool: 'Tool change' },
    ...over,
  };
}
