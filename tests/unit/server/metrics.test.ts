import { describe, expect, it } from 'vitest';
import { MetricsWriter } from '../../../src/server/metrics.js';

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
