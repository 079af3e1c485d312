/**
 * The simulator's driver: adapts the simulator's virtual GPIO (part-sensor pulses with contact
 * bounce, fed by the scenario) to the driver contract, so `lineside demo` and tests exercise the
 * same debounce and counting as a real pin.
 */
import { errorMessage, LinesideError } from '../../../lib/errors.js';
import type { DriverListener, GpioDriver, Level, LineOpenResult, LineRequest } from '../driver.js';
import { gpioOpenError } from '../open-errors.js';

/**
 * What this driver needs from the simulator's virtual GPIO (exported by simulator/index.ts).
 * Pins are BCM numbers as in the config; `monoMs` is the simulator clock's monotonic time, which
 * is the clock the agent is given when it runs against the simulator.
 */
export interface VirtualGpioPort {
  /** Calls `listener` on every edge of `pin`. May return an unsubscribe function. */
  onEdge(pin: number, listener: (level: Level, monoMs: number) => void): (() => void) | void;
  /** Current level of `pin`; throws (or returns undefined) for a pin the scenario does not drive. */
  read(pin: number): Level | undefined;
  /** The pins the scenario drives, if the simulator can tell (others fail to open). */
  pins?(): readonly number[];
  /**
   * Virtual time up to which every edge has been delivered (the line's `nowMs`). With it, the
   * source decides debounce exactly; without it, it adapts to the observed delivery lag.
   */
  deliveredThroughMs?(): number;
}

export function createSimDriver(
  port: VirtualGpioPort | undefined,
  deliveredThroughMs?: () => number,
): Promise<SimDriver> {
  if (port === undefined) {
    return Promise.reject(
      new LinesideError(
        'GPIO_UNAVAILABLE',
        'sim GPIO driver unavailable: no simulator is attached (driver "sim" runs under `lineside demo` or with the simulator in tests)',
        { driver: 'sim' },
      ),
    );
  }
  return Promise.resolve(new SimDriver(port, deliveredThroughMs));
}

export class SimDriver implements GpioDriver {
  readonly kind = 'sim' as const;
  readonly endpoint = 'gpio sim (simulator virtual GPIO)';
  readonly deliveryGraceMs = 0;
  /**
   * The simulator delivers edges as its line advances: in scaled time up to one tick late (20 ms
   * real = 12 s virtual at speed 600); with a manual clock, up to one advance() step late.
   */
  readonly maxDeliveryLagMs = 120_000;
  readonly deliveredThroughMs?: () => number;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly open_ = new Set<number>();
  private closed = false;

  constructor(
    private readonly port: VirtualGpioPort,
    deliveredThroughMs?: () => number,
  ) {
    const fromPort = port.deliveredThroughMs?.bind(port);
    const through = deliveredThroughMs ?? fromPort;
    if (through) this.deliveredThroughMs = through;
  }

  async open(lines: readonly LineRequest[], listener: DriverListener): Promise<readonly LineOpenResult[]> {
    return lines.map((line): LineOpenResult => {
      const where = `virtual pin ${line.pin}`;
      let level: Level | undefined;
      let detail = 'the scenario does not drive this pin';
      try {
        const driven = this.port.pins?.();
        level = driven === undefined || driven.includes(line.pin) ? this.port.read(line.pin) : undefined;
      } catch (err) {
        detail = errorMessage(err);
      }
      if (level !== 0 && level !== 1) {
        return {
          ok: false,
          pin: line.pin,
          line: where,
          error: gpioOpenError({
            input: line.input,
            pin: line.pin,
            driver: 'sim',
            line: where,
            errno: 'EINVAL',
            detail,
          }),
        };
      }
      const unsubscribe = this.port.onEdge(line.pin, (edgeLevel, monoMs) => {
        if (!this.closed) listener.edge({ pin: line.pin, level: edgeLevel, monoMs });
      });
      if (typeof unsubscribe === 'function') this.unsubscribers.push(unsubscribe);
      this.open_.add(line.pin);
      return { ok: true, pin: line.pin, level, line: where };
    });
  }

  async read(pin: number): Promise<Level> {
    const level = this.open_.has(pin) ? this.port.read(pin) : undefined;
    if (level !== 0 && level !== 1) throw new LinesideError('NOT_FOUND', `gpio BCM ${pin} is not open`, { pin });
    return level;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.open_.clear();
  }
}
