/**
 * How far behind the clock the source may decide "this level has held long enough".
 *
 * Edges can reach the source well after they happened: gpiomon was descheduled, the event loop
 * was busy, the kernel queued a burst, the simulator delivers a tick's edges at once. Deciding
 * right up to the present would overtake edges still in the pipe, and an edge older than a
 * decision can only be moved up to it (debounce.ts), which can merge a short pulse away. So
 * decisions run behind the clock by the driver's grace or by the lag edges have recently shown,
 * whichever is larger (capped by the driver): a burst delivered 70 ms late holds decisions back
 * about 70 ms, and the hold shrinks again once edges arrive promptly. A driver that knows how far
 * it has delivered (the simulator) sets the horizon exactly instead.
 */
import type { Clock } from '../../core/sample.js';
import type { GpioDriver } from './driver.js';

/** How fast the lag estimate decays: 0.1 = 100 ms per second. */
const LAG_DECAY = 0.1;
/** Added to the observed lag: the next chunk of a burst is a little older than the last one seen. */
const LAG_MARGIN_MS = 5;

export class DecisionHorizon {
  /** Largest recent delivery lag (delivery time - edge time), ms, as of `lagAtMono`. */
  private lagMs = 0;
  private lagAtMono = 0;

  constructor(private readonly clock: Clock) {}

  /** Records an edge that happened at `edgeMonoMs` and is being delivered now. */
  noteEdge(edgeMonoMs: number): void {
    const now = this.clock.monoMs();
    this.lagMs = Math.max(now - edgeMonoMs, this.decayedLag(now));
    this.lagAtMono = now;
  }

  /** The clock time up to which decisions are safe for `driver`'s edges. */
  horizonMs(driver: Pick<GpioDriver, 'deliveryGraceMs' | 'maxDeliveryLagMs' | 'deliveredThroughMs'>): number {
    const now = this.clock.monoMs();
    const delivered = driver.deliveredThroughMs?.();
    if (delivered !== undefined) return Math.min(now, delivered);
    if (driver.maxDeliveryLagMs === 0) return now - driver.deliveryGraceMs;
    const lag = Math.max(driver.deliveryGraceMs, this.decayedLag(now) + LAG_MARGIN_MS);
    return now - Math.min(driver.maxDeliveryLagMs, lag);
  }

  private decayedLag(now: number): number {
    return Math.max(0, this.lagMs - (now - this.lagAtMono) * LAG_DECAY);
  }
}
