/**
 * Raw samples -> line protocol (pure but for a cache). Samples are most of what an agent writes
 * (10,000 tags at 1 s are 10,000 points a second), so each one becomes its line directly: the
 * series key of a tag (measurement, site, line, station, tag, escaped) is built once and kept,
 * and a sample costs one string. No point object, no tag or field record, nothing for the
 * garbage collector but the line.
 *
 * Where a sample lands (docs/influxdb.md):
 * - a number: `value` (float) in `condition` for a station's condition tags, else in `sample`;
 * - a boolean: `value` 1/0 (float, so it graphs next to numbers) and `flag` (boolean), in `sample`;
 * - a string: `text`, cut to 4,096 characters, in `sample`;
 * - at its read time in microseconds; a NaN or infinite number, or a time before 2000 (a Pi whose
 *   clock is not set yet), is skipped and counted.
 */
import type { Sample } from '../../core/sample.js';
import { quoteString, seriesKey } from './line-protocol.js';
import { MAX_STRING_CHARS, microTime, type PointContext, type SkipReason } from './points.js';
import { MEASUREMENTS } from './schema.js';

interface TagKeys {
  /** Series key plus the space before the fields, for numbers. */
  readonly numbers: string;
  /** The same for booleans and strings (always `sample`). */
  readonly others: string;
}

export class SampleLines {
  private readonly keys = new Map<string, TagKeys>();

  constructor(private readonly ctx: PointContext) {}

  /** The sample's line, or why it has none. */
  line(s: Sample): string | Exclude<SkipReason, 'not-written'> {
    const time = microTime(s.ts);
    if (time === undefined) return 'bad-time';
    const keys = this.keys.get(s.tag) ?? this.keysOf(s.tag);
    const value = s.value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'bad-value';
      return `${keys.numbers}value=${String(value)} ${time}`;
    }
    if (typeof value === 'boolean') return `${keys.others}flag=${value ? 'T,value=1' : 'F,value=0'} ${time}`;
    if (typeof value === 'string')
      return `${keys.others}text=${quoteString(value.length > MAX_STRING_CHARS ? value.slice(0, MAX_STRING_CHARS) : value)} ${time}`;
    return 'bad-value';
  }

  private keysOf(tag: string): TagKeys {
    const { ctx } = this;
    const where = ctx.tagStation.get(tag);
    const tags: Record<string, string> =
      where === undefined ? { site: ctx.site, tag } : { site: ctx.site, line: where.line, station: where.station, tag };
    const others = `${seriesKey(MEASUREMENTS.sample, tags)} `;
    const keys: TagKeys = {
      numbers: ctx.conditionTags.has(tag) ? `${seriesKey(MEASUREMENTS.condition, tags)} ` : others,
      others,
    };
    this.keys.set(tag, keys);
    return keys;
  }
}
