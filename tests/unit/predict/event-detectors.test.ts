/**
 * The event-driven detectors on synthetic streams: cycle-time drift (with warm-up exclusion),
 * micro-stop rate, fault recurrence and MTBF risk. Each test shows the alert appears when the
 * pattern is there and stays away when it is not.
 */
import { describe, expect, it } from 'vitest';
import { Feeder, HOUR, MIN, stationConfig, type Evidence } from './helpers.js';

/** Cycles of ~10 s with deterministic jitter; `factor` stretches them. */
function cycles(f: Feeder, n: number, factor = 1, start = 0): void {
  if (f.state !== 'running') f.setState('running');
  for (let i = 0; i < n; i++) f.cycle(Math.round((10_000 + 400 * Feeder.noise(start + i)) * factor));
}

describe('cycle-time drift', () => {
  it('raises an alert when cycles become 6 % slower and says by how much', () => {
    const f = new Feeder(stationConfig());
    cycles(f, 3000);
    expect(f.opened('cycle_drift')).toHaveLength(0);
    cycles(f, 600, 1.06, 3000);
    const alert = f.opened('cycle_drift')[0];
    expect(alert).toBeDefined();
    const ev = alert!.evidence as Evidence;
    expect(ev['baselineCycleTimeMs']).toBeGreaterThan(9800);
    expect(ev['baselineCycleTimeMs']).toBeLessThan(10_200);
    expect(ev['relativeIncrease']).toBeGreaterThan(0.02);
    expect(ev['ewmaMs']).toBeGreaterThan(ev['ewmaUclMs']);
    expect(ev['lambda']).toBe(0.2);
    expect(ev['L']).toBe(3.3);
  });

  it('does not alert on a slower warm-up after a stop, nor on a healthy week', () => {
    const f = new Feeder(stationConfig());
    for (let day = 0; day < 5; day++) {
      cycles(f, 4000, 1, day * 4000);
      f.setState('down');
      f.now += 30 * MIN;
      f.setState('running');
      // Five slow cycles right after the restart: warm-up, excluded.
      for (let k = 0; k < 5; k++) f.cycle(16_000);
    }
    expect(f.opened('cycle_drift')).toHaveLength(0);
  });

  it('resolves once cycles are back to normal after a repair', () => {
    const f = new Feeder(stationConfig());
    cycles(f, 3000);
    cycles(f, 900, 1.1, 3000);
    expect(f.opened('cycle_drift')).toHaveLength(1);
    f.setState('down');
    f.now += HOUR;
    cycles(f, 900, 1, 5000);
    expect(f.alerts.at(-1)?.status).toBe('resolved');
  });
});

describe('micro-stop rate', () => {
  /** Runs `hours` with a micro-stop every `everyMin` minutes of running. */
  function withMicroStops(f: Feeder, hours: number, everyMin: number): void {
    const stops = Math.round((hours * 60) / everyMin);
    for (let i = 0; i < stops; i++) {
      f.run(everyMin * MIN);
      f.setState('small_stop');
      f.now += 20_000;
      f.setState('running');
    }
  }

  it('warns when micro-stops come five times as often as the station is used to', () => {
    const f = new Feeder(stationConfig());
    withMicroStops(f, 12, 30); // 2 per hour: the baseline
    expect(f.opened('micro_stop_rate')).toHaveLength(0);
    withMicroStops(f, 2, 6); // 10 per hour
    const alert = f.opened('micro_stop_rate')[0];
    expect(alert).toBeDefined();
    const ev = alert!.evidence as Evidence;
    expect(ev['baselineRatePerRunHour']).toBeGreaterThan(1.5);
    expect(ev['baselineRatePerRunHour']).toBeLessThan(2.5);
    expect(ev['count']).toBeGreaterThan(ev['expected'] * 2);
    expect(ev['pValue']).toBeLessThan(ev['alpha']);
    withMicroStops(f, 6, 30);
    expect(f.alerts.at(-1)?.status).toBe('resolved');
  });

  it('does not count a stop that became a downtime as a micro-stop', () => {
    const f = new Feeder(stationConfig());
    withMicroStops(f, 12, 30);
    for (let i = 0; i < 12; i++) {
      f.run(10 * MIN);
      f.setState('small_stop');
      f.now += 3 * MIN;
      f.setState('down'); // outlasted the micro-stop threshold
      f.now += 10 * MIN;
    }
    expect(f.opened('micro_stop_rate')).toHaveLength(0);
  });
});

describe('fault recurrence', () => {
  it('warns when the same fault code comes back far more often than usual', () => {
    const f = new Feeder(stationConfig());
    // Baseline: a jam every 10 h of running over 30 h.
    for (let i = 0; i < 3; i++) {
      f.run(10 * HOUR);
      f.downtime(7, 'jam');
      f.setState('down');
      f.now += 10 * MIN;
    }
    expect(f.opened('fault_recurrence')).toHaveLength(0);
    for (let i = 0; i < 4; i++) {
      f.run(40 * MIN);
      f.downtime(7, 'jam');
      f.setState('down');
      f.now += 5 * MIN;
    }
    const alert = f.opened('fault_recurrence')[0];
    expect(alert).toBeDefined();
    const ev = alert!.evidence as Evidence;
    expect(ev['faultCode']).toBe('7');
    expect(ev['reason']).toBe('jam');
    expect(ev['count']).toBeGreaterThanOrEqual(3);
    expect(ev['occurrences'].length).toBe(ev['count']);
    // After a quiet shift the window no longer holds the repetitions.
    f.run(9 * HOUR);
    expect(f.alerts.at(-1)?.status).toBe('resolved');
  });
});

describe('MTBF risk', () => {
  it('warns when the uptime since the last breakdown approaches the usual wear-out age', () => {
    const f = new Feeder(stationConfig());
    // Nine breakdowns, 10 h (+- 1 h) of running apart: a wear-out pattern.
    for (let i = 0; i < 10; i++) {
      f.run((10 + Feeder.noise(i)) * HOUR);
      f.downtime(9, 'bearing');
      f.setState('down');
      f.now += HOUR;
    }
    const before = f.opened('mtbf_risk').length;
    f.run(10.5 * HOUR);
    const alerts = f.opened('mtbf_risk');
    expect(alerts.length).toBe(before + 1);
    const alert = alerts.at(-1)!;
    const ev = alert.evidence as Evidence;
    expect(ev['weibull'].shape).toBeGreaterThan(3);
    expect(ev['mtbfHours']).toBeGreaterThan(9);
    expect(ev['mtbfHours']).toBeLessThan(11);
    expect(alert.predictedFailureAt).toBeGreaterThan(alert.ts);
    expect(Date.parse(ev['forecast'].earliest)).toBeLessThan(Date.parse(ev['forecast'].latest));
    // The next breakdown resets the age: the alert resolves.
    f.downtime(9, 'bearing');
    f.setState('down');
    f.now += HOUR;
    f.run(2 * HOUR);
    expect(f.alerts.at(-1)?.status).toBe('resolved');
  });

  it('judges each failure mode on its own: random jams between bearing failures do not hide the wear-out', () => {
    const f = new Feeder(stationConfig());
    // Uptime timeline: a bearing failure every ~10 h, jams at exponential-looking gaps in between.
    const timeline: { at: number; code: number; reason: string }[] = [];
    for (let i = 1; i <= 8; i++) timeline.push({ at: 10 * i + 0.5 * Feeder.noise(i), code: 9, reason: 'bearing' });
    let jam = 0;
    for (const gap of [1.3, 9.1, 0.4, 17.2, 5.5, 2.2, 26, 0.9, 11.4, 3.7])
      timeline.push({ at: (jam += gap), code: 7, reason: 'jam' });
    timeline.sort((a, b) => a.at - b.at);
    let uptime = 0;
    for (const e of timeline) {
      f.run((e.at - uptime) * HOUR);
      uptime = e.at;
      f.downtime(e.code, e.reason);
      f.setState('down');
      f.now += 10 * MIN;
    }
    // The last bearing failure was at ~80 h of uptime; run on towards the next one.
    f.run((89.8 - uptime) * HOUR);
    const bearing = f.alerts.filter((a) => a.kind === 'mtbf_risk' && (a.evidence as Evidence)['faultCode'] === '9');
    expect(bearing.length).toBeGreaterThan(0);
    expect(bearing.at(-1)!.evidence['summary']).toMatch(/^bearing \(9\)/);
    expect(f.alerts.filter((a) => a.kind === 'mtbf_risk' && (a.evidence as Evidence)['faultCode'] === '7')).toEqual([]);
  });

  it('stays quiet when breakdowns are random (no wear-out)', () => {
    const f = new Feeder(stationConfig());
    // Exponential-looking gaps: 0.3 h to 25 h.
    const gaps = [0.3, 7, 1.2, 25, 3, 0.8, 12, 5, 2, 18, 0.5, 9, 4];
    for (const g of gaps) {
      f.run(g * HOUR);
      f.downtime(7, 'jam');
      f.setState('down');
      f.now += 15 * MIN;
    }
    f.run(30 * HOUR);
    expect(f.opened('mtbf_risk')).toHaveLength(0);
  });
});
