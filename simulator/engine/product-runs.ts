/**
 * Product runs (the scenario's `productRuns`): the line makes the products of `sequence` in turn,
 * each for a drawn run length of wall time, with a drawn setup between two (a changeover: every
 * station pauses, then makes the next product at its times). Draws come from their own streams,
 * so a scenario without product runs draws exactly what it drew before.
 */
import { sampleMs } from '../random/distributions.js';
import type { PrngStreams } from '../random/prng.js';
import type { ProductSpec, Scenario } from '../scenario-schema.js';
import type { EventQueue } from './event-queue.js';

/** A product's ideal cycle time at a station (`own`: the station's, when the product sets none). */
export function productIdealAt(p: ProductSpec | undefined, station: string, own: number): number {
  return p?.stations[station]?.idealCycleTime ?? own;
}

export interface ProductRunHost {
  /** The run starts with `product` (no changeover). */
  started(product: ProductSpec): void;
  /** A changeover from `from` to `to` begins now; the setup ends `setupMs` later (setupDone). */
  changed(from: ProductSpec, to: ProductSpec, setupMs: number): void;
  setupDone(): void;
}

export function scheduleProductRuns(
  scenario: Scenario,
  queue: EventQueue,
  streams: PrngStreams,
  host: ProductRunHost,
): void {
  const runs = scenario.productRuns;
  if (runs === undefined) return;
  const byId = new Map(scenario.products.map((p) => [p.id, p]));
  const sequence = runs.sequence.map((id) => byId.get(id)).filter((p): p is ProductSpec => p !== undefined);
  const first = sequence[0];
  if (first === undefined) return;
  const rRun = streams.stream('products/run');
  const rSetup = streams.stream('products/setup');
  let index = 0;
  // Each run is measured from the end of the setup before it (the first from the run start).
  const next = (runStart: number): void => {
    const changeAt = runStart + sampleMs(runs.runLength, rRun, 1);
    queue.schedule(changeAt, () => {
      const from = sequence[index % sequence.length] as ProductSpec;
      index++;
      const to = sequence[index % sequence.length] as ProductSpec;
      const setupMs = sampleMs(runs.setup, rSetup, 1);
      host.changed(from, to, setupMs);
      queue.schedule(changeAt + setupMs, () => host.setupDone());
      next(changeAt + setupMs);
    });
  };
  host.started(first);
  next(0);
}
