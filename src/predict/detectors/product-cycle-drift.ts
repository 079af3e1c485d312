/**
 * Cycle drift per product: each product has its own cycle-time baseline and chart (a slower
 * product is not a slower machine), so a product change never looks like drift. The first cycles
 * after a change are warm-up for the new product's chart, as after a long stop. Cycles without a
 * product share one chart (the station's own, as before products).
 */
import type { CycleEvent, StationState } from '../../core/events.js';
import type { CycleDriftTuning } from '../presets.js';
import type { Verdict } from '../types.js';
import { CycleDriftDetector, type CycleDriftCheckpoint } from './cycle-drift.js';

/** The key of cycles made without a product. */
const NO_PRODUCT = '';

export interface ProductCycleDriftCheckpoint {
  /** The no-product chart under the pre-product key, so older checkpoints still restore. */
  readonly cycleDrift?: CycleDriftCheckpoint;
  readonly cycleDriftByProduct?: Readonly<Record<string, CycleDriftCheckpoint>>;
}

export class ProductCycleDrift {
  private readonly charts = new Map<string, CycleDriftDetector>();
  private current = NO_PRODUCT;

  constructor(
    private readonly tuning: CycleDriftTuning,
    /** Ideal cycle time of a product at this station (NO_PRODUCT: the station's own). */
    private readonly idealOf: (product: string) => number,
  ) {}

  /** Products come from the config (PLC codes map onto them), so the charts are as many as those. */
  private chart(product: string): CycleDriftDetector {
    let c = this.charts.get(product);
    if (c === undefined) {
      c = new CycleDriftDetector(this.tuning, this.idealOf(product));
      this.charts.set(product, c);
    }
    return c;
  }

  onState(state: StationState, ts?: number): void {
    this.chart(this.current).onState(state, ts);
  }

  /** The station now runs `product` (undefined: none): its chart starts with a warm-up. */
  onProduct(product: string | undefined): void {
    this.current = product ?? NO_PRODUCT;
    this.chart(this.current).onState('planned_stop');
  }

  onCycle(e: CycleEvent): Verdict | undefined {
    const product = e.product ?? NO_PRODUCT;
    // A cycle's product is what the core counted it as; follow it if the product event was missed.
    if (product !== this.current) this.onProduct(e.product);
    return this.chart(product).onCycle(e);
  }

  checkpoint(): ProductCycleDriftCheckpoint {
    const byProduct: Record<string, CycleDriftCheckpoint> = {};
    for (const [product, c] of this.charts) if (product !== NO_PRODUCT) byProduct[product] = c.checkpoint();
    const own = this.charts.get(NO_PRODUCT);
    return {
      ...(own !== undefined ? { cycleDrift: own.checkpoint() } : {}),
      ...(Object.keys(byProduct).length > 0 ? { cycleDriftByProduct: byProduct } : {}),
    };
  }

  restore(cp: ProductCycleDriftCheckpoint): void {
    if (cp.cycleDrift !== undefined) this.chart(NO_PRODUCT).restore(cp.cycleDrift);
    for (const [product, data] of Object.entries(cp.cycleDriftByProduct ?? {})) this.chart(product).restore(data);
  }
}
