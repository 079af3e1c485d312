/**
 * What the GPIO source reports of itself: one health entry for the driver plus one per input,
 * and the per-input status (pin, line, level, count, filter statistics, open error).
 */
import type { GpioInput } from '../../config/schema.js';
import type { LinesideError } from '../../lib/errors.js';
import type { DeviceHealth } from '../source.js';
import type { PulseFilter, PulseFilterStats } from './debounce.js';
import type { GpioDriver } from './driver.js';

/** One configured input and how far it got: its line, its filter once open, or why it is not. */
export interface Channel {
  readonly input: GpioInput;
  line?: string;
  filter?: PulseFilter;
  error?: LinesideError;
  errorAt?: number;
}

/** Where one input stands, for health, the dashboard and tests. */
export interface GpioInputStatus {
  readonly input: string;
  readonly pin: number;
  /** The computed line ("sysfs 529 (pinctrl-bcm2711 base 512)"), if known. */
  readonly line?: string;
  readonly open: boolean;
  readonly level?: 0 | 1;
  readonly count: number;
  readonly stats?: PulseFilterStats;
  /** "GPIO_OPEN ..." when the pin could not be opened. */
  readonly error?: string;
}

/** The source's driver-level state that health reports. */
export interface DriverState {
  readonly driver: GpioDriver | null;
  readonly driverOk: boolean;
  /** The configured driver mode ("auto", "sysfs", ...), named while none runs. */
  readonly configured: string;
  readonly lastError: LinesideError | undefined;
  readonly lastErrorAt: number | undefined;
  readonly errors: number;
}

export function gpioHealth(channels: readonly Channel[], state: DriverState): readonly DeviceHealth[] {
  if (channels.length === 0) return [];
  const stats = channels.map((c) => c.filter?.stats());
  const rawEdges = stats.reduce((n, s) => n + (s?.rawEdges ?? 0), 0);
  const late = stats.reduce((n, s) => n + (s?.lateEdges ?? 0), 0);
  const device: DeviceHealth = {
    device: 'gpio',
    endpoint: state.driver?.endpoint ?? `gpio (driver ${state.configured}, not running)`,
    connected: state.driver !== null && state.driverOk,
    ...(state.lastError ? { lastError: state.lastError.toString(), lastErrorAt: state.lastErrorAt as number } : {}),
    requests: rawEdges,
    errors: state.errors,
    overruns: late,
  };
  const perInput = channels.map(
    (c): DeviceHealth => ({
      device: `gpio.${c.input.name}`,
      endpoint: `BCM ${c.input.pin}${c.line ? ` -> ${c.line}` : ''}`,
      connected: c.filter !== undefined && state.driver !== null && state.driverOk,
      ...(c.error ? { lastError: c.error.toString(), lastErrorAt: c.errorAt as number } : {}),
      requests: c.filter?.stats().rawEdges ?? 0,
      errors: c.error ? 1 : 0,
      overruns: c.filter?.stats().lateEdges ?? 0,
    }),
  );
  return [device, ...perInput];
}

export function inputStatuses(channels: readonly Channel[]): readonly GpioInputStatus[] {
  return channels.map((c) => ({
    input: c.input.name,
    pin: c.input.pin,
    ...(c.line !== undefined ? { line: c.line } : {}),
    open: c.filter !== undefined,
    ...(c.filter ? { level: c.filter.level, stats: c.filter.stats() } : {}),
    count: c.filter?.count ?? 0,
    ...(c.error ? { error: c.error.toString() } : {}),
  }));
}
