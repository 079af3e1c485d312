/**
 * What /metrics reports: every family and its HELP text, in the Prometheus text format that
 * metrics-writer.ts writes. Values come from the health port; a part the agent does not run (no
 * spool, no InfluxDB) simply has no series. docs/metrics.md lists them.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { HistoryHealth } from '../outputs/history/types.js';
import type { DeviceHealth } from '../sources/source.js';
import type { HealthPort } from './deps.js';
import { MetricsWriter, type SummaryValue } from './metrics-writer.js';
import type { HubStats } from './ws-hub.js';

export interface MetricsInputs {
  readonly config: Readonly<LinesideConfig>;
  readonly health: HealthPort;
  readonly history: HistoryHealth | undefined;
  readonly hub: HubStats;
  readonly coreEvents: ReadonlyMap<string, number>;
  readonly http: { readonly rateLimited: number; readonly authFailures: number };
  readonly loopLag: SummaryValue | undefined;
  readonly startedAtWallMs: number;
}

// ms to s via whole nanoseconds: one correctly rounded division prints 0.11095, not 0.11095000000000001.
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1e6) / 1e9);

function deviceMetrics(m: MetricsWriter, devices: readonly DeviceHealth[], modbusIds: ReadonlySet<string>): void {
  // The writer groups samples per family, so one pass per device keeps families whole.
  for (const d of devices) {
    const l = { device: d.device };
    m.add('lineside_device_up', 'gauge', '1 while the device answers, 0 while it does not.', d.connected ? 1 : 0, l);
    if (!modbusIds.has(d.device)) continue;
    m.add('lineside_modbus_requests_total', 'counter', 'Modbus requests sent.', d.requests, l);
    m.add(
      'lineside_modbus_errors_total',
      'counter',
      'Modbus requests that failed (timeout, exception, connection).',
      d.errors,
      l,
    );
    m.add(
      'lineside_modbus_poll_overruns_total',
      'counter',
      'Poll cycles that started late because the previous one overran.',
      d.overruns,
      l,
    );
    const latency: SummaryValue = {
      quantiles: [
        ['0.5', seconds(d.latencyP50Ms)],
        ['0.99', seconds(d.latencyP99Ms)],
      ],
      ...(d.latencySumMs !== undefined ? { sum: seconds(d.latencySumMs) } : {}),
      ...(d.latencyCount !== undefined ? { count: d.latencyCount } : {}),
    };
    m.summary(
      'lineside_modbus_latency_seconds',
      'Modbus request latency: quantiles over the last 1024 answered requests, sum and count since start.',
      latency,
      l,
    );
  }
}

export function renderMetrics(input: MetricsInputs): string {
  const m = new MetricsWriter();
  const modbusIds = new Set(input.config.devices.map((d) => d.id));
  deviceMetrics(m, input.health.sources(), modbusIds);

  const spool = input.health.spool?.();
  if (spool !== undefined) {
    m.add('lineside_spool_depth', 'gauge', 'Spooled rows not yet acknowledged by every destination.', spool.depth);
    m.add('lineside_spool_bytes', 'gauge', 'Size of the spool database pages.', spool.bytes);
    m.add(
      'lineside_spool_dropped_total',
      'counter',
      'Rows dropped by the spool size/age bounds (raw samples first).',
      spool.dropped,
    );
    m.add('lineside_spool_errors_total', 'counter', 'Spool write errors.', spool.errors);
    m.add('lineside_spool_writable', 'gauge', '1 while the spool can write.', spool.writable ? 1 : 0);
    m.add(
      'lineside_spool_oldest_unsent_seconds',
      'gauge',
      'Age of the oldest row not yet delivered.',
      spool.oldestUnsentAgeMs === undefined ? undefined : spool.oldestUnsentAgeMs / 1000,
    );
  }
  for (const o of input.health.outputs?.() ?? []) {
    const output = { output: o.name };
    m.add('lineside_output_up', 'gauge', '1 while the output is connected and delivering.', o.up ? 1 : 0, output);
    m.add(
      'lineside_output_sent_total',
      'counter',
      'Deliveries acknowledged (MQTT messages, InfluxDB points, webhook requests).',
      o.sent,
      output,
    );
    m.add('lineside_output_errors_total', 'counter', 'Delivery and connection errors.', o.errors, output);
  }
  const h = input.history;
  if (h !== undefined) {
    m.add('lineside_history_events_total', 'counter', 'Core events written to the local history.', h.recorded);
    m.add('lineside_history_buffered', 'gauge', 'Events waiting for the next history write.', h.buffered);
    m.add('lineside_history_write_errors_total', 'counter', 'Failed history writes.', h.writeErrors);
    m.add(
      'lineside_history_dropped_total',
      'counter',
      'Events the history dropped while it could not write.',
      h.dropped,
    );
    m.add('lineside_history_bytes', 'gauge', 'Size of the history database and its WAL.', h.bytes);
  }
  for (const [type, count] of input.coreEvents)
    m.add('lineside_core_events_total', 'counter', 'Core events seen by the dashboard, by type.', count, { type });

  const ws = input.hub;
  m.add('lineside_ws_clients', 'gauge', 'Connected dashboard websocket clients.', ws.clients);
  m.add('lineside_ws_connections_total', 'counter', 'Websocket connections accepted.', ws.connectionsTotal);
  m.add('lineside_ws_broadcasts_total', 'counter', 'Deltas broadcast.', ws.broadcasts);
  m.add(
    'lineside_ws_messages_sent_total',
    'counter',
    'Websocket messages sent (snapshots and deltas).',
    ws.messagesSent,
  );
  m.add('lineside_ws_bytes_sent_total', 'counter', 'Websocket payload bytes sent.', ws.bytesSent);
  m.add('lineside_ws_skipped_total', 'counter', 'Deltas skipped for clients too far behind.', ws.skipped);
  m.add(
    'lineside_ws_slow_disconnects_total',
    'counter',
    'Clients disconnected for staying too far behind.',
    ws.slowDisconnects,
  );
  m.add(
    'lineside_ws_heartbeat_disconnects_total',
    'counter',
    'Clients disconnected for not answering a ping.',
    ws.heartbeatDisconnects,
  );
  m.add('lineside_ws_buffered_bytes', 'gauge', 'Bytes queued in all websocket client sockets.', ws.bufferedBytes);
  m.add(
    'lineside_ws_max_client_buffered_bytes',
    'gauge',
    'Longest queue of any one websocket client.',
    ws.maxClientBufferedBytes,
  );
  m.add(
    'lineside_http_rate_limited_total',
    'counter',
    'POST requests refused by the rate limit.',
    input.http.rateLimited,
  );
  m.add(
    'lineside_http_auth_failures_total',
    'counter',
    'Requests refused for missing or wrong credentials.',
    input.http.authFailures,
  );

  m.summary(
    'lineside_event_loop_lag_seconds',
    'Event-loop delay: quantiles (1 = max) over the last minute, sum and count since start.',
    input.loopLag,
  );
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  m.add('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
  m.add('process_cpu_user_seconds_total', 'counter', 'User CPU time spent.', cpu.user / 1e6);
  m.add('process_cpu_system_seconds_total', 'counter', 'System CPU time spent.', cpu.system / 1e6);
  m.add('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent.', (cpu.user + cpu.system) / 1e6);
  m.add(
    'process_start_time_seconds',
    'gauge',
    'Start time of the process since the epoch, seconds.',
    Math.floor(input.startedAtWallMs / 1000),
  );
  m.add('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  m.add('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap allocated.', mem.heapTotal);
  m.add('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript (buffers).', mem.external);
  return m.render();
}
