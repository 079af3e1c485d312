import { describe, expect, it, vi } from 'vitest';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { LoopLag } from '../../../src/server/loop-lag.js';
import { MetricsWriter, type SummaryValue } from '../../../src/server/metrics-writer.js';
import { renderMetrics, type MetricsInputs } from '../../../src/server/metrics.js';
import type { DeviceHealth } from '../../../src/sources/source.js';
import { expositionProblems } from '../../helpers/prom-format.js';

describe('Prometheus text format', () => {
  it('declares each family once, escapes label values and skips missing values', () => {
    const m = new MetricsWriter();
    m.add('lineside_modbus_requests_total', 'counter', 'Modbus requests sent.', 5, { device: 'plc"1\\a\nb' });
    m.add('lineside_modbus_requests_total', 'counter', 'Modbus requests sent.', 7, { device: 'plc2' });
    m.add('lineside_spool_depth', 'gauge', 'Rows.', undefined);
    m.add('lineside_ws_clients', 'gauge', 'Clients.', 0);
    expect(m.render()).toBe(
      [
        '# HELP lineside_modbus_requests_total Modbus requests sent.',
        '# TYPE lineside_modbus_requests_total counter',
        'lineside_modbus_requests_total{device="plc\\"1\\\\a\\nb"} 5',
        'lineside_modbus_requests_total{device="plc2"} 7',
        '# HELP lineside_ws_clients Clients.',
        '# TYPE lineside_ws_clients gauge',
        'lineside_ws_clients 0',
        '',
      ].join('\n'),
    );
  });
});

describe('families and summaries', () => {
  it('keeps each family in one block however the samples were added', () => {
    const m = new MetricsWriter();
    for (const device of ['plc1', 'plc2']) {
      m.add('lineside_modbus_requests_total', 'counter', 'Requests.', 1, { device });
      m.add('lineside_modbus_errors_total', 'counter', 'Errors.', 0, { device });
    }
    expect(
      m
        .render()
        .split('\n')
        .filter((l) => !l.startsWith('# HELP')),
    ).toEqual([
      '# TYPE lineside_modbus_requests_total counter',
      'lineside_modbus_requests_total{device="plc1"} 1',
      'lineside_modbus_requests_total{device="plc2"} 1',
      '# TYPE lineside_modbus_errors_total counter',
      'lineside_modbus_errors_total{device="plc1"} 0',
      'lineside_modbus_errors_total{device="plc2"} 0',
      '',
    ]);
  });

  it('renders a summary as quantiles plus _sum and _count, and escapes HELP', () => {
    const m = new MetricsWriter();
    m.summary(
      'x_seconds',
      'Latency \\ with\nnewline.',
      {
        quantiles: [
          ['0.5', 0.002],
          ['0.99', undefined],
        ],
        sum: 1.5,
        count: 300,
      },
      { device: 'plc1' },
    );
    expect(m.render()).toBe(
      [
        '# HELP x_seconds Latency \\\\ with\\nnewline.',
        '# TYPE x_seconds summary',
        'x_seconds{device="plc1",quantile="0.5"} 0.002',
        'x_seconds_sum{device="plc1"} 1.5',
        'x_seconds_count{device="plc1"} 300',
        '',
      ].join('\n'),
    );
  });

  it('refuses what would make an invalid exposition', () => {
    const m = new MetricsWriter();
    expect(() => m.add('x_seconds', 'gauge', 'X.', 1, { quantile: '0.5' })).toThrow(/quantile/);
    expect(() => m.add('x_requests', 'counter', 'X.', 1)).toThrow(/_total/);
    m.summary('y_seconds', 'Y.', { quantiles: [], sum: 0, count: 0 });
    expect(() => m.add('y_seconds', 'gauge', 'Y.', 1)).toThrow(/summary/);
  });
});

describe('renderMetrics', () => {
  const device = (id: string, over: Partial<DeviceHealth> = {}): DeviceHealth => ({
    device: id,
    endpoint: `tcp://127.0.0.1:502 unit 1`,
    connected: true,
    requests: 10,
    errors: 1,
    overruns: 0,
    ...over,
  });
  const input: MetricsInputs = {
    config: { devices: [{ id: 'plc1' }, { id: 'plc2' }] } as unknown as LinesideConfig,
    health: {
      sources: () => [
        device('plc1', { latencyP50Ms: 2, latencyP99Ms: 9.5, latencySumMs: 40, latencyCount: 9 }),
        device('plc2', { connected: false, latencySumMs: 0, latencyCount: 0 }),
        device('gpio'),
      ],
      spool: () => ({ depth: 3, bytes: 4096, dropped: 0, errors: 0, writable: true, oldestUnsentAgeMs: 1500 }),
      outputs: () => [
        { name: 'mqtt', up: true, sent: 5, errors: 0 },
        { name: 'influx', up: false, sent: 0, errors: 2, lastError: 'INFLUX_WRITE timeout' },
      ],
    },
    history: { file: 'h.db', writable: true, recorded: 7, buffered: 1, writeErrors: 0, dropped: 0, bytes: 8192 },
    hub: {
      clients: 1,
      connectionsTotal: 2,
      messagesSent: 3,
      bytesSent: 400,
      skipped: 0,
      slowDisconnects: 0,
      heartbeatDisconnects: 0,
      broadcasts: 3,
      bufferedBytes: 0,
      maxClientBufferedBytes: 0,
    },
    coreEvents: new Map([
      ['cycle', 4],
      ['state', 2],
    ]),
    http: { rateLimited: 0, authFailures: 1 },
    loopLag: {
      quantiles: [
        ['0.5', 0.001],
        ['0.99', 0.004],
        ['1', 0.02],
      ],
      sum: 0.5,
      count: 400,
    },
    startedAtWallMs: Date.UTC(2025, 0, 1),
  };

  it('gives a well-formed exposition: one block per family, quantiles only on summaries', () => {
    const text = renderMetrics(input);
    expect(expositionProblems(text)).toEqual([]);
    expect(text).toContain('# TYPE lineside_modbus_latency_seconds summary\n');
    expect(text).toContain('lineside_modbus_latency_seconds{device="plc1",quantile="0.99"} 0.0095\n');
    expect(text).toContain('lineside_modbus_latency_seconds_count{device="plc1"} 9\n');
    // A device that never answered has a zero count and no quantiles yet.
    expect(text).toContain('lineside_modbus_latency_seconds_count{device="plc2"} 0\n');
    expect(text).not.toContain('lineside_modbus_latency_seconds{device="plc2"');
    expect(text).not.toContain('lineside_modbus_requests_total{device="gpio"}');
    expect(text).toContain(
      '# TYPE lineside_event_loop_lag_seconds summary\nlineside_event_loop_lag_seconds{quantile="0.5"} 0.001\n',
    );
    expect(text).toContain('lineside_event_loop_lag_seconds_sum 0.5\nlineside_event_loop_lag_seconds_count 400\n');
    // Outputs by name, one family for all of them: a new output needs no change here.
    expect(text).toContain('lineside_output_up{output="mqtt"} 1\nlineside_output_up{output="influx"} 0\n');
    expect(text).toContain('lineside_output_errors_total{output="influx"} 2\n');
  });

  it('the checker itself catches the old faults', () => {
    const old = [
      '# HELP a_total A.',
      '# TYPE a_total counter',
      'a_total{device="plc1"} 1',
      '# HELP b_total B.',
      '# TYPE b_total counter',
      'b_total{device="plc1"} 1',
      'a_total{device="plc2"} 1',
      '# HELP l_seconds L.',
      '# TYPE l_seconds gauge',
      'l_seconds{quantile="0.5"} 1',
      '',
    ].join('\n');
    expect(expositionProblems(old)).toEqual([
      `a_total: sample outside its family's block (after b_total)`,
      'l_seconds: quantile label on a gauge',
    ]);
  });
});

describe('LoopLag', () => {
  it('reports a summary whose count and sum keep growing across the minute resets', async () => {
    let now = 0;
    const lag = new LoopLag(() => now);
    try {
      await vi.waitFor(() => expect(lag.read()?.count ?? 0).toBeGreaterThan(2), { timeout: 5_000, interval: 30 });
      now = 60_000;
      const before = lag.read() as SummaryValue; // resets the window after reading
      expect(before.quantiles.map(([q]) => q)).toEqual(['0.5', '0.99', '1']);
      const after = lag.read() as SummaryValue;
      expect(after.count).toBeGreaterThanOrEqual(before.count ?? 0);
      expect(after.sum).toBeGreaterThanOrEqual(before.sum ?? 0);
    } finally {
      lag.close();
    }
  });
});
