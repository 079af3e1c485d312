/**
 * The sysfs (onoff) driver. On machines without GPIO (CI, a laptop) the real onoff fails to open
 * a pin: the error names the input, the BCM pin, the sysfs number computed from the chip's base
 * and the likely cause, and the agent keeps running its other sources. The errno mapping and the
 * release of pins are checked through the driver's onoff seam, since real sysfs GPIO cannot run
 * here.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Lifecycle } from '../../../src/agent/lifecycle.js';
import type { Clock } from '../../../src/core/sample.js';
import { systemClock } from '../../../src/lib/clock.js';
import { isLinesideError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { OnoffGpio, OnoffGpioConstructor } from '../../../src/sources/gpio/drivers/sysfs.js';
import { createGpioSource, type GpioSource } from '../../../src/sources/gpio/source.js';
import type { Source } from '../../../src/sources/source.js';
import { gpioConfig, RecordingSink, waitFor } from '../../fixtures/gpio/harness.js';
import { FakeVirtualGpio } from '../../fixtures/gpio/virtual-gpio.js';
import { LAYOUTS, makeSysfsTree, type FakeSysfs } from '../../fixtures/gpio/sysfs-layouts.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tree(layout: Parameters<typeof makeSysfsTree>[0]): FakeSysfs {
  const t = makeSysfsTree(layout);
  cleanups.push(() => t.cleanup());
  return t;
}

function gpioSource(
  gpio: unknown,
  deps: {
    sysfsRoot?: string;
    loadGpio?: () => Promise<OnoffGpioConstructor>;
    clock?: Clock;
    env?: NodeJS.ProcessEnv;
    sim?: FakeVirtualGpio;
  } = {},
): GpioSource {
  const src = createGpioSource(gpioConfig(gpio), { clock: deps.clock ?? systemClock, logger: silentLogger, ...deps });
  cleanups.push(() => src.stop());
  return src;
}

/** An onoff stand-in: records what the driver does with each pin, or throws like onoff's fs calls. */
class FakeOnoff {
  readonly exported: number[] = [];
  readonly unexported: number[] = [];
  readonly watchers = new Map<number, (err: Error | null | undefined, value: 0 | 1) => void>();
  failures = new Map<number, string>();

  loader(): () => Promise<OnoffGpioConstructor> {
    const { exported, unexported, watchers, failures } = this;
    class Gpio implements OnoffGpio {
      constructor(private readonly n: number) {
        const errno = failures.get(n);
        if (errno)
          throw Object.assign(new Error(`${errno}: simulated, write '/sys/class/gpio/export'`), { code: errno });
        exported.push(n);
      }
      readSync(): 0 | 1 {
        return 0;
      }
      watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void {
        watchers.set(this.n, callback);
      }
      unwatchAll(): void {
        watchers.delete(this.n);
      }
      unexport(): void {
        unexported.push(this.n);
      }
    }
    return () => Promise.resolve(Gpio as OnoffGpioConstructor);
  }
}

describe('sysfs driver with the real onoff on a machine without GPIO', () => {
  // On a Raspberry Pi this would export real pins; there the hardware itself is the test.
  it.runIf(!existsSync('/sys/class/gpio/export'))(
    'each pin fails with its computed sysfs number and the likely cause; start still resolves',
    async () => {
      const pi4 = tree(LAYOUTS.pi4);
      const src = gpioSource(
        {
          driver: 'sysfs',
          inputs: [
            { name: 'chute', pin: 17 },
            { name: 'reject', pin: 27 },
          ],
        },
        { sysfsRoot: pi4.root },
      );
      const sink = new RecordingSink();
      await src.start(sink);

      const [chute, reject] = src.inputs();
      expect(chute?.error).toMatch(
        /^GPIO_OPEN gpio input "chute" BCM 17 \(sysfs 529 \(pinctrl-bcm2711 base 512\), driver sysfs\): sysfs GPIO missing/,
      );
      expect(chute?.error).toMatch(/ENOENT.*\/sys\/class\/gpio\/export/);
      expect(reject?.error).toMatch(/BCM 27 \(sysfs 539 /);
      expect(sink.commsChanges).toMatchObject([{ device: 'gpio', ok: false }]);
      expect(src.health()[0]).toMatchObject({ device: 'gpio', connected: false, errors: 2 });
      expect(sink.samples).toEqual([]);
    },
  );

  it.runIf(!existsSync('/sys/class/gpio'))(
    'with the real /sys, start fails GPIO_UNAVAILABLE, and the agent keeps running its other sources',
    async () => {
      const gpio = gpioSource({ driver: 'sysfs', inputs: [{ name: 'chute', pin: 17 }] });
      const virtual = new FakeVirtualGpio({ 5: 0 });
      const clock: Clock = { monoMs: () => virtual.nowMs, wallMs: () => 1_700_000_000_000 + virtual.nowMs };
      const other = gpioSource({ driver: 'sim', inputs: [{ name: 'door', pin: 5 }] }, { clock, sim: virtual });
      const sink = new RecordingSink();
      const asComponent = (s: Source) => ({
        name: s === gpio ? 'gpio-sysfs' : 'gpio-sim',
        role: 'source' as const,
        start: () => s.start(sink),
        stop: () => s.stop(),
      });
      const lifecycle = new Lifecycle(silentLogger);
      lifecycle.add(asComponent(gpio));
      lifecycle.add(asComponent(other));
      cleanups.push(() => lifecycle.stop());

      const statuses = await lifecycle.start();
      expect(statuses.find((s) => s.name === 'gpio-sysfs')).toMatchObject({
        state: 'failed',
        error: expect.stringMatching(
          /^GPIO_UNAVAILABLE sysfs GPIO driver unavailable: \/sys\/class\/gpio does not exist/,
        ),
      });
      expect(statuses.find((s) => s.name === 'gpio-sim')).toMatchObject({ state: 'running' });
      expect(gpio.inputs()[0]?.error).toMatch(/GPIO_OPEN gpio input "chute" BCM 17 \(line unknown\)/);

      virtual.pulse(5, 100, 20);
      virtual.advance(200);
      other.flush();
      expect(sink.last('gpio.door')).toBe(1);
    },
  );
});

describe('sysfs driver through its onoff seam', () => {
  it.each([
    ['EACCES', /permission denied: the agent's user is not in group gpio/],
    ['EBUSY', /pin in use/],
    ['EINVAL', /wrong pin or wrong sysfs base/],
  ])('%s names the Pi 5 sysfs number 588 and the cause', async (errno, cause) => {
    const pi5 = tree(LAYOUTS.pi5);
    const onoff = new FakeOnoff();
    onoff.failures.set(588, errno);
    const src = gpioSource(
      {
        driver: 'sysfs',
        inputs: [
          { name: 'chute', pin: 17 },
          { name: 'reject', pin: 27 },
        ],
      },
      { sysfsRoot: pi5.root, loadGpio: onoff.loader() },
    );
    await src.start(new RecordingSink());
    const chute = src.inputs()[0];
    expect(chute?.open).toBe(false);
    expect(chute?.error).toMatch(/BCM 17 \(sysfs 588 \(pinctrl-rp1 base 571\), driver sysfs\)/);
    expect(chute?.error).toMatch(cause);
    expect(src.inputs()[1]).toMatchObject({ open: true, line: 'sysfs 598 (pinctrl-rp1 base 571)' });
  });

  it('counts edges, and releases (unexports) every pin it opened on stop', async () => {
    const pi4 = tree(LAYOUTS.pi4);
    const onoff = new FakeOnoff();
    const src = gpioSource(
      {
        driver: 'sysfs',
        inputs: [
          { name: 'chute', pin: 17, debounce: '0ms' },
          { name: 'reject', pin: 27 },
        ],
      },
      { sysfsRoot: pi4.root, loadGpio: onoff.loader() },
    );
    const sink = new RecordingSink();
    await src.start(sink);
    expect(onoff.exported).toEqual([529, 539]);

    const edge = onoff.watchers.get(529);
    edge?.(null, 1);
    edge?.(null, 0);
    edge?.(null, 0); // woken with no change: two edges coalesced, not invented
    await waitFor('one part', () => sink.last('gpio.chute') === 1);

    await src.stop();
    expect(onoff.unexported.sort()).toEqual([529, 539]);
    expect(onoff.watchers.size).toBe(0);
  });

  it('auto falls back to sysfs when gpiomon is missing, and the error of both names each reason', async () => {
    const pi4 = tree(LAYOUTS.pi4);
    const onoff = new FakeOnoff();
    const noTools = { PATH: '/nonexistent' };
    const src = gpioSource(
      { driver: 'auto', inputs: [{ name: 'chute', pin: 17 }] },
      { sysfsRoot: pi4.root, loadGpio: onoff.loader(), env: noTools },
    );
    await src.start(new RecordingSink());
    expect(src.health()[0]?.endpoint).toBe('gpio chip pinctrl-bcm2711 (sysfs gpiochip512, base 512)');
    expect(onoff.exported).toEqual([529]);

    const neither = gpioSource(
      { driver: 'auto', inputs: [{ name: 'chute', pin: 17 }] },
      { sysfsRoot: `${pi4.root}/missing`, loadGpio: onoff.loader(), env: noTools },
    );
    const error = await neither.start(new RecordingSink()).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isLinesideError(error) && error.code).toBe('GPIO_UNAVAILABLE');
    expect(String(error)).toMatch(
      /chardev: gpiomon not found on PATH \(install Debian package gpiod.*\); sysfs: .*missing\/class\/gpio does not exist/,
    );
  });
});
