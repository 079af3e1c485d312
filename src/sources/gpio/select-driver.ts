/**
 * Picks the GPIO driver. `auto` prefers chardev (libgpiod tools present and the header chip
 * found: kernel timestamps, no coalesced edges, works on kernels without sysfs GPIO), then sysfs
 * (/sys/class/gpio/export writable and the chip found), and otherwise fails with both reasons.
 * `sim` is never picked automatically: a real agent must not count simulated parts.
 */
import type { Clock } from '../../core/sample.js';
import { errorMessage, isLinesideError, LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { DriverKind, GpioDriver } from './driver.js';
import { createChardevDriver } from './drivers/chardev.js';
import { createSimDriver, type VirtualGpioPort } from './drivers/sim.js';
import { createSysfsDriver, type OnoffGpioConstructor } from './drivers/sysfs.js';

export type DriverMode = 'auto' | DriverKind;

export interface DriverContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly chipLabel?: string;
  /** Root of sysfs, default "/sys". */
  readonly sysfsRoot?: string;
  /** Environment for the libgpiod tools (PATH), default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** gpiomon restart backoff, real ms. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** The simulator's virtual GPIO, for driver "sim". */
  readonly sim?: VirtualGpioPort;
  /** How far the simulator has delivered edges (`() => handle.line.nowMs`), if the port does not say. */
  readonly simDeliveredThroughMs?: () => number;
  /** onoff's Gpio class loader (default `import('onoff')`). */
  readonly loadGpio?: () => Promise<OnoffGpioConstructor>;
}

/**
 * Creates one driver, or rejects with GPIO_UNAVAILABLE saying why it cannot work here.
 * `probing` is true when `auto` is trying candidates (sysfs then insists on a writable export).
 */
export type DriverFactory = (kind: DriverKind, ctx: DriverContext, probing: boolean) => Promise<GpioDriver>;

export const defaultDriverFactory: DriverFactory = (kind, ctx, probing) => {
  switch (kind) {
    case 'chardev':
      return createChardevDriver({
        clock: ctx.clock,
        logger: ctx.logger,
        ...(ctx.chipLabel !== undefined ? { chipLabel: ctx.chipLabel } : {}),
        ...(ctx.env !== undefined ? { env: ctx.env } : {}),
        ...(ctx.initialBackoffMs !== undefined ? { initialBackoffMs: ctx.initialBackoffMs } : {}),
        ...(ctx.maxBackoffMs !== undefined ? { maxBackoffMs: ctx.maxBackoffMs } : {}),
      });
    case 'sysfs':
      return createSysfsDriver({
        clock: ctx.clock,
        logger: ctx.logger,
        requireWritableExport: probing,
        ...(ctx.chipLabel !== undefined ? { chipLabel: ctx.chipLabel } : {}),
        ...(ctx.sysfsRoot !== undefined ? { sysfsRoot: ctx.sysfsRoot } : {}),
        ...(ctx.loadGpio !== undefined ? { loadGpio: ctx.loadGpio } : {}),
      });
    case 'sim':
      return createSimDriver(ctx.sim, ctx.simDeliveredThroughMs);
  }
};

export interface SelectedDriver {
  readonly driver: GpioDriver;
  /** Why this driver, for the log: "chardev: gpiomon v1, chip gpiochip0 [pinctrl-bcm2711]". */
  readonly reason: string;
}

export async function selectDriver(
  mode: DriverMode,
  ctx: DriverContext,
  factory: DriverFactory = defaultDriverFactory,
): Promise<SelectedDriver> {
  if (mode !== 'auto') {
    const driver = await factory(mode, ctx, false).catch((err: unknown) => Promise.reject(asUnavailable(err, mode)));
    return { driver, reason: `configured driver ${mode}` };
  }
  const refusals: string[] = [];
  for (const kind of ['chardev', 'sysfs'] as const) {
    try {
      const driver = await factory(kind, ctx, true);
      const passed = refusals.length > 0 ? ` (${refusals.join('; ')})` : '';
      const reason = `auto chose ${kind}: ${driver.endpoint}${passed}`;
      ctx.logger.info({ driver: kind, endpoint: driver.endpoint, refused: refusals }, `gpio: ${reason}`);
      return { driver, reason };
    } catch (err) {
      refusals.push(`${kind}: ${errorMessage(err).replace(/^\w+ GPIO driver unavailable: /, '')}`);
    }
  }
  const reason = refusals.join('; ');
  ctx.logger.error({ refused: refusals }, `gpio: no GPIO driver can work here: ${reason}`);
  throw new LinesideError('GPIO_UNAVAILABLE', `no GPIO driver can work on this machine: ${reason}`, {
    driver: 'auto',
    refused: refusals,
  });
}

function asUnavailable(err: unknown, kind: DriverKind): LinesideError {
  if (isLinesideError(err)) return err;
  return new LinesideError(
    'GPIO_UNAVAILABLE',
    `${kind} GPIO driver failed to start: ${errorMessage(err)}`,
    { driver: kind },
    { cause: err },
  );
}
