/**
 * The GPIO source end to end on the sim driver and a virtual clock: part-sensor pulses with
 * contact bounce become exactly one count each, stamped at the edge's (virtual) time, on the
 * same Sample stream as Modbus; a final pulse is released by the source's own timer; stop
 * unsubscribes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/sample.js';
import { isLinesideError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createGpioSource, type GpioSource } from '../../../src/sources/gpio/source.js';
import { gpioConfig, RecordingSink, waitFor } from '../../fixtures/gpio/harness.js';
import { FakeVirtualGpio } from '../../fixtures/gpio/virtual-gpio.js';

const START_WALL_MS = Date.UTC(2025, 5, 2, 6, 0, 0);

const sources: GpioSource[] = [];
afterEach(async () => {
  for (const src of sources.splice(0)) await src.stop();
});

function setup(gpio: unknown, pins: Record<number, 0 | 1>, options: { reportsDelivery?: boolean } = {}) {
  const virtual = new FakeVirtualGpio(pins, options);
  const clock: Clock = { monoMs: () => virtual.nowMs, wallMs: () => START_WALL_MS + virtual.nowMs };
  const src = createGpioSource(gpioConfig({ driver: 'sim', ...(gpio as object) }), {
    clock,
    logger: silentLogger,
    sim: virtual,
  });
  sources.push(src);
  return { virtual, src, sink: new RecordingSink() };
}

describe('GPIO source on the simulator', () => {
  it('starts every input at count 0 with its level, then counts bouncing pulses once, stamped at the first edge', async () => {
    const { virtual, src, sink } = setup({ inputs: [{ name: 'chute', pin: 17, debounce: '5ms' }] }, { 17: 0 });
    await src.start(sink);
    expect(sink.samples).toEqual([
      { tag: 'gpio.chute', value: 0, ts: START_WALL_MS, mono: 0 },
      { tag: 'gpio.chute.level', value: 0, ts: START_WALL_MS, mono: 0 },
    ]);

    virtual.pulse(17, 1_000, 400, [1, 2, 1, 3]);
    virtual.pulse(17, 3_000, 400, [2, 1]);
    virtual.advance(5_000);
    src.flush();

    expect(sink.of('gpio.chute')).toEqual([
      { tag: 'gpio.chute', value: 0, ts: START_WALL_MS, mono: 0 },
      { tag: 'gpio.chute', value: 1, ts: START_WALL_MS + 1_000, mono: 1_000 },
      { tag: 'gpio.chute', value: 2, ts: START_WALL_MS + 3_000, mono: 3_000 },
    ]);
    expect(sink.of('gpio.chute.level').map((s) => [s.value, s.mono])).toEqual([
      [0, 0],
      [1, 1_000],
      [0, 1_400],
      [1, 3_000],
      [0, 3_400],
    ]);
    expect(src.inputs()[0]?.stats).toMatchObject({ count: 2, bouncesRejected: 0 });
  });

  it('a 50 Hz train with contact bounce for a virtual minute gives exactly 3000, one step at a time', async () => {
    const { virtual, src, sink } = setup(
      { inputs: [{ name: 'chute', pin: 17, debounce: '3ms', glitchFilter: '2ms' }] },
      { 17: 0 },
    );
    await src.start(sink);
    for (let i = 0; i < 3_000; i++) virtual.pulse(17, 100 + i * 20, 10, [0.5, 1, 0.5, 0.7]);
    // Delivered in slices, as the simulator's scheduler would.
    for (let t = 0; t < 61_000; t += 250) {
      virtual.advance(250);
      src.flush();
    }
    const counts = sink.of('gpio.chute').map((s) => s.value as number);
    expect(counts[counts.length - 1]).toBe(3_000);
    expect(counts.every((c, i) => c === i)).toBe(true);
  });

  it('releases a final pulse on its own timer, without another edge or an explicit flush', async () => {
    const { virtual, src, sink } = setup({ inputs: [{ name: 'chute', pin: 17, debounce: '10ms' }] }, { 17: 0 });
    await src.start(sink);
    virtual.pulse(17, 100, 50);
    virtual.advance(1_000);
    await waitFor('the last part', () => sink.last('gpio.chute') === 1 && sink.last('gpio.chute.level') === 0);
  });

  it('without the simulator saying how far it has run, decisions wait out the observed delivery lag, then go', async () => {
    const { virtual, src, sink } = setup(
      { inputs: [{ name: 'chute', pin: 17, debounce: '5ms' }] },
      { 17: 0 },
      { reportsDelivery: false },
    );
    await src.start(sink);
    // Delivered in 100 ms steps: an edge reaches the source up to 100 virtual ms after it happened.
    virtual.pulse(17, 1_010, 50, [1, 1]);
    virtual.pulse(17, 1_099, 30, [1, 1]); // its bounce burst is split across two steps
    for (let t = 0; t < 1_100; t += 100) {
      virtual.advance(100);
      src.flush();
    }
    // The first part is settled by the later edges; the second, delivered about now, waits.
    expect(sink.last('gpio.chute')).toBe(1);
    virtual.advance(100);
    virtual.advance(200);
    src.flush();
    expect(sink.of('gpio.chute').map((s) => [s.value, s.mono])).toEqual([
      [0, 0],
      [1, 1_010],
      [2, 1_099],
    ]);
  });

  it('a pin the simulator does not drive is reported; the other input runs', async () => {
    const { virtual, src, sink } = setup(
      {
        inputs: [
          { name: 'chute', pin: 17 },
          { name: 'ghost', pin: 4 },
        ],
      },
      { 17: 0 },
    );
    await src.start(sink);
    expect(src.inputs()[1]?.error).toMatch(
      /^GPIO_OPEN gpio input "ghost" BCM 4 \(virtual pin 4, driver sim\).*not driven by the scenario/,
    );
    virtual.pulse(17, 10, 10);
    virtual.advance(100);
    src.flush();
    expect(sink.last('gpio.chute')).toBe(1);
    expect(sink.of('gpio.ghost')).toEqual([]);
    expect(sink.commsChanges.map((c) => c.ok)).toEqual([true]);
  });

  it('stop unsubscribes: edges after it produce nothing', async () => {
    const { virtual, src, sink } = setup({ inputs: [{ name: 'chute', pin: 17 }] }, { 17: 0 });
    await src.start(sink);
    expect(virtual.subscribers()).toBe(1);
    await src.stop();
    expect(virtual.subscribers()).toBe(0);
    virtual.pulse(17, 10, 10);
    virtual.advance(100);
    expect(sink.of('gpio.chute').map((s) => s.value)).toEqual([0]);
  });

  it('driver sim without a simulator fails to start with GPIO_UNAVAILABLE and reports it', async () => {
    const clock: Clock = { monoMs: () => 0, wallMs: () => START_WALL_MS };
    const src = createGpioSource(gpioConfig({ driver: 'sim', inputs: [{ name: 'chute', pin: 17 }] }), {
      clock,
      logger: silentLogger,
    });
    sources.push(src);
    const sink = new RecordingSink();
    const error = await src.start(sink).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isLinesideError(error) && error.code).toBe('GPIO_UNAVAILABLE');
    expect(sink.commsChanges).toMatchObject([
      { device: 'gpio', ok: false, error: expect.stringMatching(/no simulator is attached/) },
    ]);
  });

  it('with no inputs configured, the source starts, reports nothing and probes no driver', async () => {
    const clock: Clock = { monoMs: () => 0, wallMs: () => START_WALL_MS };
    const src = createGpioSource(gpioConfig({ driver: 'sysfs' }), {
      clock,
      logger: silentLogger,
      sysfsRoot: '/nonexistent',
    });
    sources.push(src);
    const sink = new RecordingSink();
    await src.start(sink);
    expect(src.health()).toEqual([]);
    expect(sink.samples).toEqual([]);
    expect(sink.commsChanges).toEqual([]);
  });
});
