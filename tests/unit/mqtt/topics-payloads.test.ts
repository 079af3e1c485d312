/** UNS topics and payloads (docs/architecture.md#mqtt) built from core events. */
import { describe, expect, it } from 'vitest';
import type { AlertEvent, CounterEvent, DowntimeEvent, LedgerEvent } from '../../../src/core/events.js';
import {
  eventPayloadObject,
  eventRoute,
  isoTime,
  samplePayload,
  sampleTopic,
  statusTopic,
} from '../../../src/outputs/mqtt/index.js';
import { cycle, downtime, oee, state } from '../../integration/spool/make-events.js';

const names = { root: 'acme', site: 'plant1', agentId: 'line3-pi' };
const t = Date.UTC(2026, 2, 29, 0, 59, 59, 999);

describe('topics', () => {
  it.each([
    [state('press', 1, t, 'down', 'running'), 'acme/plant1/line1/press/state', true],
    [cycle('press', 2, t), 'acme/plant1/line1/press/cycle', false],
    [downtime('press', 3, t, 'started', t), 'acme/plant1/line1/press/downtime', false],
    [oee('press', 4, t), 'acme/plant1/line1/press/oee', true],
    [oee(undefined, 5, t), 'acme/plant1/line1/oee', true],
  ])('routes %# to its topic with the right retain flag', (event, topic, retain) => {
    expect(eventRoute(names, event)).toEqual({ topic, retain });
  });

  it('names the status and tag topics under agents/<id>', () => {
    expect(statusTopic(names)).toBe('acme/plant1/agents/line3-pi/status');
    expect(sampleTopic(names, 'plc1.spindle_temp')).toBe('acme/plant1/agents/line3-pi/tags/plc1/spindle_temp');
    expect(sampleTopic(names, 'gpio.door.level')).toBe('acme/plant1/agents/line3-pi/tags/gpio/door/level');
  });
});

describe('payloads', () => {
  it('keeps the downtime contract id (the downtime) and carries the event id as eventId', () => {
    const ended: DowntimeEvent = { ...downtime('press', 9, t + 60_000, 'ended', t), faultCode: 17 };
    expect(eventPayloadObject(ended)).toEqual({
      id: `press-dt-${t}`,
      eventId: 'press-000000009',
      seq: 9,
      ts: '2026-03-29T01:00:59.999Z',
      phase: 'ended',
      start: '2026-03-29T00:59:59.999Z',
      end: '2026-03-29T01:00:59.999Z',
      durationMs: 60_000,
      reason: 'jam',
      category: 'breakdown',
      faultCode: 17,
    });
  });

  it('leaves cycleTimeMs out of a cycle whose time is unknown (the first after a start), never 0', () => {
    const { cycleTimeMs: _unknown, ...first } = cycle('press', 1, t);
    const payload = eventPayloadObject(first);
    expect(payload).not.toHaveProperty('cycleTimeMs');
    expect(payload).toMatchObject({ id: 'press-000000001', good: true });
    expect(eventPayloadObject(cycle('press', 2, t))).toHaveProperty('cycleTimeMs', 12_000);
  });

  it('writes durations as whole milliseconds, without float noise', () => {
    expect(eventPayloadObject({ ...cycle('press', 2, t), cycleTimeMs: 14_030.017980000004 })).toHaveProperty(
      'cycleTimeMs',
      14_030,
    );
    const ended: DowntimeEvent = { ...downtime('press', 9, t + 60_000, 'ended', t), durationMs: 59_999.5 };
    expect(eventPayloadObject(ended)).toHaveProperty('durationMs', 60_000);
    const snapshot = oee('press', 3, t);
    const figures = { ...snapshot.figures, runTimeMs: 3_240_000.4, plannedTimeMs: 3_599_999.6, downtimeMs: 359_999.2 };
    expect(eventPayloadObject({ ...snapshot, figures })).toMatchObject({
      runTimeMs: 3_240_000,
      plannedTimeMs: 3_600_000,
      downtimeMs: 359_999,
    });
  });

  it("publishes a counter jump or reset on the station's counter topic, not retained, with what was counted", () => {
    const jump: CounterEvent = {
      type: 'counter',
      id: 'press-000000012',
      line: 'line1',
      station: 'press',
      seq: 12,
      ts: t,
      kind: 'jump',
      role: 'cycleCounter',
      tag: 'plc1.count',
      previous: 1,
      value: 65_000,
      counted: 0,
      elapsedMs: 1_000,
      plausibleMax: 6,
    };
    expect(eventRoute({ root: 'acme', site: 'plant1', agentId: 'a1' }, jump)).toEqual({
      topic: 'acme/plant1/line1/press/counter',
      retain: false,
    });
    expect(eventPayloadObject(jump)).toEqual({
      id: 'press-000000012',
      eventId: 'press-000000012',
      seq: 12,
      ts: '2026-03-29T00:59:59.999Z',
      kind: 'jump',
      role: 'cycleCounter',
      tag: 'plc1.count',
      previous: 1,
      value: 65_000,
      counted: 0,
      elapsedMs: 1_000,
      plausibleMax: 6,
    });
  });

  it('carries who acknowledged an alert', () => {
    const acked: AlertEvent = {
      type: 'alert',
      id: 'press-alert-000000002',
      line: 'line1',
      station: 'press',
      seq: 2,
      ts: t,
      alertId: 'press-cycle_drift-1',
      kind: 'cycle_drift',
      severity: 'warning',
      status: 'acknowledged',
      evidence: {},
      acknowledgedBy: {
        user: 'mia',
        role: 'maintenance',
        via: 'login',
        note: 'bearing ordered',
        at: '2026-03-29T01:00:00.000Z',
      },
    };
    expect(eventPayloadObject(acked)).toMatchObject({
      id: 'press-cycle_drift-1',
      status: 'acknowledged',
      acknowledgedBy: {
        user: 'mia',
        role: 'maintenance',
        via: 'login',
        note: 'bearing ordered',
        at: '2026-03-29T01:00:00.000Z',
      },
    });
  });

  it('carries who assigned a downtime reason, and nothing when nobody has', () => {
    const updated: DowntimeEvent = {
      ...downtime('press', 5, t, 'updated', t),
      assignedBy: { user: 'anna', role: 'operator', via: 'login', note: 'die cleaned' },
    };
    expect(eventPayloadObject(updated)).toMatchObject({
      phase: 'updated',
      reason: 'jam',
      assignedBy: { user: 'anna', role: 'operator', via: 'login', note: 'die cleaned' },
    });
    expect(eventPayloadObject(downtime('press', 3, t, 'started', t))).not.toHaveProperty('assignedBy');
  });

  it('writes every time as ISO-8601 UTC and never throws on a timestamp that is not a time', () => {
    expect(isoTime(t)).toBe('2026-03-29T00:59:59.999Z');
    expect(isoTime(Number.NaN)).toBeNull();
    expect(isoTime(8.64e15 + 1)).toBeNull();
    expect(eventPayloadObject(cycle('press', 1, Number.NaN))).toMatchObject({ ts: null, seq: 1 });
  });

  it('writes a ledger in whole ms that add up, the line as its output station, real reasons only', () => {
    const figures = {
      ...oee('pack', 1, t).figures,
      runTimeMs: 1000.4,
      downtimeMs: 500.4,
      starvedMs: 250.4,
      blockedMs: 0,
      idealMs: 900.6,
      downtimeByReason: { jam: 500.4, starved: 250.4 },
      waits: [{ kind: 'starved' as const, cause: 'weld', state: 'down' as const, reason: 'jam', ms: 250.4 }],
    };
    const ledger: LedgerEvent = {
      type: 'ledger',
      id: 'line1-000000009',
      line: 'line1',
      seq: 9,
      ts: t,
      agentId: 'line3-pi',
      window: { shift: 'early', start: t - 3_600_000, end: t + 3_600_000 },
      final: true,
      outputStation: 'pack',
      stations: [
        { station: 'weld', figures: oee('weld', 1, t).figures },
        { station: 'pack', figures },
      ],
    };
    expect(eventRoute(names, ledger)).toEqual({ topic: 'acme/plant1/line1/ledger', retain: true });
    const payload = eventPayloadObject(ledger) as Record<string, Record<string, unknown>>;
    // 1000 + 500 + 250 + 0: planned is the sum of the rounded parts, not a rounding of its own.
    expect(payload.line).toMatchObject({ plannedMs: 1750, runMs: 1000, downMs: 500, starvedMs: 250, idealMs: 901 });
    expect(payload.line?.downByReason).toEqual({ jam: 500 });
    expect(payload.line?.waits).toBeUndefined();
    const stations = payload.stations as unknown as Record<string, unknown>[];
    expect(stations.map((s) => s.station)).toEqual(['weld', 'pack']);
    expect(stations[1]?.waits).toEqual([{ kind: 'starved', cause: 'weld', state: 'down', reason: 'jam', ms: 250 }]);
    expect(payload).toMatchObject({ shift: 'early', final: true, agentId: 'line3-pi', outputStation: 'pack' });
  });

  it('gives line OEE a null shift for rolling windows and the figures of the contract', () => {
    const rolling = { ...oee(undefined, 7, t), window: { kind: 'rolling' as const, start: t - 3_600_000, end: t } };
    expect(eventPayloadObject(rolling)).toMatchObject({
      shift: null,
      availability: 0.9,
      performance: 0.85,
      quality: 0.98,
      counts: { total: 300, good: 294, reject: 6 },
      final: false,
    });
  });

  it('serialises a tag value as {value, ts}, with non-finite numbers as null', () => {
    expect(JSON.parse(samplePayload({ tag: 'plc1.temp', value: 41.25, ts: t, mono: 0 }))).toEqual({
      value: 41.25,
      ts: '2026-03-29T00:59:59.999Z',
    });
    expect(JSON.parse(samplePayload({ tag: 'plc1.temp', value: Number.POSITIVE_INFINITY, ts: t, mono: 0 }))).toEqual({
      value: null,
      ts: '2026-03-29T00:59:59.999Z',
    });
  });

  it('writes exactly the JSON of {value, ts} for every kind of value and time', () => {
    const values = [0, -0, 7, -12.5, 1e21, 1.5e-7, Number.NaN, true, false, '', 'LS "7" \\ é\n', '\u2028'];
    const times = [t, t, t + 1, Number.NaN, 8.64e15 + 1, 0];
    for (const ts of times)
      for (const value of values) {
        const expected = JSON.stringify({
          value: typeof value === 'number' && !Number.isFinite(value) ? null : value,
          ts: Number.isFinite(ts) && Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : null,
        });
        expect(samplePayload({ tag: 'plc1.x', value, ts, mono: 0 })).toBe(expected);
      }
  });
});
