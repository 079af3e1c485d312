/**
 * The chardev driver against fake libgpiod tools (v1 and v2 syntax and output formats) run as
 * real processes from a temp dir on PATH: the chip is chosen by label, pulses are debounced and
 * counted at their kernel timestamps, a dying gpiomon is restarted and counts carry on, a busy
 * or missing pin is named, and stop leaves no process behind.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { isLinesideError } from '../../../src/lib/errors.js';
import { createLogger, silentLogger } from '../../../src/lib/logger.js';
import { createGpioSource, type GpioSource } from '../../../src/sources/gpio/source.js';
import {
  installFakeLibgpiod,
  isAlive,
  type FakeLibgpiod,
  type FakeLibgpiodSetup,
} from '../../fixtures/gpio/fake-libgpiod.js';
import { gpioConfig, RecordingSink, waitFor } from '../../fixtures/gpio/harness.js';

const PI4 = ['gpiochip0 [pinctrl-bcm2711] (58 lines)', 'gpiochip1 [raspberrypi-exp-gpio] (8 lines)'];
/** Pi 5 before kernel 6.6.45: the header bank is gpiochip4, not gpiochip0. */
const PI5_OLD = [
  'gpiochip0 [gpio-brcmstb@107d508500] (32 lines)',
  'gpiochip1 [gpio-brcmstb@107d508520] (4 lines)',
  'gpiochip4 [pinctrl-rp1] (54 lines)',
];

/** Three part pulses on `offset`, 30 ms apart, the first with contact bounce, relative times in ms. */
function threePulses(offset: number): [number, 0 | 1, number][] {
  return [
    [offset, 1, 0],
    [offset, 0, 0.3],
    [offset, 1, 0.7],
    [offset, 0, 1.0],
    [offset, 1, 1.2],
    [offset, 0, 10],
    [offset, 1, 30],
    [offset, 0, 40],
    [offset, 1, 60],
    [offset, 0, 70],
  ];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fake(setup: FakeLibgpiodSetup): FakeLibgpiod {
  const tools = installFakeLibgpiod(setup);
  cleanups.push(() => tools.cleanup());
  return tools;
}

function source(
  tools: FakeLibgpiod,
  gpio: unknown,
  extra: { logger?: ReturnType<typeof createLogger>; sysfsRoot?: string } = {},
): GpioSource {
  const src = createGpioSource(gpioConfig(gpio), {
    clock: systemClock,
    logger: extra.logger ?? silentLogger,
    env: tools.env,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
    sysfsRoot: extra.sysfsRoot ?? '/nonexistent-sysfs',
  });
  cleanups.push(() => src.stop());
  return src;
}

describe('chardev driver, libgpiod v1 tools (bookworm)', () => {
  it('picks the header chip by label, counts debounced pulses, and stamps them at their kernel times', async () => {
    const tools = fake({
      version: 1,
      chips: PI5_OLD,
      runs: [{ batches: [{ afterMs: 100, events: threePulses(17) }] }],
    });
    const src = source(tools, { driver: 'chardev', inputs: [{ name: 'chute', pin: 17, debounce: '2ms' }] });
    const sink = new RecordingSink();
    await src.start(sink);

    await waitFor(
      'three parts and the last release',
      () => sink.last('gpio.chute') === 3 && sink.of('gpio.chute.level').length === 7,
    );
    expect(tools.args(1)).toEqual(['--num-events=0', '--line-buffered', '--format=%o %e %s %n', 'gpiochip4', '17']);
    const counts = sink.of('gpio.chute');
    expect(counts.map((s) => s.value)).toEqual([0, 1, 2, 3]);
    // All the edges reached us in one burst; the samples still sit 30 ms apart, as the pulses
    // did (to within 50 us of clock-read jitter between chunks of gpiomon's output).
    const [, first, second, third] = counts.map((s) => s.mono) as [number, number, number, number];
    expect(second - first).toBeCloseTo(30, 1);
    expect(third - second).toBeCloseTo(30, 1);
    expect(sink.of('gpio.chute.level').map((s) => s.value)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(src.health()[0]).toMatchObject({
      device: 'gpio',
      connected: true,
      endpoint: expect.stringContaining('pinctrl-rp1 (gpiochip4'),
    });
    expect(src.inputs()[0]).toMatchObject({
      input: 'chute',
      open: true,
      count: 3,
      line: 'gpiochip4 [pinctrl-rp1] offset 17',
    });
    expect(sink.commsChanges.map((c) => c.ok)).toEqual([true]);
  });

  it('restarts gpiomon when it dies, reports the outage, and the count carries on from where it was', async () => {
    const tools = fake({
      version: 1,
      chips: PI4,
      runs: [
        {
          batches: [
            {
              afterMs: 100,
              events: [
                [17, 1, 0],
                [17, 0, 10],
                [17, 1, 30],
                [17, 0, 40],
              ],
            },
          ],
          exit: { code: 1, stderr: 'error waiting for events: Input/output error' },
        },
        { batches: [{ afterMs: 100, events: threePulses(17) }] },
      ],
    });
    const src = source(tools, { driver: 'chardev', inputs: [{ name: 'chute', pin: 17 }] });
    const sink = new RecordingSink();
    await src.start(sink);

    await waitFor('five parts over two gpiomon runs', () => sink.last('gpio.chute') === 5);
    expect(tools.starts()).toBe(2);
    expect(sink.of('gpio.chute').map((s) => s.value)).toEqual([0, 1, 2, 3, 4, 5]);
    await waitFor('comms back', () => sink.commsChanges.length === 3);
    const [up, down, back] = sink.commsChanges;
    expect([up?.ok, down?.ok, back?.ok]).toEqual([true, false, true]);
    expect(down?.error).toMatch(
      /^GPIO_UNAVAILABLE gpiomon exited with code 1 \(gpiomon: error waiting for events: Input\/output error\) on gpiochip0 \[pinctrl-bcm2711\].*restarting in 50 ms/,
    );
    expect(src.health()[0]).toMatchObject({
      connected: true,
      errors: 1,
      lastError: expect.stringContaining('gpiomon exited with code 1'),
    });
  });

  it('restarts a killed gpiomon, and a level that changed while it was down becomes an edge', async () => {
    const tools = fake({ version: 1, chips: PI4, runs: [{}] });
    const src = source(tools, { driver: 'chardev', inputs: [{ name: 'chute', pin: 17 }] });
    const sink = new RecordingSink();
    await src.start(sink);
    await waitFor('gpiomon running', () => tools.starts() === 1 && tools.lastPid() !== undefined);
    const firstPid = tools.lastPid() as number;

    tools.setLevels({ 17: 1 }); // a part arrives while gpiomon is gone
    process.kill(firstPid, 'SIGKILL');

    await waitFor('second gpiomon', () => tools.starts() === 2);
    await waitFor('the part counted', () => sink.last('gpio.chute') === 1);
    expect(sink.last('gpio.chute.level')).toBe(1);
    expect(sink.commsChanges.find((c) => !c.ok)?.error).toMatch(/gpiomon was killed by SIGKILL/);
    await waitFor(
      'comms back',
      () => sink.commsChanges[sink.commsChanges.length - 1]?.ok === true && sink.commsChanges.length === 3,
    );
  });

  it('a busy pin is named with its line and cause; the other pin is counted', async () => {
    const tools = fake({
      version: 1,
      chips: PI4,
      busy: [27],
      runs: [
        {
          batches: [
            {
              afterMs: 100,
              events: [
                [17, 1, 0],
                [17, 0, 10],
              ],
            },
          ],
        },
      ],
    });
    const src = source(tools, {
      driver: 'chardev',
      inputs: [
        { name: 'chute', pin: 17 },
        { name: 'reject', pin: 27 },
      ],
    });
    const sink = new RecordingSink();
    await src.start(sink);

    await waitFor('chute counted', () => sink.last('gpio.chute') === 1);
    const reject = src.inputs().find((i) => i.input === 'reject');
    expect(reject?.open).toBe(false);
    expect(reject?.error).toMatch(
      /^GPIO_OPEN gpio input "reject" BCM 27 \(gpiochip0 \[pinctrl-bcm2711\] offset 27, driver chardev\): pin in use/,
    );
    expect(reject?.error).toMatch(/Device or resource busy/);
    expect(tools.args(1).slice(-1)).toEqual(['17']);
    expect(sink.of('gpio.reject')).toEqual([]);
    expect(src.health().find((h) => h.device === 'gpio.reject')).toMatchObject({
      connected: false,
      lastError: expect.stringContaining('pin in use'),
    });
    expect(sink.commsChanges.map((c) => c.ok)).toEqual([true]);
  });

  it('a pin beyond the chosen chip is invalid, named with the chip it was looked up on', async () => {
    const tools = fake({ version: 1, chips: PI4 });
    const src = source(tools, {
      driver: 'chardev',
      chipLabel: 'raspberrypi-exp-gpio',
      inputs: [{ name: 'chute', pin: 17 }],
    });
    const sink = new RecordingSink();
    await src.start(sink);
    expect(src.inputs()[0]?.error).toMatch(
      /BCM 17 \(gpiochip1 \[raspberrypi-exp-gpio\] has 8 lines, offset 17 is beyond them, driver chardev\): invalid line/,
    );
    expect(sink.commsChanges).toMatchObject([{ device: 'gpio', ok: false }]);
    expect(tools.starts()).toBe(0);
  });

  it('stop terminates gpiomon and releases the lines', async () => {
    const tools = fake({ version: 1, chips: PI4, runs: [{}] });
    const src = source(tools, { driver: 'chardev', inputs: [{ name: 'chute', pin: 17 }] });
    await src.start(new RecordingSink());
    await waitFor('gpiomon running', () => tools.lastPid() !== undefined);
    const pid = tools.lastPid() as number;
    expect(isAlive(pid)).toBe(true);
    await src.stop();
    await waitFor('gpiomon gone', () => !isAlive(pid), 5_000);
    expect(tools.starts()).toBe(1);
  });
});

describe('chardev driver, libgpiod v2 tools (trixie)', () => {
  it('uses the v2 syntax and output format, with initial levels from gpioget', async () => {
    const tools = fake({
      version: 2,
      chips: PI4,
      levels: { 22: 1 },
      runs: [{ batches: [{ afterMs: 100, events: [...threePulses(17), [22, 0, 5], [22, 1, 25]] }] }],
    });
    const src = source(tools, {
      driver: 'chardev',
      inputs: [
        { name: 'chute', pin: 17, debounce: '2ms' },
        { name: 'door', pin: 22, activeLow: true },
      ],
    });
    const sink = new RecordingSink();
    await src.start(sink);

    await waitFor(
      'three parts and the door',
      () => sink.last('gpio.chute') === 3 && sink.of('gpio.door.level').length === 3,
    );
    const args = tools.args(1);
    expect(args.slice(0, 2)).toEqual(['--chip', 'gpiochip0']);
    expect(args).toContain('--format=%o %e %S');
    expect(args.slice(-2)).toEqual(['17', '22']);
    expect(tools.gpiogetCalls()[0]).toEqual(['--chip', 'gpiochip0', '--consumer', 'lineside', '17', '22']);
    // The door sensor is active-low: the pin read high at start, so it was inactive.
    expect(sink.of('gpio.door.level').map((s) => s.value)).toEqual([0, 1, 0]);
    const counts = sink.of('gpio.chute').map((s) => s.mono);
    expect((counts[3] as number) - (counts[1] as number)).toBeCloseTo(60, 1);
  });
});

describe('driver auto', () => {
  it('chooses chardev when gpiomon is there and the chip is found, and says why', async () => {
    const tools = fake({ version: 1, chips: PI4, runs: [{}] });
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const src = source(tools, { driver: 'auto', inputs: [{ name: 'chute', pin: 17 }] }, { logger });
    await src.start(new RecordingSink());
    expect(lines.join('')).toMatch(
      /gpio: auto chose chardev: gpio chip pinctrl-bcm2711 \(gpiochip0, libgpiod v1 tools\)/,
    );
  });

  it('with no matching chip and no sysfs GPIO, start fails with both reasons and leaves nothing running', async () => {
    const tools = fake({ version: 1, chips: ['gpiochip0 [gpio-mockup-A] (8 lines)'] });
    const src = source(tools, { driver: 'auto', inputs: [{ name: 'chute', pin: 17 }] });
    const sink = new RecordingSink();
    const error = await src.start(sink).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isLinesideError(error) && error.code).toBe('GPIO_UNAVAILABLE');
    expect(String(error)).toMatch(
      /chardev: no GPIO chip labelled pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835 \(found: gpiochip0 \[gpio-mockup-A\]\); sysfs: .*nonexistent-sysfs\/class\/gpio does not exist/,
    );
    expect(sink.commsChanges).toMatchObject([{ device: 'gpio', ok: false }]);
    expect(src.inputs()[0]?.error).toMatch(/^GPIO_OPEN gpio input "chute" BCM 17 \(line unknown\)/);
    expect(tools.starts()).toBe(0);
  });
});
