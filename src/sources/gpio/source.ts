/**
 * The GPIO source: opens every configured input through one driver, runs each through the
 * debounce -> glitch filter -> edge counter (debounce.ts) and emits two tags per input on the
 * same stream as Modbus: `gpio.<input>` (pulses since agent start, from 0, only increasing) and
 * `gpio.<input>.level` (debounced logical level, 0/1 after activeLow). Samples carry the time of
 * the EDGE (mapped onto the injected clock), not the time we got round to emitting it, so cycle
 * times taken from a pin are right.
 *
 * One pin that cannot be opened is reported (health, logger) and the others run. `start`
 * rejects only when no driver can work at all, after releasing everything it took.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { SampleSink } from '../../core/sample.js';
import { errorMessage, LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { DeviceHealth, Source } from '../source.js';
import { DecisionHorizon } from './decision-horizon.js';
import { PulseFilter, type LevelChange } from './debounce.js';
import type { DriverListener, GpioDriver, LineOpenResult, RawEdge } from './driver.js';
import { defaultDriverFactory, selectDriver } from './select-driver.js';
import { driverContext, type GpioSourceDeps } from './source-deps.js';
import { gpioHealth, inputStatuses, type Channel, type GpioInputStatus } from './status.js';

export type { GpioSourceDeps } from './source-deps.js';
export type { GpioInputStatus } from './status.js';

export interface GpioSource extends Source {
  /** Makes every debounce decision due by now. The source does this on its own timer; tests on a virtual clock call it. */
  flush(): void;
  inputs(): readonly GpioInputStatus[];
}

export function createGpioSource(config: Pick<LinesideConfig, 'gpio'>, deps: GpioSourceDeps): GpioSource {
  return new GpioSourceImpl(config.gpio, deps);
}

class GpioSourceImpl implements GpioSource {
  readonly name = 'gpio';
  private readonly log: Logger;
  private readonly channels: Channel[];
  private readonly byPin = new Map<number, Channel>();
  private driver: GpioDriver | null = null;
  private sink: SampleSink | null = null;
  private driverOk = false;
  private lastError: LinesideError | undefined;
  private lastErrorAt: number | undefined;
  private errors = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly horizon: DecisionHorizon;
  private started = false;
  private stopped = false;

  constructor(
    private readonly gpio: LinesideConfig['gpio'],
    private readonly deps: GpioSourceDeps,
  ) {
    this.log = deps.logger.child({ component: 'gpio' });
    this.horizon = new DecisionHorizon(deps.clock);
    this.channels = gpio.inputs.map((input) => ({ input }));
    for (const channel of this.channels) this.byPin.set(channel.input.pin, channel);
  }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.sink = sink;
    if (this.channels.length === 0) return;
    const { clock } = this.deps;
    let driver: GpioDriver;
    try {
      ({ driver } = await selectDriver(
        this.gpio.driver,
        driverContext(this.deps, this.gpio, this.log),
        this.deps.driverFactory ?? defaultDriverFactory,
      ));
    } catch (err) {
      const error =
        err instanceof LinesideError
          ? err
          : new LinesideError('GPIO_UNAVAILABLE', errorMessage(err), {}, { cause: err });
      for (const channel of this.channels) {
        this.failChannel(
          channel,
          new LinesideError(
            'GPIO_OPEN',
            `gpio input "${channel.input.name}" BCM ${channel.input.pin} (line unknown) not opened: ${error.message}`,
            { input: channel.input.name, pin: channel.input.pin, driver: this.gpio.driver, reason: error.message },
          ),
        );
      }
      this.noteError(error);
      this.log.error(
        { err: { code: error.code, message: error.message, context: error.context } },
        'gpio: no driver; GPIO inputs are not read (other sources keep running)',
      );
      this.emitComms(false, error);
      throw error;
    }
    if (this.stopped) {
      await driver.close();
      return;
    }
    this.driver = driver;
    let results: readonly LineOpenResult[];
    try {
      results = await driver.open(
        this.channels.map((c) => ({ input: c.input.name, pin: c.input.pin })),
        this.listener(),
      );
    } catch (err) {
      // Drivers report pins one by one; a throw here is a driver bug. Release and report it.
      this.driver = null;
      await driver.close().catch(() => undefined);
      const error = new LinesideError(
        'GPIO_UNAVAILABLE',
        `gpio driver ${driver.kind} failed to open lines: ${errorMessage(err)}`,
        { driver: driver.kind },
        { cause: err },
      );
      this.noteError(error);
      this.emitComms(false, error);
      throw error;
    }
    const startMono = clock.monoMs();
    results.forEach((result, i) => {
      const channel = this.channels[i];
      if (!channel) return;
      channel.line = result.line;
      if (!result.ok) {
        this.failChannel(channel, result.error);
        return;
      }
      channel.filter = new PulseFilter(
        {
          debounceMs: channel.input.debounce,
          glitchFilterMs: channel.input.glitchFilter,
          edge: channel.input.edge,
          activeLow: channel.input.activeLow,
        },
        result.level,
        startMono,
        (change) => this.emitChange(channel, change),
      );
      this.log.info({ input: channel.input.name, pin: channel.input.pin, line: result.line }, 'gpio: input open');
      const stamp = this.stamp(startMono);
      this.deliver({ tag: `gpio.${channel.input.name}`, value: 0, ...stamp });
      this.deliver({ tag: `gpio.${channel.input.name}.level`, value: channel.filter.level, ...stamp });
    });
    const opened = this.channels.filter((c) => c.filter !== undefined).length;
    this.driverOk = opened > 0;
    const firstError = this.channels.find((c) => c.error)?.error;
    this.emitComms(this.driverOk, this.driverOk ? undefined : firstError);
    this.log.info(
      { driver: driver.kind, endpoint: driver.endpoint, opened, failed: this.channels.length - opened },
      'gpio: started',
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const driver = this.driver;
    this.driver = null;
    if (!driver) return;
    this.flushAll(this.horizon.horizonMs(driver));
    try {
      await driver.close();
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'gpio: error while releasing pins');
    }
    this.log.info({}, 'gpio: pins released');
  }

  flush(): void {
    if (this.driver) this.flushAll(this.horizon.horizonMs(this.driver));
  }

  health(): readonly DeviceHealth[] {
    return gpioHealth(this.channels, {
      driver: this.driver,
      driverOk: this.driverOk,
      configured: this.gpio.driver,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      errors: this.errors,
    });
  }

  inputs(): readonly GpioInputStatus[] {
    return inputStatuses(this.channels);
  }

  private listener(): DriverListener {
    return {
      edge: (edge: RawEdge) => {
        if (this.stopped) return;
        const channel = this.byPin.get(edge.pin);
        if (!channel?.filter) return;
        this.horizon.noteEdge(edge.monoMs);
        channel.filter.push(edge.level, edge.monoMs);
        this.scheduleFlush();
      },
      status: (ok: boolean, error?: LinesideError) => {
        if (this.stopped) return;
        if (!ok) {
          if (error) this.noteError(error);
          if (this.driverOk) this.emitComms(false, error);
          this.driverOk = false;
          return;
        }
        if (this.driverOk) return;
        if (!this.channels.some((c) => c.filter)) return;
        this.driverOk = true;
        this.log.info({}, 'gpio: driver back; reading pins again');
        this.emitComms(true);
      },
    };
  }

  private failChannel(channel: Channel, error: LinesideError): void {
    channel.error = error;
    channel.errorAt = this.deps.clock.wallMs();
    this.noteError(error);
    this.log.error(
      { err: { code: error.code, message: error.message, context: error.context } },
      `gpio: input "${channel.input.name}" not opened; the other inputs and sources keep running`,
    );
  }

  private noteError(error: LinesideError): void {
    this.errors++;
    this.lastError = error;
    this.lastErrorAt = this.deps.clock.wallMs();
  }

  /** Decides everything due up to `horizonMs`. */
  private flushAll(horizonMs: number): void {
    for (const channel of this.channels) channel.filter?.flush(horizonMs);
    this.scheduleFlush();
  }

  /** Arms one timer for the earliest pending decision (none when every input is settled). */
  private scheduleFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.stopped || !this.driver) return;
    let next = Number.POSITIVE_INFINITY;
    for (const channel of this.channels) {
      const due = channel.filter?.nextDecisionMs();
      if (due !== undefined && due < next) next = due;
    }
    if (next === Number.POSITIVE_INFINITY) return;
    const waitMs = next - this.horizon.horizonMs(this.driver);
    // Bounded, so a virtual or scaled clock (whose ms are not real ms) is still checked often.
    const delayMs = Math.min(Math.max(Math.ceil(waitMs), 1), this.deps.maxFlushIntervalMs ?? 10);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, delayMs);
    this.flushTimer.unref();
  }

  private emitChange(channel: Channel, change: LevelChange): void {
    const stamp = this.stamp(change.monoMs);
    const name = channel.input.name;
    this.deliver({ tag: `gpio.${name}.level`, value: change.level, ...stamp });
    if (change.counted) this.deliver({ tag: `gpio.${name}`, value: change.count, ...stamp });
  }

  /** Wall and monotonic time of something that happened at `monoMs` on the clock. */
  private stamp(monoMs: number): { ts: number; mono: number } {
    const { clock } = this.deps;
    return { ts: clock.wallMs() - (clock.monoMs() - monoMs), mono: monoMs };
  }

  private deliver(sample: { tag: string; value: number; ts: number; mono: number }): void {
    try {
      this.sink?.sample(sample);
    } catch (err) {
      this.log.error({ err: errorMessage(err), tag: sample.tag }, 'gpio: the sample sink threw (it must not)');
    }
  }

  private emitComms(ok: boolean, error?: LinesideError): void {
    const { clock } = this.deps;
    try {
      this.sink?.comms({
        device: 'gpio',
        ok,
        ts: clock.wallMs(),
        mono: clock.monoMs(),
        ...(error ? { error: error.toString() } : {}),
      });
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'gpio: the comms sink threw (it must not)');
    }
  }
}
