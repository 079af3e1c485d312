/**
 * Fixed-capacity ring of numbers over a Float64Array: pushes never allocate, the oldest value is
 * overwritten when full. Used for baselines and sliding windows on the hot path.
 */
export class NumberRing {
  private readonly data: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const cap = this.data.length;
    if (this.count < cap) {
      this.data[(this.start + this.count) % cap] = value;
      this.count++;
    } else {
      this.data[this.start] = value;
      this.start = (this.start + 1) % cap;
    }
  }

  /** i-th oldest value (0 = oldest). */
  at(i: number): number {
    return this.data[(this.start + i) % this.data.length] as number;
  }

  /** Most recent value, NaN when empty. */
  last(): number {
    return this.count === 0 ? Number.NaN : this.at(this.count - 1);
  }

  /** Drops the oldest value. */
  shift(): number {
    if (this.count === 0) return Number.NaN;
    const v = this.data[this.start] as number;
    this.start = (this.start + 1) % this.data.length;
    this.count--;
    return v;
  }

  /** Drops the newest value. */
  pop(): number {
    if (this.count === 0) return Number.NaN;
    const v = this.last();
    this.count--;
    return v;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  toArray(): number[] {
    const out = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.at(i);
    return out;
  }

  /** Replaces the content (restore from a checkpoint); keeps the newest `capacity` values. */
  load(values: readonly number[]): void {
    this.clear();
    for (const v of values) if (Number.isFinite(v)) this.push(v);
  }
}
