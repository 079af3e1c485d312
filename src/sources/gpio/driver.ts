/**
 * The seam between the GPIO source and the hardware. Three drivers implement it: `sysfs`
 * (onoff, /sys/class/gpio), `chardev` (libgpiod's gpiomon/gpioget on /dev/gpiochipN) and `sim`
 * (the simulator's virtual GPIO). The source owns everything above raw edges: debounce, glitch
 * filter, active-low, edge selection and counting (debounce.ts), so the three drivers behave
 * the same and none of them needs (or is allowed) to filter anything.
 */
import type { LinesideError } from '../../lib/errors.js';

/** A physical line level: 1 = high (3.3 V), 0 = low. Never inverted by a driver. */
export type Level = 0 | 1;

export type DriverKind = 'sysfs' | 'chardev' | 'sim';

/** One edge exactly as the driver saw it. */
export interface RawEdge {
  /** BCM pin number (GPIO17 is 17), as configured. */
  readonly pin: number;
  /** Physical level after the edge. */
  readonly level: Level;
  /**
   * When the edge happened, in the injected clock's monotonic milliseconds. Drivers with kernel
   * timestamps (chardev) map them onto the clock; the others stamp on delivery (sysfs) or pass
   * the simulator's own time through (sim). Never later than the moment of delivery.
   */
  readonly monoMs: number;
}

/** What a driver calls back. Calls come from the driver's own I/O callbacks, never re-entrantly. */
export interface DriverListener {
  /** Edges of one pin arrive in the order they happened; edges of different pins may interleave. */
  edge(edge: RawEdge): void;
  /**
   * The driver's link to the hardware went down (`ok` false, with why: the gpiomon process died)
   * or came back. Edges may have been missed while down; the driver re-reads levels on recovery
   * and reports a difference as an edge stamped at the time of the re-read.
   */
  status(ok: boolean, error?: LinesideError): void;
}

/** One input the source wants watched. */
export interface LineRequest {
  /** Config input name, for error messages ("chute"). */
  readonly input: string;
  /** BCM pin number. */
  readonly pin: number;
}

export type LineOpenResult =
  | {
      readonly ok: true;
      readonly pin: number;
      /** Physical level read right after the line was opened. */
      readonly level: Level;
      /** Where the pin lives: "sysfs 529 (pinctrl-bcm2711 base 512)", "gpiochip0 offset 17". */
      readonly line: string;
    }
  | {
      readonly ok: false;
      readonly pin: number;
      /** GPIO_OPEN naming the input, the BCM pin, the computed line and the likely cause. */
      readonly error: LinesideError;
      /** The computed line if it could be computed. */
      readonly line?: string;
    };

/**
 * A GPIO driver. Contract:
 * - A driver object exists only once it has checked that it can work at all (its factory
 *   rejects with GPIO_UNAVAILABLE otherwise: sysfs missing, gpiomon missing, no matching chip).
 * - `open` is called once. It requests every line for input with edge detection on BOTH edges
 *   (selection happens in software), reads each line's initial level, and starts delivering
 *   edges to the listener. It never rejects because of one pin: each pin gets its own result,
 *   and pins that failed are simply not watched. Results are in the order of `lines`.
 * - `read` returns the current physical level of an open pin (chardev: the last level seen,
 *   since gpiomon holds the line).
 * - `close` stops delivery, releases every line (unexport / kill gpiomon / unsubscribe) and
 *   resolves when nothing is left running. Safe to call twice, and after a failed `open`.
 */
export interface GpioDriver {
  readonly kind: DriverKind;
  /** For health and logs: "gpio chip pinctrl-bcm2711 (sysfs base 512)". */
  readonly endpoint: string;
  /**
   * How late an edge may normally be delivered after it happened, ms (the clock's ms). The source
   * decides "this level has held long enough" at least this far behind the clock, so an edge
   * still in the pipe cannot arrive after a decision it should have changed.
   */
  readonly deliveryGraceMs: number;
  /**
   * Upper bound of the delivery lag the source adapts to, ms: when edges are seen arriving later
   * than `deliveryGraceMs` (a burst from a busy gpiomon, a simulator tick), decisions wait for
   * that lag too, up to this. 0 = edges are stamped on delivery and are never late (sysfs).
   */
  readonly maxDeliveryLagMs: number;
  /**
   * If the driver knows it: every edge up to this clock time has been delivered (the simulator
   * knows how far its line has run). Decisions then go exactly this far and no further.
   */
  deliveredThroughMs?(): number;
  open(lines: readonly LineRequest[], listener: DriverListener): Promise<readonly LineOpenResult[]>;
  read(pin: number): Promise<Level>;
  close(): Promise<void>;
}
