/**
 * /metrics in the Prometheus text exposition format (0.0.4), written by hand (no prom-client:
 * a few dozen series do not need a dependency). Values come from the health port; a part the
 * agent does not run (no spool, no InfluxDB) simply has no series. docs/dashboard.md lists them.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LinesideConfig } from '../config/schema.js';
import type { HistoryHealth } from '../outputs/history/types.js';
import type { DeviceHealth } from '../sources/source.js';
import type { HealthPort } from './deps.js';
import type { HubStats } from './ws-hub.js';

type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Collects families in order and renders them; one HELP/TYPE per family. */
export class MetricsWriter {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();

  add(name: string, type: 'counter' | 'gauge', help: string, value: number | undefined, labels: Labels = {}): void {
    if (value === undefined || !Number.isFinite(value)) return;
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
  }

  render(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Event-loop delay since the previous reset (every minute), sampled every 10 ms. */
export class LoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private resetAtMs: number;

  constructor(private readonly monoMs: () => number) {
    this.histogram.enable();
    this.resetAtMs = monoMs();
  }

  /** p50, p99 and max in seconds; the histogram restarts once a minute so old stalls age out. */
  read(): { p50: number; p99: number; max: number } | undefined {
    const h = this.histogram;
    const figures = h.count > 0 ? { p50: h.percentile(50) / 1e9, p99: h.percentile(99) / 1e9, max: h.max / 1e9 } : undefined;
    const now = this.monoMs();
    if (now - this.resetAtMs >= 60_000) {
      h.reset();
      this.resetAtMs = now;
    }
    return figures;
  }

  close(): void {
    this.histogram.disable();
  }
}

export interface MetricsInputs {
  readonly config: Readonly<LinesideConfig>;
  readonly health: HealthPort;
  readonly history: HistoryHealth | undefined;
  readonly hub: HubStats;
  readonly coreEvents: ReadonlyMap<string, number>;
  readonly http: { readonly rateLimited: number; readonly authFailures: number };
  readonly loopLag: { p50: number; p99: number; max: number } | undefined;
  readonly startedAtWallMs: number;
}

function deviceMetrics(m: MetricsWriter, devices: readonly DeviceHealth[], modbusIds: ReadonlySet<string>): void {
  for (const d of devices) m.add('lineside_device_up', 'gauge', '1 while the device answers, 0 while it does not.', d.connected ? 1 : 0, { device: d.device });
  for (const d of devices.filter((x) => modbusIds.has(x.device))) {
    const l = { device: d.device };
    m.add('lineside_modbus_requests_total', 'counter', 'Modbus requests sent.', d.requests, l);
    m.add('lineside_modbus_errors_total', 'counter', 'Modbus requests that failed (timeout, exception, connection).', d.errors, l);
    m.add('lineside_modbus_poll_overruns_total', 'counter', 'Poll cycles that started late because the previous one overran.', d.overruns, l);
  }
  for (const d of devices.filter((x) => modbusIds.has(x.device))) {
    const ms = (v: number | undefined) => (v === undefined ? undefined : v / 1000);
    m.add('lineside_modbus_latency_seconds', 'gauge', 'Modbus request latency quantiles over the recent requests.', ms(d.latencyP50Ms), { device: d.device, quantile: '0.5' });
    m.add('lineside_modbus_latency_seconds', 'gauge', 'Modbus request latency quantiles over the recent requests.', ms(d.latencyP99Ms), { device: d.device, quantile: '0.99' });
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
    m.add('lineside_spool_dropped_total', 'counter', 'Rows dropped by the spool size/age bounds (raw samples first).', spool.dropped);
    m.add('lineside_spool_errors_total', 'counter', 'Spool write errors.', spool.errors);
    m.add('lineside_spool_writable', 'gauge', '1 while the spool can write.', spool.writable ? 1 : 0);
    m.add('lineside_spool_oldest_unsent_seconds', 'gauge', 'Age of the oldest row not yet delivered.', spool.oldestUnsentAgeMs === undefined ? undefined : spool.oldestUnsentAgeMs / 1000);
  }
  const mqtt = input.health.mqtt?.();
  if (mqtt !== undefined) {
    m.add('lineside_mqtt_connected', 'gauge', '1 while connected to the MQTT broker.', mqtt.connected ? 1 : 0);
    m.add('lineside_mqtt_published_total', 'counter', 'MQTT messages published and acknowledged.', mqtt.sent);
    m.add('lineside_mqtt_errors_total', 'counter', 'MQTT publish and connection errors.', mqtt.errors);
  }
  const influx = input.health.influx?.();
  if (influx !== undefined) {
    m.add('lineside_influx_up', 'gauge', '1 while the last InfluxDB write succeeded.', influx.connected ? 1 : 0);
    m.add('lineside_influx_points_written_total', 'counter', 'Points written to InfluxDB.', influx.sent);
    m.add('lineside_influx_errors_total', 'counter', 'InfluxDB write errors.', influx.errors);
  }
  const h = input.history;
  if (h !== undefined) {
    m.add('lineside_history_events_total', 'counter', 'Core events written to the local history.', h.recorded);
    m.add('lineside_history_buffered', 'gauge', 'Events waiting for the next history write.', h.buffered);
    m.add('lineside_history_write_errors_total', 'counter', 'Failed history writes.', h.writeErrors);
    m.add('lineside_history_dropped_total', 'counter', 'Events the history dropped while it could not write.', h.dropped);
    m.add('lineside_history_bytes', 'gauge', 'Size of the history database and its WAL.', h.bytes);
  }
  for (const [type, count] of input.coreEvents) m.add('lineside_core_events_total', 'counter', 'Core events seen by the dashboard, by type.', count, { type });

  const ws = input.hub;
  m.add('lineside_ws_clients', 'gauge', 'Connected dashboard websocket clients.', ws.clients);
  m.add('lineside_ws_connections_total', 'counter', 'Websocket connections accepted.', ws.connectionsTotal);
  m.add('lineside_ws_broadcasts_total', 'counter', 'Deltas broadcast.', ws.broadcasts);
  m.add('lineside_ws_messages_sent_total', 'counter', 'Websocket messages sent (snapshots and deltas).', ws.messagesSent);
  m.add('lineside_ws_bytes_sent_total', 'counter', 'Websocket payload bytes sent.', ws.bytesSent);
  m.add('lineside_ws_skipped_total', 'counter', 'Deltas skipped for clients too far behind.', ws.skipped);
  m.add('lineside_ws_slow_disconnects_total', 'counter', 'Clients disconnected for staying too far behind.', ws.slowDisconnects);
  m.add('lineside_ws_heartbeat_disconnects_total', 'counter', 'Clients disconnected for not answering a ping.', ws.heartbeatDisconnects);
  m.add('lineside_ws_buffered_bytes', 'gauge', 'Bytes queued in all websocket client sockets.', ws.bufferedBytes);
  m.add('lineside_ws_max_client_buffered_bytes', 'gauge', 'Longest queue of any one websocket client.', ws.maxClientBufferedBytes);
  m.add('lineside_http_rate_limited_total', 'counter', 'POST requests refused by the rate limit.', input.http.rateLimited);
  m.add('lineside_http_auth_failures_total', 'counter', 'Requests refused for missing or wrong credentials.', input.http.authFailures);

  if (input.loopLag !== undefined) {
    const help = 'Event-loop delay over the last minute.';
    m.add('lineside_event_loop_lag_seconds', 'gauge', help, input.loopLag.p50, { quantile: '0.5' });
    m.add('lineside_event_loop_lag_seconds', 'gauge', help, input.loopLag.p99, { quantile: '0.99' });
    m.add('lineside_event_loop_lag_seconds', 'gauge', help, input.loopLag.max, { quantile: '1' });
  }
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  m.add('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
  m.add('process_cpu_user_seconds_total', 'counter', 'User CPU time spent.', cpu.user / 1e6);
  m.add('process_cpu_system_seconds_total', 'counter', 'System CPU time spent.', cpu.system / 1e6);
  m.add('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent.', (cpu.user + cpu.system) / 1e6);
  m.add('process_start_time_seconds', 'gauge', 'Start time of the process since the epoch, seconds.', Math.floor(input.startedAtWallMs / 1000));
  m.add('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
  m.add('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap allocated.', mem.heapTotal);
  m.add('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript (buffers).', mem.external);
  return m.render();
}
