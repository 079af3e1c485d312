/**
 * The samples of one spool row while they wait for the commit, kept as columns. A sample lives
 * ~250 ms in the buffer, long enough for V8 to promote it to the old generation under a steady
 * allocation rate; at 10,000 samples a second those promotions made the major collector the
 * agent's biggest cost. Columns keep no object per sample: tag strings are the config's own,
 * numbers sit unboxed in double arrays, so the sources' Sample objects die young.
 */
import type { Sample } from '../../core/sample.js';

/** JSON of tag names, built once per tag (tags come from the config: a bounded set). */
const tagJson = new Map<string, string>();
const TAG_JSON_CACHE = 100_000;

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

  /** `[[tag, value, ts, mono], ...]`, as statements.ts decodes it; a non-finite number is null. */
  toJson(): string {
    const parts: string[] = new Array<string>(this.tags.length);
    for (let i = 0; i < this.tags.length; i++) {
      parts[i] =
        `[${jsonOfTag(this.tags[i] ?? '')},${jsonOfValue(this.values[i] ?? null)},${jsonOfNumber(this.times[i])},${jsonOfNumber(this.monos[i])}]`;
    }
    return `[${parts.join(',')}]`;
  }
}

function jsonOfTag(tag: string): string {
  let json = tagJson.get(tag);
  if (json === undefined) {
    json = JSON.stringify(tag);
    if (tagJson.size < TAG_JSON_CACHE) tagJson.set(tag, json);
  }
  return json;
}

function jsonOfValue(value: Sample['value'] | null): string {
  if (typeof value === 'number') return jsonOfNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

function jsonOfNumber(n: number | undefined): string {
  return n !== undefined && Number.isFinite(n) ? String(n) : 'null';
}
