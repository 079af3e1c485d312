/** A config and one event of each kind, for the point and line-protocol tests. */
import { loadConfigText } from '../../../src/config/load.js';
import type { CoreEvent, OeeEvent } from '../../../src/core/events.js';
import { buildPointContext } from '../../../src/outputs/influx/points.js';

export const T = Date.UTC(2026, 2, 2, 6, 0, 0);

export function ctxFor(writeSamples = true) {
  const result = loadConfigText(
    `
site: { enterprise: acme, site: plant1 }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: vib, area: input, address: 0, type: float32 }
products:
  - { id: b, code: 2, stations: { press: 15s } }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 12.5s
        signals: { cycleCounter: plc1.count }
        conditions: [{ tag: plc1.vib, kind: vibration }]
influx: { writeSamples: ${writeSamples} }
`,
    { env: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return buildPointContext(result.config);
}
export const ctx = ctxFor();

export const base = { line: 'line1', station: 'press' };
export const figures: OeeEvent['figures'] = {
  availability: 0.9,
  performance: 0.8,
  quality: 1,
  oee: 0.72,
  counts: { total: 10, good: 10, reject: 0 },
  runTimeMs: 1,
  plannedTimeMs: 2,
  downtimeMs: 3,
  smallStopMs: 4,
  commsLostMs: 0,
  starvedMs: 0,
  blockedMs: 0,
  plannedStopMs: 0,
  idealMs: 0,
  downtimeByReason: {},
};

export const EVENTS: CoreEvent[] = [
  { ...base, type: 'cycle', id: 'press-1', seq: 1, ts: T + 0.6, cycleTimeMs: 12_345.5, good: true, shift: 'early' },
  {
    ...base,
    type: 'state',
    id: 'press-2',
    seq: 2,
    ts: T + 120_000,
    state: 'down',
    previous: 'small_stop',
    since: T,
    reason: 'jam',
  },
  {
    ...base,
    type: 'downtime',
    id: 'press-3',
    seq: 3,
    ts: T,
    phase: 'started',
    downtimeId: 'press-3',
    start: T,
    reason: 'unassigned',
    category: 'breakdown',
  },
  {
    ...base,
    type: 'downtime',
    id: 'press-4',
    seq: 4,
    ts: T + 60_000,
    phase: 'ended',
    downtimeId: 'press-3',
    start: T,
    end: T + 60_000,
    durationMs: 59_999.5,
    reason: 'jam',
    category: 'breakdown',
    faultCode: 7,
  },
  {
    ...base,
    type: 'oee',
    id: 'press-5',
    seq: 5,
    ts: T + 5_000,
    final: false,
    window: { kind: 'shift', shift: 'early', start: T - 3_600_000, end: T + 25_200_000 },
    figures: { ...figures, target: 2000, behindBy: -3, mtbfMs: 100, mttrMs: 10 },
  },
  {
    line: 'line1',
    type: 'oee',
    id: 'line1-1',
    seq: 1,
    ts: T + 5_000,
    final: true,
    window: { kind: 'rolling', start: T - 3_595_000, end: T + 5_000 },
    figures,
  },
  {
    ...base,
    type: 'alert',
    id: 'press-6',
    seq: 1006,
    ts: T + 7_000,
    alertId: 'a1',
    kind: 'cycle_drift',
    severity: 'critical',
    status: 'active',
    evidence: { slope: 0.2 },
  },
  {
    ...base,
    type: 'product',
    id: 'press-7',
    seq: 7,
    ts: T + 8_000,
    product: 'b',
    source: 'operator',
    by: { user: 'anna', role: 'operator', via: 'login' },
  },
  { ...base, type: 'cycle', id: 'press-8', seq: 8, ts: T + 9_000, cycleTimeMs: 15_100, good: true, product: 'b' },
  {
    ...base,
    type: 'changeover',
    id: 'press-10',
    seq: 10,
    ts: T + 1_510_000,
    phase: 'ended',
    changeoverId: 'press-9',
    to: 'b',
    start: T + 10_000.5,
    end: T + 1_500_000,
    durationMs: 1_489_999.5,
    targetMs: 1_200_000,
    planned: false,
    trigger: 'product',
  },
];
