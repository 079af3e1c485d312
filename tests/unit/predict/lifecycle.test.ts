/**
 * Alert lifecycle through the predictor's public API: one alert per station and kind, minimum
 * duration before opening, acknowledge with who and a note, NOT_FOUND for unknown ids, the active
 * list, payloads for MQTT/webhooks, and baselines and open alerts surviving a restart.
 */
import { describe, expect, it } from 'vitest';
import { AlertBook } from '../../../src/predict/alert-book.js';
import {
  activeAlertsPayload,
  alertPayload,
  createPredictor,
  meetsSeverity,
  PRESETS,
  withAlerts,
  type PredictorCheckpoint,
} from '../../../src/predict/index.js';
import type { AlertEvent } from '../../../src/core/events.js';
import type { Finding } from '../../../src/predict/types.js';
import { Feeder, HOUR, MIN, stationConfig, T0 } from './helpers.js';

const VIB = '[{ tag: plc1.vib, kind: vibration, warning: 4.5, alarm: 7.1 }]';

function finding(severity: Finding['severity'] = 'warning'): Finding {
  return { severity, summary: 'test', evidence: { n: 1 } };
}

describe('alert book', () => {
  const timing = {
    ...PRESETS.medium.timing,
    cycle_drift: { raiseAfterMs: 10 * MIN, clearAfterMs: 20 * MIN, minUpdateIntervalMs: 15 * MIN },
  };

  it('opens only after the finding persisted for the minimum duration, and does not flap', () => {
    const events: AlertEvent[] = [];
    const book = new AlertBook(timing, (e) => events.push(e));
    book.addStation('press', 'line1');
    book.process('press', 'cycle_drift', finding(), T0);
    book.process('press', 'cycle_drift', finding(), T0 + 5 * MIN);
    expect(events).toHaveLength(0);
    book.process('press', 'cycle_drift', 'clear', T0 + 6 * MIN); // a blip resets the clock
    book.process('press', 'cycle_drift', finding(), T0 + 7 * MIN);
    book.process('press', 'cycle_drift', finding(), T0 + 16 * MIN);
    expect(events).toHaveLength(0);
    book.process('press', 'cycle_drift', finding(), T0 + 17 * MIN);
    expect(events).toHaveLength(1);
    // Clear for less than 20 min, then the finding again: same alert, still open.
    book.process('press', 'cycle_drift', 'clear', T0 + 20 * MIN);
    book.process('press', 'cycle_drift', 'clear', T0 + 35 * MIN);
    book.process('press', 'cycle_drift', finding(), T0 + 36 * MIN);
    book.process('press', 'cycle_drift', 'clear', T0 + 40 * MIN);
    book.process('press', 'cycle_drift', 'unknown', T0 + 50 * MIN);
    book.process('press', 'cycle_drift', 'clear', T0 + 61 * MIN);
    expect(events.map((e) => e.status)).toEqual(['active', 'active', 'resolved']);
    expect(new Set(events.map((e) => e.alertId)).size).toBe(1);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('critical findings open at once; escalation publishes at once and re-activates an acknowledged alert', () => {
    const events: AlertEvent[] = [];
    const book = new AlertBook(timing, (e) => events.push(e));
    book.addStation('press', 'line1');
    book.process('press', 'cycle_drift', finding('critical'), T0);
    expect(events).toHaveLength(1);
    const id = events[0]!.alertId;
    expect(book.acknowledge(id, { user: 'anna', note: 'bearing ordered' }, T0 + MIN)).toEqual({ ok: true });
    expect(events.at(-1)).toMatchObject({
      status: 'acknowledged',
      evidence: { acknowledged: { user: 'anna', note: 'bearing ordered' } },
    });
    // Who acknowledged it is part of the event itself (MQTT and history carry the audit trail).
    expect(events.at(-1)?.acknowledgedBy).toEqual({
      user: 'anna',
      note: 'bearing ordered',
      at: new Date(T0 + MIN).toISOString(),
    });
    expect(events[0]).not.toHaveProperty('acknowledgedBy');
    book.process('press', 'cycle_drift', finding('warning'), T0 + 2 * MIN); // de-escalation waits for the update interval
    expect(events).toHaveLength(2);
    book.process('press', 'cycle_drift', finding('warning'), T0 + 20 * MIN);
    expect(events.at(-1)).toMatchObject({ severity: 'warning', status: 'acknowledged' });
    book.process('press', 'cycle_drift', finding('critical'), T0 + 21 * MIN);
    expect(events.at(-1)).toMatchObject({ severity: 'critical', status: 'active' });
    expect(book.acknowledge('press-cycle_drift-99', {}, T0)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('predictor alerts', () => {
  function degrade(f: Feeder): void {
    let i = 0;
    f.run(2 * HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    f.run(3 * HOUR, [{ tag: 'plc1.vib', value: (t) => 2.5 + t / HOUR + 0.15 * Feeder.noise(i++) }]);
  }

  it('keeps one alert per station and kind, lists it as active, and acknowledges it with who and a note', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    degrade(f);
    const active = f.predictor.active();
    expect(active).toHaveLength(1);
    expect(f.opened()).toHaveLength(1);
    const alertId = active[0]!.alertId;
    expect(f.predictor.acknowledge(alertId, { user: 'tom', note: 'checking' })).toEqual({ ok: true });
    expect(f.predictor.active()[0]).toMatchObject({
      alertId,
      status: 'acknowledged',
      evidence: { acknowledged: { user: 'tom', note: 'checking' } },
    });
    const missing = f.predictor.acknowledge('nope');
    expect(missing).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('payloads: MQTT/webhook body, retained list per line, severity filter', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    degrade(f);
    const event = f.predictor.active()[0]!;
    const body = alertPayload(event);
    expect(body).toMatchObject({ id: event.alertId, station: 'press', kind: 'condition_trend', status: 'active' });
    expect(body.predictedFailureAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const retained = activeAlertsPayload('line1', f.predictor.active(), f.now);
    expect(retained.count).toBe(1);
    expect(activeAlertsPayload('line2', f.predictor.active(), f.now).count).toBe(0);
    expect(meetsSeverity(event, 'warning')).toBe(SEVERITY(event) >= 1);
    expect(meetsSeverity({ ...event, severity: 'info' }, 'warning')).toBe(false);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it('ignores samples of tags that are not condition signals', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    f.run(3 * HOUR, [{ tag: 'plc1.temp', value: (t) => t / 1000 }]);
    expect(f.alerts).toHaveLength(0);
  });

  it('baselines and open alerts survive a restart through a JSON checkpoint', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    degrade(f);
    const open = f.predictor.active()[0]!;
    const saved = JSON.parse(JSON.stringify(f.predictor.checkpoint())) as PredictorCheckpoint;
    expect(saved.version).toBe(1);

    const g = new Feeder(stationConfig({ conditions: VIB }), saved);
    g.now = f.now + 5 * MIN;
    expect(g.predictor.active().map((a) => a.alertId)).toEqual([open.alertId]);
    // The learnt baseline came along: back to healthy values, the alert resolves without relearning.
    let i = 0;
    g.run(HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    const last = g.alerts.at(-1)!;
    expect(last).toMatchObject({ alertId: open.alertId, status: 'resolved' });
    expect(last.seq).toBeGreaterThan(open.seq);
    // A new episode gets a new alert id (the counter survived too).
    g.run(3 * HOUR, [{ tag: 'plc1.vib', value: (t) => 2.5 + t / HOUR + 0.15 * Feeder.noise(i++) }]);
    expect(g.opened().map((a) => a.alertId)).toContain('press-condition_trend-2');
  });

  it('older baselines with the alert book of the last batch of events: alert ids and seq continue after it', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    degrade(f);
    const baselines = JSON.parse(JSON.stringify(f.predictor.checkpoint())) as PredictorCheckpoint;
    // After that full checkpoint an alert event still went out (the acknowledgement); only the
    // small alerts part was saved with it, as the agent does with every batch of events.
    const open = f.predictor.active()[0]!;
    expect(f.predictor.acknowledge(open.alertId, { user: 'tom' })).toEqual({ ok: true });
    const lastSpooled = f.alerts.at(-1)!;
    const alerts = JSON.parse(JSON.stringify(f.predictor.alertsCheckpoint())) as unknown;

    const g = new Feeder(stationConfig({ conditions: VIB }), withAlerts(baselines, alerts) as PredictorCheckpoint);
    g.now = f.now + 5 * MIN;
    expect(g.predictor.active()[0]).toMatchObject({ alertId: open.alertId, status: 'acknowledged' });
    let i = 0;
    g.run(HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    const next = g.alerts.at(-1)!;
    expect(next.seq).toBe(lastSpooled.seq + 1);
    expect(next.id).not.toBe(lastSpooled.id);
    // Without a valid alerts part the full checkpoint is used as it is.
    expect(withAlerts(baselines, undefined)).toBe(baselines);
  });

  it('reports an unusable checkpoint and starts from scratch', () => {
    const diagnostics: string[] = [];
    const cfg = stationConfig({ conditions: VIB });
    const f = new Feeder(cfg);
    const q = createPredictor(cfg, {
      clock: f.clock,
      restore: { version: 99 } as unknown as PredictorCheckpoint,
      onDiagnostic: (d: { code: string }) => diagnostics.push(d.code),
    });
    expect(diagnostics).toEqual(['PREDICT_CHECKPOINT_INVALID']);
    expect(q.active()).toEqual([]);
  });
});

function SEVERITY(e: AlertEvent): number {
  return { info: 0, warning: 1, critical: 2 }[e.severity];
}
