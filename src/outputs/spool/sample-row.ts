/**
 * The samples of one spool row while they wait for the commit, kept as columns. A sample lives
 * ~250 ms in the buffer, long enough for V8 to promote it to the old generation under a steady
 * allocation rate; at 10,000 samples a second those promotions made the major collector the
 * agent's biggest cost. Columns keep no object per sample: tag strings are the config's own,
 * numbers sit unboxed in double arrays, so the sources' Sample objects die young.
 */
import type { Sample } from '../../core/sample.js';

export class SampleColumns {
  private readonly tags: string[] = [];
  private readonly values: Sample['value'][] = [];
  private readonly times: number[] = [];
  private readonly monos: number[] = [];

  constructor(first: Sample) {
    this.push(first);
  }

  get size(): number {
    return this.tags.length;
  }

  push(s: Sample): void {
    this.tags.push(s.tag);
    this.values.push(s.value);
    this.times.push(s.ts);
    this.monos.push(s.mono);
  }

  /** The i-th sample, as a new object. */
  at(i: number): Sample {
    return {
      tag: this.tags[i] ?? '',
      value: this.values[i] ?? Number.NaN,
      ts: this.times[i] ?? 0,
      mono: this.monos[i] ?? 0,
    };
  }

  /**
   * `{"tags":[...],"values":[...],"ts":[...],"monos":[...]}`, as statements.ts decodes it; a
   * non-finite number is null. One JSON.stringify of four arrays writes the text in one go, with
   * no string per value (a tuple per sample built its text from five strings each).
   */
  toJson(): string {
    return JSON.stringify({ tags: this.tags, values: this.values, ts: this.times, monos: this.monos });
  }
}
