/**
 * A pin that cannot be opened tells the plant engineer which pin, which line the agent computed
 * for it, and what to check.
 */
import { describe, expect, it } from 'vitest';
import { gpioOpenError, likelyCause } from '../../../src/sources/gpio/open-errors.js';

describe('likely cause by errno', () => {
  it.each([
    ['EACCES', 'sysfs', /not in group gpio/],
    ['EPERM', 'chardev', /not in group gpio/],
    ['EBUSY', 'sysfs', /pin in use/],
    ['EBUSY', 'chardev', /pin in use/],
    ['EINVAL', 'sysfs', /wrong pin or wrong sysfs base.*bare BCM number fails with EINVAL/],
    ['EINVAL', 'chardev', /does not exist on this GPIO controller/],
    ['ENOENT', 'sysfs', /sysfs GPIO missing/],
    ['ENOENT', 'chardev', /no \/dev\/gpiochip/],
  ] as const)('%s (%s)', (errno, driver, pattern) => {
    expect(likelyCause(errno, driver)).toMatch(pattern);
  });
});

describe('GPIO_OPEN error', () => {
  it('names input, BCM pin, computed line and cause, in message and context', () => {
    const err = gpioOpenError({
      input: 'chute',
      pin: 17,
      driver: 'sysfs',
      line: 'sysfs 529 (pinctrl-bcm2711 base 512)',
      errno: 'EACCES',
      detail: "EACCES: permission denied, open '/sys/class/gpio/export'",
    });
    expect(err.code).toBe('GPIO_OPEN');
    expect(err.toString()).toMatch(
      /^GPIO_OPEN gpio input "chute" BCM 17 \(sysfs 529 \(pinctrl-bcm2711 base 512\), driver sysfs\): permission denied/,
    );
    expect(err.context).toMatchObject({
      input: 'chute',
      pin: 17,
      line: 'sysfs 529 (pinctrl-bcm2711 base 512)',
      errno: 'EACCES',
    });
    expect(String(err.context.likelyCause)).toMatch(/group gpio/);
  });
});
