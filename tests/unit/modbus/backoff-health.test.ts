/**
 * Reconnect delays grow, stay under the cap and are spread by jitter; health percentiles are
 * what an operator reads on the dashboard.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/lib/backoff.js';
import { HealthTracker, SampleWindow } from '../../../src/sources/modbus/health.js';
import { LinesideError } from '../../../src/lib/errors.js';

const policy = { initialMs: 250, maxMs: 30_000 };

describe('backoffDelayMs', () => {
  it('doubles per attempt, between half and all of the step, never below the first step', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(250);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(250);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(250);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(500);
    expect(backoffDelayMs(5, policy, () => 0.5)).toBe(3000); // step 4000: 2000 + 0.5 * 2000
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [8, 9, 20, 1000]) {
      expect(backoffDelayMs(attempt, policy, () => 1)).toBe(30_000);
      expect(backoffDelayMs(attempt, policy, () => 0)).toBe(15_000);
    }
  });

  it('a cap below the initial delay wins', () => {
    expect(backoffDelayMs(1, { initialMs: 250, maxMs: 100 }, () => 1)).toBe(100);
  });

  it('jitter spreads agents that failed together', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(6, policy, random)));
    expect(delays.size).toBeGreaterThan(15);
  });
});

describe('health', () => {
  it('nearest-rank percentiles over the window', () => {
    const w = new SampleWindow(100);
    for (let i = 1; i <= 100; i++) w.add(i);
    expect(w.percentile(50)).toBe(50);
    expect(w.percentile(99)).toBe(99);
    expect(w.percentile(100)).toBe(100);
  });

  it('the window is bounded: old measurements fall out', () => {
    const w = new SampleWindow(10);
    for (let i = 0; i < 10; i++) w.add(1000);
    for (let i = 0; i < 10; i++) w.add(1);
    expect(w.count).toBe(10);
    expect(w.percentile(99)).toBe(1);
  });

  it('answers from the measurements as they are now, whenever it is asked', () => {
    const w = new SampleWindow(10);
    w.add(5);
    expect(w.percentile(99)).toBe(5);
    w.add(9);
    expect(w.percentile(99)).toBe(9);
    expect(w.percentile(50)).toBe(5);
  });

  it('snapshot shows the last error as "CODE message" and counts requests and errors', () => {
    const h = new HealthTracker('plc1', 'tcp://127.0.0.1:5020', 1);
    h.requestSucceeded(2);
    h.requestSucceeded(4);
    h.requestFailed(
      new LinesideError('MODBUS_TIMEOUT', 'plc1 tcp://127.0.0.1:5020 unit 1: read holding 0..9 after 500ms'),
      1_000,
      true,
    );
    h.requestFailed(
      new LinesideError('MODBUS_CONNECT', 'tcp://127.0.0.1:5020: cannot connect: ECONNREFUSED'),
      2_000,
      false,
    );
    const s = h.snapshot();
    expect(s).toMatchObject({
      device: 'plc1',
      endpoint: 'tcp://127.0.0.1:5020 unit 1',
      requests: 3,
      errors: 2,
      lastError: 'MODBUS_CONNECT tcp://127.0.0.1:5020: cannot connect: ECONNREFUSED',
      lastErrorCode: 'MODBUS_CONNECT',
      lastErrorAt: 2_000,
      latencyP50Ms: 2,
      latencyP99Ms: 4,
    });
  });
});
