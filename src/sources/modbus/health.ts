/**
 * Per-device health: what the dashboard and /metrics show about a PLC. Counters are totals since
 * start; latencies and poll jitter are percentiles over a bounded window of recent requests.
 */
import type { DeviceHealth } from '../source.js';
import type { LinesideError } from '../../lib/errors.js';

/** A fixed-size window of recent measurements with nearest-rank percentiles. */
export class SampleWindow {
  private readonly values: number[] = [];
  private next = 0;
  /** The values sorted, kept until the next add (health asks for p50 and p99 together). */
  private sorted: number[] | undefined;

  constructor(private readonly size = 1024) {}

  add(value: number): void {
    if (this.values.length < this.size) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
    this.sorted = undefined;
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile (p in 0..100); undefined while empty. */
  percentile(p: number): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = (this.sorted ??= [...this.values].sort((a, b) => a - b));
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1];
  }
}

/** A request group the device refused with exception 1, 2 or 3: a config error to fix. */
export interface ConfigErrorReport {
  /** "read holding 100..109" */
  readonly read: string;
  readonly exceptionCode: number;
  /** "speed @ 40101" per tag of the refused request. */
  readonly tags: readonly string[];
  readonly atWallMs: number;
}

/**
 * Set while a device is down because it answered only with exceptions for `exceptionGrace`
 * polls (comms-rule.ts): it is on the wire, its connection is up, but it delivers no data.
 */
export interface ExceptionFault {
  /** Code of the last exception answered (4 server device failure, 6 busy, ...). */
  readonly exceptionCode: number;
  /** The request it answered: "read holding 0..9". */
  readonly read: string;
  /** Wall ms the device went down for this. */
  readonly sinceWallMs: number;
}

/** DeviceHealth plus what only a Modbus device has. */
export interface ModbusDeviceHealth extends DeviceHealth {
  readonly unitId: number;
  /**
   * The comms the source reports to the core are ok: the device's last polls delivered data.
   * `connected` (what /readyz, `lineside_device_up` and the dashboard read) is `linkConnected && up`.
   */
  readonly up: boolean;
  /** The transport's connection (socket or serial port) is open, whether or not the unit answers. */
  readonly linkConnected: boolean;
  /** Set while the device is down because it answers only with exceptions. */
  readonly exceptionFault?: ExceptionFault;
  /** Code of the last error alone ("MODBUS_TIMEOUT"), for metrics labels. */
  readonly lastErrorCode?: string;
  /** Poll cycles completed (successful or not). */
  readonly polls: number;
  /** Poll cycles not started because the device was backing off after failures. */
  readonly skippedPolls: number;
  /** Failed poll cycles (no answer at all) since the last poll with data (0 while healthy). */
  readonly consecutiveFailures: number;
  /** Poll cycles answered only with exceptions since the last poll with data (0 while healthy). */
  readonly exceptionOnlyPolls: number;
  /** Values that could not be decoded (NaN floats, short replies). */
  readonly decodeErrors: number;
  /** Requests currently suppressed because the device refused them (exceptions 1/2/3). */
  readonly configErrors: readonly ConfigErrorReport[];
  /** Lateness of poll starts against the schedule, ms. */
  readonly pollJitterP50Ms?: number;
  readonly pollJitterP99Ms?: number;
}

export class HealthTracker {
  connected = false;
  up = false;
  linkConnected = false;
  exceptionFault: ExceptionFault | undefined;
  exceptionOnlyPolls = 0;
  requests = 0;
  errors = 0;
  overruns = 0;
  polls = 0;
  skippedPolls = 0;
  consecutiveFailures = 0;
  decodeErrors = 0;
  // Totals since start beside the percentile window: two numbers, for the summary in /metrics.
  private latencySumMs = 0;
  private latencyCount = 0;
  private lastError: LinesideError | undefined;
  private lastErrorAt: number | undefined;
  private readonly latency = new SampleWindow();
  private readonly jitter = new SampleWindow();
  readonly configErrors = new Map<string, ConfigErrorReport>();

  constructor(
    readonly device: string,
    readonly endpoint: string,
    readonly unitId: number,
  ) {}

  requestSucceeded(latencyMs: number): void {
    this.requests++;
    this.latency.add(latencyMs);
    this.latencySumMs += latencyMs;
    this.latencyCount++;
  }

  requestFailed(error: LinesideError, atWallMs: number, sent: boolean): void {
    if (sent) this.requests++;
    this.errors++;
    this.lastError = error;
    this.lastErrorAt = atWallMs;
  }

  pollStarted(latenessMs: number): void {
    this.jitter.add(Math.max(0, latenessMs));
  }

  snapshot(): ModbusDeviceHealth {
    const p50 = this.latency.percentile(50);
    const p99 = this.latency.percentile(99);
    const j50 = this.jitter.percentile(50);
    const j99 = this.jitter.percentile(99);
    return {
      device: this.device,
      endpoint: `${this.endpoint} unit ${this.unitId}`,
      unitId: this.unitId,
      connected: this.connected,
      up: this.up,
      linkConnected: this.linkConnected,
      ...(this.exceptionFault !== undefined ? { exceptionFault: this.exceptionFault } : {}),
      ...(this.lastError !== undefined
        ? { lastError: this.lastError.toString(), lastErrorCode: this.lastError.code }
        : {}),
      ...(this.lastErrorAt !== undefined ? { lastErrorAt: this.lastErrorAt } : {}),
      requests: this.requests,
      errors: this.errors,
      overruns: this.overruns,
      polls: this.polls,
      skippedPolls: this.skippedPolls,
      consecutiveFailures: this.consecutiveFailures,
      exceptionOnlyPolls: this.exceptionOnlyPolls,
      decodeErrors: this.decodeErrors,
      configErrors: [...this.configErrors.values()],
      ...(p50 !== undefined ? { latencyP50Ms: round(p50) } : {}),
      ...(p99 !== undefined ? { latencyP99Ms: round(p99) } : {}),
      latencySumMs: this.latencySumMs,
      latencyCount: this.latencyCount,
      ...(j50 !== undefined ? { pollJitterP50Ms: round(j50) } : {}),
      ...(j99 !== undefined ? { pollJitterP99Ms: round(j99) } : {}),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
