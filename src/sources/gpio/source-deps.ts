/**
 * What the GPIO source is given (clock, logger, and the overrides of tests and the simulator),
 * and the part of it handed on to driver selection.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock } from '../../core/sample.js';
import type { Logger } from '../../lib/logger.js';
import type { VirtualGpioPort } from './drivers/sim.js';
import type { OnoffGpioConstructor } from './drivers/sysfs.js';
import type { DriverContext, DriverFactory } from './select-driver.js';

export interface GpioSourceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Root of sysfs for chip discovery (default "/sys"). */
  readonly sysfsRoot?: string;
  /** Creates drivers (default: the real sysfs, chardev and sim drivers). */
  readonly driverFactory?: DriverFactory;
  /** Environment for the libgpiod tools, i.e. which gpiomon is on PATH (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The simulator's virtual GPIO (`handle.gpio`), required by driver "sim". */
  readonly sim?: VirtualGpioPort;
  /**
   * How far the simulator has run (`() => handle.line.nowMs`), unless the virtual GPIO says so
   * itself: lets debounce decide exactly at the simulator's pace, whatever its speed.
   */
  readonly simDeliveredThroughMs?: () => number;
  /** gpiomon restart backoff, real ms (default 250 ms doubling to 10 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** onoff loader override (default `import('onoff')`). */
  readonly loadGpio?: () => Promise<OnoffGpioConstructor>;
  /** Longest real-time wait between two debounce checks while one is pending, ms (default 10). */
  readonly maxFlushIntervalMs?: number;
}

/** The driver context: the deps' overrides that are set, the source's logger, the chip label. */
export function driverContext(d: GpioSourceDeps, gpio: LinesideConfig['gpio'], logger: Logger): DriverContext {
  return {
    clock: d.clock,
    logger,
    ...(gpio.chipLabel !== undefined ? { chipLabel: gpio.chipLabel } : {}),
    ...(d.sysfsRoot !== undefined ? { sysfsRoot: d.sysfsRoot } : {}),
    ...(d.env !== undefined ? { env: d.env } : {}),
    ...(d.sim !== undefined ? { sim: d.sim } : {}),
    ...(d.simDeliveredThroughMs !== undefined ? { simDeliveredThroughMs: d.simDeliveredThroughMs } : {}),
    ...(d.initialBackoffMs !== undefined ? { initialBackoffMs: d.initialBackoffMs } : {}),
    ...(d.maxBackoffMs !== undefined ? { maxBackoffMs: d.maxBackoffMs } : {}),
    ...(d.loadGpio !== undefined ? { loadGpio: d.loadGpio } : {}),
  };
}
