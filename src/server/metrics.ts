/**
 * /metrics in the Prometheus text exposition format (0.0.4), written by hand (no prom-client:
 * a few dozen series do not need a dependency). Values come from the health port; a part the
 * agent does not run (no spool, no InfluxDB) simply has no series. docs/metrics.md lists them.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LinesideConfig } from '../config/schema.js';
import type { HistoryHealth } from '../outputs/history/types.js';
import type { DeviceHealth } from '../sources/source.js';
import type { HealthPort } from './deps.js';
import type { HubStats } from './ws-hub.js';

type Labels = Readonly<Record<string, string>>;
type FamilyType = 'counter' | 'gauge' | 'summary';

/**
 * A Prometheus summary: quantiles over a recent window (["0.5", v], ...) plus, where the source
 * tracks them, the sum and count of every observation since start. A source that does not (a
 * test fake) still gives a valid summary without `_sum`/`_count`.
 */
export interface SummaryValue {
  readonly quantiles: ReadonlyArray<readonly [quantile: string, value: number | undefined]>;
  readonly sum?: number;
  readonly count?: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

// HELP text escapes only backslash and newline (quotes are literal there).
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`;
}

/**
 * Collects samples per family and renders each family as one block: HELP, TYPE, then all its
 * samples, whatever order they were added in. Parsers other than Prometheus's own (Python's
 * prometheus_client) start a new, untyped family when a family's samples are split up.
 * Misuse that yields an invalid exposition throws, so a unit test catches it before promtool.
 */
export class MetricsWriter {
  private readonly families = new Map<string, { type: FamilyType; help: string; samples: string[] }>();

  add(name: string, type: 'counter' | 'gauge', help: string, value: number | undefined, labels: Labels = {}): void {
    if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    if ('quantile' in labels || 'le' in labels)
      throw new Error(`${name}: quantile/le labels belong to summaries/histograms`);
    if (value === undefined || !Number.isFinite(value)) return;
    this.family(name, type, help).push(sample(name, labels, value));
  }

  summary(name: string, help: string, value: SummaryValue | undefined, labels: Labels = {}): void {
    if (value === undefined) return;
    const samples = this.family(name, 'summary', help);
    for (const [quantile, v] of value.quantiles) {
      if (v !== undefined && Number.isFinite(v)) samples.push(sample(name, { ...labels, quantile }, v));
    }
    if (value.sum !== undefined) samples.push(sample(`${name}_sum`, labels, value.sum));
    if (value.count !== undefined) samples.push(sample(`${name}_count`, labels, value.count));
  }

  private family(name: string, type: FamilyType, help: string): string[] {
    const existing = this.families.get(name);
    if (existing === undefined) {
      const samples: string[] = [];
      this.families.set(name, { type, help, samples });
      return samples;
    }
    if (existing.type !== type) throw new Error(`${name} added as ${existing.type} and as ${type}`);
    return existing.samples;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.families) {
      if (f.samples.length === 0) continue;
      lines.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Event-loop delay as a summary: p50, p99 and max ("1") since the previous reset (every minute,
 * so old stalls age out), sampled every 10 ms; `_sum`/`_count` carry over resets so they only
 * grow, as Prometheus expects of a summary's sum and count.
 */
export class LoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private resetAtMs: number;
  private carriedCount = 0;
  private carriedSumNs = 0;

  constructor(private readonly monoMs: () => number) {
    this.histogram.enable();
    this.resetAtMs = monoMs();
  }

  /** In seconds; undefined until the first delay is recorded. */
  read(): SummaryValue | undefined {
    const h = this.histogram;
    // mean is NaN while the histogram is empty (just after a reset).
    const sumNs = this.carriedSumNs + (h.count > 0 ? h.mean * h.count : 0);
    const count = this.carriedCount + h.count;
    const figures: SummaryValue | undefined =
      count === 0
        ? undefined
        : {
            quantiles:
              h.count > 0
                ? [
                    ['0.5', h.percentile(50) / 1e9],
                    ['0.99', h.percentile(99) / 1e9],
                    ['1', h.max / 1e9],
                  ]
                : [],
            sum: sumNs / 1e9,
            count,
          };
    const now = this.monoMs();
    if (now - this.resetAtMs >= 60_000) {
      this.carriedCount = count;
      this.carriedSumNs = sumNs;
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
