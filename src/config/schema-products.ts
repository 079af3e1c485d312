import { z } from 'zod';
import { duration, Id } from './schema-primitives.js';

const IdealCycle = (description: string) => duration('10ms', '24h', `${description}; 10ms to 24h`);

/**
 * A product (part number, recipe) a line runs. Its ideal cycle time replaces the station's own
 * while it runs, so performance stays Σ(count × ideal of the product made) / run time through
 * product changes (docs/oee.md#products).
 */
export const Product = z.strictObject({
  id: Id,
  name: z.string().optional().describe('display name; defaults to the id'),
  code: z
    .union([z.number().int().min(0), z.string().min(1).max(64)])
    .optional()
    .describe('what a productCode register shows while this product runs (an integer or a string)'),
  idealCycleTime: IdealCycle(
    "ideal cycle time at every station while this product runs; default: each station's own",
  ).optional(),
  stations: z
    .record(Id, IdealCycle('ideal cycle time at this station while the product runs'))
    .default({})
    .describe('station id -> ideal cycle time, where it differs from the product-wide one'),
  changeoverTarget: duration('1s', '24h', 'how long a changeover to this product should take; 1s to 24h').optional(),
});
export type Product = z.output<typeof Product>;

/** The key a product code is looked up by: integers as decimal text, strings trimmed (PLC padding). */
export function productCodeKey(value: number | string): string {
  return typeof value === 'number' ? String(Math.round(value)) : value.trim();
}

/** A product's ideal cycle time at `station`: its own there, else its line-wide one, else none. */
export function productIdeal(p: Product, station: string): number | undefined {
  return p.stations[station] ?? p.idealCycleTime;
}

/** Product id -> its ideal cycle time at `station`, for the products that set one there. */
export function productIdealsAt(products: readonly Product[], station: string): Map<string, number> {
  const ideals = new Map<string, number>();
  for (const p of products) {
    const ideal = productIdeal(p, station);
    if (ideal !== undefined) ideals.set(p.id, ideal);
  }
  return ideals;
}
