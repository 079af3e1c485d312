/**
 * Product runs (the scenario's `productRuns`): the line makes the products of `sequence` in turn,
 * with a drawn setup between two (a changeover: every station pauses, then makes the next product
 * at its times). A run lasts a drawn `runLength` of wall time, or, with `orders`, until the output
 * station has made the order's drawn quantity of good parts: each run is then an order, begun at
 * its product change. Draws come from their own streams, so a scenario without product runs (or
 * without orders) draws exactly what it drew before.
 */
import { sampleMs } from '../random/distributions.js';
import type { Prng, PrngStreams } from '../random/prng.js';
import type { ProductSpec, Scenario } from '../scenario-schema.js';
import type { EventQueue } from './event-queue.js';

/** A product's ideal cycle time at a station (`own`: the station's, when the product sets none). */
export function productIdealAt(p: ProductSpec | undefined, station: string, own: number): number {
  return p?.stations[station]?.idealCycleTime ?? own;
}

export interface SimOrder {
  readonly id: string;
  readonly product: ProductSpec;
  readonly quantity: number;
  /** Scenario monotonic ms of its product change (0 for the first). */
  readonly startMono: number;
  good: number;
  reject: number;
}

export interface ProductRunHost {
  /** The run starts with `product` (no changeover). */
  started(product: ProductSpec): void;
  /** A changeover from `from` to `to` begins now; the setup ends `setupMs` later (setupDone). */
  changed(from: ProductSpec, to: ProductSpec, setupMs: number): void;
  setupDone(): void;
  /** Orders: `order` begins now (an MES would start it in Lineside now). */
  orderStarted?(order: SimOrder): void;
  /** Orders: the output station's good part at `endMono` completed `order`. */
  orderCompleted?(order: SimOrder, endMono: number): void;
}

/** What the line tells the product runs: the output station's parts (orders end by count). */
export interface ProductRunsControl {
  outputPart(good: boolean, endMono: number): void;
}

const NO_ORDERS: ProductRunsControl = { outputPart: () => undefined };

export function scheduleProductRuns(
  scenario: Scenario,
  queue: EventQueue,
  streams: PrngStreams,
  host: ProductRunHost,
): ProductRunsControl {
  const runs = scenario.productRuns;
  if (runs === undefined) return NO_ORDERS;
  const byId = new Map(scenario.products.map((p) => [p.id, p]));
  const sequence = runs.sequence.map((id) => byId.get(id)).filter((p): p is ProductSpec => p !== undefined);
  const first = sequence[0];
  if (first === undefined) return NO_ORDERS;
  const rSetup = streams.stream('products/setup');
  let index = 0;
  /** The changeover to the next product of the sequence, now (`at`); returns when its setup ends. */
  const change = (at: number): number => {
    const from = sequence[index % sequence.length] as ProductSpec;
    index++;
    const to = sequence[index % sequence.length] as ProductSpec;
    const setupMs = sampleMs(runs.setup, rSetup, 1);
    host.changed(from, to, setupMs);
    queue.schedule(at + setupMs, () => host.setupDone());
    return at + setupMs;
  };
  host.started(first);

  const orders = runs.orders;
  if (orders === undefined) {
    const runLength = runs.runLength;
    if (runLength === undefined) return NO_ORDERS;
    const rRun = streams.stream('products/run');
    // Each run is measured from the end of the setup before it (the first from the run start).
    const next = (runStart: number): void => {
      const changeAt = runStart + sampleMs(runLength, rRun, 1);
      queue.schedule(changeAt, () => next(change(changeAt)));
    };
    next(0);
    return NO_ORDERS;
  }

  const rQuantity = streams.stream('products/order');
  let number = 0;
  const newOrder = (startMono: number): SimOrder => ({
    id: `${orders.prefix}${++number}`,
    product: sequence[index % sequence.length] as ProductSpec,
    quantity: drawQuantity(orders.quantity, rQuantity),
    startMono,
    good: 0,
    reject: 0,
  });
  let current = newOrder(0);
  host.orderStarted?.(current);
  return {
    outputPart(good, endMono) {
      if (good) current.good++;
      else current.reject++;
      if (current.good < current.quantity) return;
      host.orderCompleted?.(current, endMono);
      change(endMono);
      current = newOrder(endMono);
      host.orderStarted?.(current);
    },
  };
}

function drawQuantity(q: number | { min: number; max: number }, prng: Prng): number {
  if (typeof q === 'number') return q;
  return q.min + Math.floor(prng.next() * (q.max - q.min + 1));
}
