/**
 * Past shifts for the history page: `days` days of early/late/night shifts (the harness config's
 * calendar, Europe/Berlin in winter: 05:00, 13:00, 21:00 UTC) written to the real history store
 * as the core's final OEE events would have been, with figures computed from times and counts as
 * the core does, downtime by reason, waits, MTBF/MTTR, and a few alerts with different endings.
 */
import type { CoreEvent, OeeFigures } from '../../src/core/events.js';
import { oeeRatios } from '../../src/core/oee-ratios.js';
import type { Harness } from '../integration/server/support/harness.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const SHIFTS = [
  { name: 'early', startUtcH: 5, target: 2400 },
  { name: 'late', startUtcH: 13 },
  { name: 'night', startUtcH: 21 },
] as const;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 4_294_967_296;
  };
}

/** Stored figures as the core computes them (src/core/accumulator.ts) from times and counts. */
function stationFigures(
  r: () => number,
  plannedMs: number,
  byReason: Record<string, number>,
  starvedMs: number,
  cause?: string,
  target?: number,
): OeeFigures {
  const downtimeMs = Object.values(byReason).reduce((a, b) => a + b, 0);
  const runTimeMs = plannedMs - downtimeMs - starvedMs;
  const total = Math.floor((runTimeMs / 12_000) * (0.8 + 0.15 * r()));
  const good = total - Math.floor(total * 0.03 * r());
  const idealMs = total * 12_000;
  const intervals = Object.keys(byReason).length;
  return {
    ...oeeRatios({ plannedMs, runMs: runTimeMs, idealMs, good, total }),
    counts: { total, good, reject: total - good },
    runTimeMs,
    plannedTimeMs: plannedMs,
    downtimeMs,
    smallStopMs: 0,
    commsLostMs: 0,
    starvedMs,
    blockedMs: 0,
    plannedStopMs: 8 * HOUR - plannedMs,
    idealMs,
    downtimeByReason: { ...byReason, ...(starvedMs > 0 ? { starved: starvedMs } : {}) },
    ...(starvedMs > 0
      ? {
          waits: [
            { kind: 'starved' as const, cause: 'press', state: 'down' as const, reason: 'die-jam', ms: starvedMs },
          ],
        }
      : {}),
    ...(target !== undefined ? { target, behindBy: target - good } : {}),
    ...(intervals > 0 ? { mtbfMs: runTimeMs / intervals, mttrMs: downtimeMs / intervals } : {}),
  };
}

/**
 * Writes the shifts of the `days` days before `endUtc` (a shift boundary) into the history;
 * returns their starts, oldest first.
 */
export function seedShifts(
  h: Pick<Harness, 'history'>,
  endUtc: number,
  days: number,
  line = 'line1',
  stations: readonly string[] = ['press', 'weld', 'pack'],
): number[] {
  const r = prng(line.length * 42);
  const first = stations[0] ?? 'press';
  const output = stations[stations.length - 1] ?? 'pack';
  const starts: number[] = [];
  let seq = 0;
  const record = (e: CoreEvent): void => h.history.record(e);
  for (let start = endUtc - days * 24 * HOUR; start < endUtc; start += 8 * HOUR) {
    const hour = new Date(start).getUTCHours();
    const shift = SHIFTS.find((s) => s.startUtcH === hour);
    if (shift === undefined) throw new Error(`seedShifts: ${new Date(start).toISOString()} is no shift start`);
    starts.push(start);
    const planned = 7.5 * HOUR;
    const figuresOf = (station: string): OeeFigures => {
      if (station === output)
        return stationFigures(
          r,
          planned,
          { hydraulic: Math.round(25 * MIN * r()) },
          0,
          undefined,
          'target' in shift ? shift.target : undefined,
        );
      if (station === first)
        return stationFigures(
          r,
          planned,
          { 'die-jam': Math.round(20 * MIN * r()), hydraulic: Math.round(35 * MIN * r()) },
          0,
        );
      return stationFigures(r, planned, { unassigned: Math.round(10 * MIN * r()) }, Math.round(15 * MIN * r()), first);
    };
    const window = { kind: 'shift' as const, shift: shift.name, start, end: start + 8 * HOUR };
    const ts = start + 8 * HOUR;
    let outputFigures: OeeFigures | undefined;
    for (const station of stations) {
      const figures = figuresOf(station);
      if (station === output) outputFigures = figures;
      record({ type: 'oee', id: `${station}-oee-${++seq}`, line, station, seq, ts, window, final: true, figures });
    }
    // The line's figures: the output station's (docs/oee.md).
    if (outputFigures === undefined) throw new Error('seedShifts: no stations');
    record({ type: 'oee', id: `${line}-oee-${++seq}`, line, seq, ts, window, final: true, figures: outputFigures });
  }
  // Alerts in the last shift: one resolved after an acknowledgement, one still active.
  const last = starts[starts.length - 1] ?? endUtc;
  const alert = { type: 'alert', line, station: first, kind: 'cycle-drift', severity: 'warning' } as const;
  record({
    ...alert,
    id: `${line}-al-1`,
    seq: ++seq,
    ts: last + HOUR,
    alertId: `${line}-H1`,
    status: 'active',
    evidence: {},
  });
  record({
    ...alert,
    id: `${line}-al-2`,
    seq: ++seq,
    ts: last + HOUR + 10 * MIN,
    alertId: `${line}-H1`,
    status: 'acknowledged',
    evidence: {},
    acknowledgedBy: { user: 'mia', role: 'maintenance', at: new Date(last + HOUR + 10 * MIN).toISOString() },
  });
  record({
    ...alert,
    id: `${line}-al-3`,
    seq: ++seq,
    ts: last + 2 * HOUR,
    alertId: `${line}-H1`,
    status: 'resolved',
    evidence: {},
  });
  record({
    ...alert,
    station: output,
    kind: 'temperature',
    severity: 'critical',
    id: `${line}-al-4`,
    seq: seq + 1,
    ts: last + 5 * HOUR,
    alertId: `${line}-H2`,
    status: 'active',
    evidence: {},
  });
  h.history.flush();
  return starts;
}
