/**
 * The sysfs driver, through onoff (/sys/class/gpio). Kept for kernels and images where the
 * libgpiod tools are not installed. Its limits, from onoff's source
 * (docs/library-notes.md#onoff-and-raspberry-pi-gpio):
 * - onoff always uses /sys/class/gpio; `sysfsRoot` here only moves where chips are discovered.
 * - The Gpio constructor is synchronous and may busy-wait for udev to fix permissions, so pins
 *   are created once, at open.
 * - onoff's `debounceTimeout` swallows short pulses: never used, the source debounces.
 * - sysfs has no event timestamps and no queue: an edge is stamped when its poll wakes us, and
 *   two edges between two wake-ups read as one level (counted in `missedPulses`, logged).
 * - onoff is imported lazily, so the module loads on a machine without epoll (macOS, Windows).
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../../core/sample.js';
import { errorMessage, LinesideError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { DriverListener, GpioDriver, Level, LineOpenResult, LineRequest } from '../driver.js';
import { errnoOf, gpioOpenError } from '../open-errors.js';
import { describeSysfsLine, resolveSysfsChip, sysfsGpioDir, sysfsNumber, type SysfsChip } from '../sysfs-chips.js';

/** The part of onoff's Gpio this driver uses. */
export interface OnoffGpio {
  readSync(): 0 | 1;
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export type OnoffGpioConstructor = new (gpio: number, direction: 'in', edge: 'both') => OnoffGpio;

export interface SysfsOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly chipLabel?: string;
  /** Root of sysfs (default "/sys"); tests point it at a fake tree. */
  readonly sysfsRoot?: string;
  /** Fail unless <root>/class/gpio/export is writable (auto mode: do not pick a driver that cannot work). */
  readonly requireWritableExport?: boolean;
  /** Loads onoff's Gpio class (default: `import('onoff')`). */
  readonly loadGpio?: () => Promise<OnoffGpioConstructor>;
}

async function loadOnoff(): Promise<OnoffGpioConstructor> {
  const onoff = await import('onoff');
  return onoff.Gpio as unknown as OnoffGpioConstructor;
}

function unavailable(reason: string, errno: string): LinesideError {
  return new LinesideError('GPIO_UNAVAILABLE', `sysfs GPIO driver unavailable: ${reason}`, {
    driver: 'sysfs',
    reason,
    errno,
  });
}

/** Finds the header controller's base; rejects with GPIO_UNAVAILABLE when sysfs cannot work. */
export async function createSysfsDriver(options: SysfsOptions): Promise<SysfsDriver> {
  const root = options.sysfsRoot ?? '/sys';
  const resolved = await resolveSysfsChip(root, options.chipLabel);
  if (!resolved.ok) throw unavailable(resolved.reason, resolved.errno);
  if (options.requireWritableExport) {
    const exportFile = path.join(sysfsGpioDir(root), 'export');
    try {
      await access(exportFile, constants.W_OK);
    } catch (err) {
      const errno = errnoOf(err) ?? 'EACCES';
      throw unavailable(`${exportFile} is not writable (${errno}: not in group gpio?)`, errno);
    }
  }
  let Gpio: OnoffGpioConstructor;
  try {
    Gpio = await (options.loadGpio ?? loadOnoff)();
  } catch (err) {
    throw unavailable(`onoff cannot be loaded on this platform (${errorMessage(err)})`, 'ENOTSUP');
  }
  return new SysfsDriver(options, resolved.chip, Gpio);
}

interface OpenPin {
  readonly gpio: OnoffGpio;
  level: Level;
}

export class SysfsDriver implements GpioDriver {
  readonly kind = 'sysfs' as const;
  readonly endpoint: string;
  /** Edges are stamped on delivery, so they can never be late relative to the clock. */
  readonly deliveryGraceMs = 0;
  readonly maxDeliveryLagMs = 0;
  private readonly pins = new Map<number, OpenPin>();
  private closed = false;
  private missed = 0;

  constructor(
    private readonly options: SysfsOptions,
    readonly chip: SysfsChip,
    private readonly Gpio: OnoffGpioConstructor,
  ) {
    this.endpoint = `gpio chip ${chip.label} (sysfs ${chip.name}, base ${chip.base})`;
  }

  /** Pulses lost because two edges fell between two sysfs wake-ups. */
  get missedPulses(): number {
    return this.missed;
  }

  async open(lines: readonly LineRequest[], listener: DriverListener): Promise<readonly LineOpenResult[]> {
    return lines.map((line) => this.openOne(line, listener));
  }

  private openOne(line: LineRequest, listener: DriverListener): LineOpenResult {
    const where = describeSysfsLine(this.chip, line.pin);
    const number = sysfsNumber(this.chip, line.pin);
    if (number === null) {
      return {
        ok: false,
        pin: line.pin,
        line: where,
        error: gpioOpenError({ input: line.input, pin: line.pin, driver: 'sysfs', line: where, errno: 'EINVAL' }),
      };
    }
    let gpio: OnoffGpio;
    let level: Level;
    try {
      gpio = new this.Gpio(number, 'in', 'both');
      level = gpio.readSync();
    } catch (err) {
      const errno = errnoOf(err);
      return {
        ok: false,
        pin: line.pin,
        line: where,
        error: gpioOpenError(
          {
            input: line.input,
            pin: line.pin,
            driver: 'sysfs',
            line: where,
            ...(errno !== undefined ? { errno } : {}),
            detail: errorMessage(err),
          },
          err,
        ),
      };
    }
    const pin: OpenPin = { gpio, level };
    this.pins.set(line.pin, pin);
    gpio.watch((err, value) => {
      if (this.closed) return;
      if (err) {
        this.options.logger.warn({ pin: line.pin, err: errorMessage(err) }, 'gpio: sysfs poll error');
        return;
      }
      if (value === pin.level) {
        // Woken with no level change: two edges happened between two reads (a pulse we cannot time).
        this.missed++;
        if (this.missed <= 5 || this.missed % 1000 === 0) {
          this.options.logger.warn(
            { pin: line.pin, missed: this.missed },
            'gpio: sysfs coalesced two edges (a pulse shorter than the poll latency); the chardev driver does not lose these',
          );
        }
        return;
      }
      pin.level = value;
      listener.edge({ pin: line.pin, level: value, monoMs: this.options.clock.monoMs() });
    });
    return { ok: true, pin: line.pin, level, line: where };
  }

  async read(pin: number): Promise<Level> {
    const open = this.pins.get(pin);
    if (!open) throw new LinesideError('NOT_FOUND', `gpio BCM ${pin} is not open`, { pin });
    return open.gpio.readSync();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [pin, open] of this.pins) {
      try {
        open.gpio.unwatchAll();
        open.gpio.unexport();
      } catch (err) {
        this.options.logger.warn({ pin, err: errorMessage(err) }, 'gpio: could not release a sysfs pin');
      }
    }
    this.pins.clear();
  }
}
