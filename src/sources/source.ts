import type { LinesideConfig } from '../config/schema.js';
import type { Clock, SampleSink } from '../core/sample.js';
import type { Logger } from '../lib/logger.js';
import type { VirtualGpioPort } from './gpio/drivers/sim.js';

/** Health of one device or bus, shown on the dashboard and in /metrics. */
export interface DeviceHealth {
  readonly device: string;
  /** "tcp://10.0.0.5:502 unit 1", "rtu:///dev/ttyUSB0 unit 3", "gpio chip pinctrl-bcm2711". */
  readonly endpoint: string;
  readonly connected: boolean;
  /** "CODE message" of the last error, e.g. "MODBUS_TIMEOUT plc1 ...". */
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  readonly requests: number;
  readonly errors: number;
  /** Poll cycles that started late because the previous one overran. */
  readonly overruns: number;
  readonly latencyP50Ms?: number;
  readonly latencyP99Ms?: number;
  /** Sum and count of every answered request's latency since start: /metrics' summary needs both. */
  readonly latencySumMs?: number;
  readonly latencyCount?: number;
}

/**
 * A source of samples (Modbus, GPIO). Contract:
 * - `start` resolves once polling is scheduled; it does NOT wait for devices to answer, and a
 *   device that is down is reported through health and comms changes, never as a rejection.
 *   It rejects only for errors the user must fix (e.g. a GPIO pin that cannot exist).
 * - Samples and comms changes go to the sink synchronously from the source's own callbacks.
 * - `stop` stops polling, releases ports and pins, and resolves when nothing is in flight.
 */
export interface Source {
  readonly name: string;
  start(sink: SampleSink): Promise<void>;
  stop(): Promise<void>;
  health(): readonly DeviceHealth[];
}

/** What the agent hands a source factory. */
export interface SourceContext {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The simulator's virtual GPIO, for `gpio.driver: sim` (the demo). */
  readonly gpioSim?: { readonly port: VirtualGpioPort; readonly deliveredThroughMs?: () => number };
}

/** One entry of the agent's source registry (src/agent/registry.ts). */
export interface SourceFactory {
  readonly name: string;
  /** Whether the config has anything for this source to read. */
  enabled(config: Readonly<LinesideConfig>): boolean;
  create(ctx: SourceContext): Source;
}
