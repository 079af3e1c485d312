/**
 * The product a station runs and the ideal cycle time that goes with it (docs/oee.md#products).
 * The product changes when the PLC's product code register shows another code, or by command (an
 * operator); each change is a `product` event. A code no product has is reported once per code
 * and leaves the station on its own ideal cycle time.
 */
import { productCodeKey } from '../config/schema-products.js';
import type { ProductCatalogue, StationSpec } from './bindings.js';
import type { ActionBy } from './events.js';
import type { EventHost, EventIds } from './station-interval.js';

type Report = (code: string, message: string, context: Record<string, unknown>) => void;

export class StationProduct {
  private current: string | undefined = undefined;
  private ideal: number;
  /** The code last read from the PLC (a change of code is what changes the product). */
  private lastCode: string | undefined = undefined;
  private pendingCode: string | undefined = undefined;
  private readonly unknownCodes = new Set<string>();

  constructor(
    private readonly spec: StationSpec,
    private readonly catalogue: ProductCatalogue,
    private readonly host: EventHost,
    private readonly ids: EventIds,
    private readonly report: Report,
  ) {
    this.ideal = spec.idealCycleTimeMs;
  }

  /** The product running now (products[].id), if any. */
  get id(): string | undefined {
    return this.current;
  }

  /** The ideal cycle time now: the product's at this station, else the station's own. */
  get idealMs(): number {
    return this.ideal;
  }

  /** A product code register value of the frame being assembled. */
  offerCode(value: number | boolean | string): void {
    if (typeof value === 'boolean' || (typeof value === 'number' && !Number.isFinite(value))) return;
    this.pendingCode = productCodeKey(value);
  }

  /** Applies the code read in the frame at `m`, if it changed; returns true when the product did. */
  applyCode(m: number): boolean {
    const code = this.pendingCode;
    this.pendingCode = undefined;
    if (code === undefined || code === this.lastCode) return false;
    this.lastCode = code;
    const product = this.catalogue.byCode.get(code);
    if (product === undefined && !this.unknownCodes.has(code)) {
      if (this.unknownCodes.size < 1_000) this.unknownCodes.add(code);
      this.report(
        'UNKNOWN_PRODUCT_CODE',
        `station ${this.spec.id}: product code "${code}" is no product's code; the station's own ideal cycle time applies`,
        { station: this.spec.id, tag: this.spec.tags.productCode, code },
      );
    }
    return this.change(product, m, { source: 'plc', code });
  }

  /** An operator set the product (undefined: none); returns true when it changed. */
  set(product: string | undefined, m: number, by: ActionBy | undefined): boolean {
    return this.change(product, m, { source: 'operator', ...(by !== undefined ? { by } : {}) });
  }

  private change(
    product: string | undefined,
    m: number,
    how: { source: 'plc' | 'operator'; code?: string; by?: ActionBy },
  ): boolean {
    if (product === this.current) return false;
    const previous = this.current;
    this.current = product;
    this.ideal = this.idealOf(product);
    this.host.emit({
      type: 'product',
      id: this.ids.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
      ts: this.host.wallOf(m),
      ...(product !== undefined ? { product } : {}),
      ...(previous !== undefined ? { previous } : {}),
      ...how,
    });
    return true;
  }

  /** Restores the product of a checkpoint (silently: it was announced before the restart). */
  restore(product: string | undefined): void {
    if (product === undefined || !this.catalogue.ids.has(product)) return;
    this.current = product;
    this.ideal = this.idealOf(product);
  }

  /** Kept with the product: the state machine reads it several times per poll. */
  private idealOf(product: string | undefined): number {
    return (product !== undefined ? this.spec.idealByProduct.get(product) : undefined) ?? this.spec.idealCycleTimeMs;
  }
}
