/**
 * Condition signals: a rising vibration is reported before it reaches the alarm limit, with a
 * forecast and its interval; steady noise and a machine at rest are not alerts.
 */
import { describe, expect, it } from 'vitest';
import { Feeder, HOUR, MIN, stationConfig, type Evidence } from './helpers.js';

const VIB = '[{ tag: plc1.vib, kind: vibration, warning: 4.5, alarm: 7.1 }]';

describe('condition trend detector', () => {
  it('forecasts a rising vibration reaching its alarm limit and warns before the warning limit', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    let i = 0;
    // Two healthy hours to learn the baseline, then a ramp of 1 mm/s per running hour.
    f.run(2 * HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    expect(f.alerts).toHaveLength(0);
    const rampStart = f.now;
    f.run(2 * HOUR, [{ tag: 'plc1.vib', value: (t) => 2.5 + t / HOUR + 0.15 * Feeder.noise(i++) }]);
    const opened = f.opened('condition_trend');
    expect(opened).toHaveLength(1);
    const alert = opened[0]!;
    // Warned while the level was still below the 4.5 warning limit (reached 2 h into the ramp).
    expect(alert.ts).toBeLessThan(rampStart + 2 * HOUR);
    expect(alert.severity).toBe('warning');
    expect(alert.status).toBe('active');
    expect(alert.alertId).toBe('press-condition_trend-1');
    expect(alert.id).toMatch(/^press-alert-\d{9}$/);
    const ev = alert.evidence as Evidence;
    expect(ev['tag']).toBe('plc1.vib');
    expect(ev['baseline'].median).toBeCloseTo(2.5, 1);
    // At opening the hour-long window still holds flat data: the slope is underestimated.
    expect(ev['trend'].slopePerRunHour).toBeGreaterThan(0.3);
    expect(ev['window'].from < ev['window'].to).toBe(true);
    // Once the window is all ramp, the forecast is accurate: the alarm (7.1) is 4.6 h of running
    // after the ramp start at 1 mm/s per hour, inside the forecast interval.
    const latestEvent = f.alerts.at(-1)!;
    const evNow = latestEvent.evidence as Evidence;
    expect(evNow['trend'].slopePerRunHour).toBeGreaterThan(0.85);
    expect(evNow['trend'].slopePerRunHour).toBeLessThan(1.15);
    const predicted = latestEvent.predictedFailureAt as number;
    expect(Math.abs(predicted - (rampStart + 4.6 * HOUR))).toBeLessThan(0.25 * HOUR);
    const earliest = Date.parse(evNow['forecast'].earliest);
    const latest = Date.parse(evNow['forecast'].latest);
    expect(earliest).toBeLessThanOrEqual(predicted);
    expect(latest).toBeGreaterThanOrEqual(predicted);
    expect(earliest).toBeLessThan(rampStart + 4.6 * HOUR);
    expect(latest).toBeGreaterThan(rampStart + 4.6 * HOUR);
  });

  it('escalates to critical at the alarm limit, resolves once the value is back to its baseline', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    let i = 0;
    f.run(2 * HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    f.run(15 * MIN, [{ tag: 'plc1.vib', value: () => 7.5 + 0.15 * Feeder.noise(i++) }]);
    expect(f.alerts.at(-1)?.severity).toBe('critical');
    // Repair: stop, then healthy values for an hour.
    f.setState('down');
    f.now += HOUR;
    f.run(HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    const last = f.alerts.at(-1)!;
    expect(last.status).toBe('resolved');
    expect(last.alertId).toBe(f.alerts[0]!.alertId);
    expect((last.evidence as Record<string, unknown>)['resolvedAt']).toBeTypeOf('string');
    expect(f.opened()).toHaveLength(1);
  });

  it('stays quiet on a noisy but healthy signal for a simulated week', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    let i = 0;
    for (let day = 0; day < 7; day++) {
      f.run(16 * HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.3 * Feeder.noise(i++), everyMs: 2000 }]);
      f.setState('planned_stop');
      f.now += 8 * HOUR;
    }
    expect(f.alerts).toHaveLength(0);
  });

  it('ignores values taken while the station is not running', () => {
    const f = new Feeder(stationConfig({ conditions: VIB }));
    let i = 0;
    f.run(2 * HOUR, [{ tag: 'plc1.vib', value: () => 2.5 + 0.15 * Feeder.noise(i++) }]);
    f.setState('starved');
    for (let k = 0; k < 3600; k++) {
      f.now += 1000;
      f.sample('plc1.vib', 9.9); // a stopped machine's reading is not the running machine's
    }
    expect(f.alerts).toHaveLength(0);
  });

  it('mirrors "direction: below" signals: a falling pressure is the trouble', () => {
    const f = new Feeder(
      stationConfig({ conditions: '[{ tag: plc1.pressure, kind: pressure, warning: 4, alarm: 3, direction: below }]' }),
    );
    let i = 0;
    f.run(2 * HOUR, [{ tag: 'plc1.pressure', value: () => 6 + 0.05 * Feeder.noise(i++) }]);
    f.run(2 * HOUR, [{ tag: 'plc1.pressure', value: (t) => 6 - t / HOUR + 0.05 * Feeder.noise(i++) }]);
    const alert = f.opened('condition_trend')[0];
    expect(alert).toBeDefined();
    const ev = alert!.evidence as Evidence;
    expect(ev['direction']).toBe('below');
    expect(ev['trend'].slopePerRunHour).toBeLessThan(0);
    expect(ev['level']).toBeGreaterThan(3);
  });

  it('does nothing when the condition detector is disabled for the station', () => {
    const f = new Feeder(stationConfig({ conditions: VIB, predict: '{ condition: false }' }));
    f.run(HOUR, [{ tag: 'plc1.vib', value: () => 9 }]);
    expect(f.alerts).toHaveLength(0);
  });
});
