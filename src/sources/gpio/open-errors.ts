/**
 * Turns "EACCES" into what a plant engineer should check. A pin that cannot be opened is named
 * by its input, its BCM number, the line the driver computed for it and the likely cause.
 */
import { LinesideError } from '../../lib/errors.js';
import type { DriverKind } from './driver.js';

/** The likely cause of an open failure, by errno, with what to do about it. */
export function likelyCause(errno: string | undefined, driver: DriverKind): string {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return driver === 'chardev'
        ? "permission denied: the agent's user is not in group gpio (sudo usermod -aG gpio <user>, then log in again) or /dev/gpiochip* is not group gpio"
        : "permission denied: the agent's user is not in group gpio (sudo usermod -aG gpio <user>, then log in again)";
    case 'EBUSY':
      return 'pin in use: another program (gpiomon, a second agent, a Python script) or a kernel driver (1-wire, SPI, I2C, UART overlay in /boot/firmware/config.txt) holds it; `gpioinfo` shows the consumer';
    case 'EINVAL':
      return driver === 'sysfs'
        ? 'invalid line number: wrong pin or wrong sysfs base (since kernel 6.6 sysfs numbers are base + BCM, e.g. 529 for GPIO17 on a Pi 4; a bare BCM number fails with EINVAL)'
        : 'invalid line: the pin does not exist on this GPIO controller (check the BCM number and gpio.chipLabel)';
    case 'ENOENT':
      return driver === 'sysfs'
        ? 'sysfs GPIO missing: this kernel has no /sys/class/gpio (deprecated, absent on newer kernels); use driver "chardev" (apt install gpiod)'
        : 'GPIO character device missing: no /dev/gpiochip* for this controller (not a Raspberry Pi, or wrong gpio.chipLabel)';
    case undefined:
      return 'unknown cause';
    default:
      return `unexpected error ${errno}`;
  }
}

export interface OpenErrorContext {
  readonly input: string;
  readonly pin: number;
  readonly driver: DriverKind;
  /** The computed line ("sysfs 529 (pinctrl-bcm2711 base 512)") or why it could not be computed. */
  readonly line: string;
  readonly errno?: string;
  /** The underlying message (a tool's stderr line, a Node error message). */
  readonly detail?: string;
}

/** GPIO_OPEN for one pin. */
export function gpioOpenError(ctx: OpenErrorContext, cause?: unknown): LinesideError {
  const why = likelyCause(ctx.errno, ctx.driver);
  const detail =
    ctx.detail !== undefined && ctx.detail !== ''
      ? ` [${ctx.errno ?? 'error'}: ${ctx.detail}]`
      : ctx.errno
        ? ` [${ctx.errno}]`
        : '';
  return new LinesideError(
    'GPIO_OPEN',
    `gpio input "${ctx.input}" BCM ${ctx.pin} (${ctx.line}, driver ${ctx.driver}): ${why}${detail}`,
    { input: ctx.input, pin: ctx.pin, line: ctx.line, driver: ctx.driver, errno: ctx.errno, likelyCause: why },
    cause === undefined ? undefined : { cause },
  );
}

/** The errno code of a thrown Node error, if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
