/** Where a device's tags sit on the wire, and which of them share registers they must not share. */
import { resolveAddress, type ResolvedAddress } from './addresses.js';
import type { Add, Path } from './cross-checks-common.js';
import type { Device, ModbusTag, RegisterArea, TagType } from './schema.js';
import type { Loose } from './tolerant.js';

type LooseDevice = Loose<Device>;
type LooseTag = Loose<ModbusTag>;

/** A tag's place on the wire, once the fields it depends on are known; a message when it has none. */
export function addressOf(tag: LooseTag, device: LooseDevice): ResolvedAddress | string | undefined {
  const { address, type } = tag;
  if (address === undefined || type === undefined || device.addressBase === undefined) return undefined;
  return resolveAddress({ ...tag, address, type }, { addressBase: device.addressBase });
}

export interface Span extends ResolvedAddress {
  readonly index: number;
  readonly name: string;
  readonly type: TagType;
}

function spanText(s: Span): string {
  const last = s.offset + s.count - 1;
  return `${s.type} at ${s.area} ${last === s.offset ? s.offset : `${s.offset}..${last}`}`;
}

/**
 * Tags of one device whose registers overlap. Single-register tags may share a register (bit
 * views of a status word, a bool on a coil); a multi-register value (float32, uint32, string...)
 * sharing a register with any other tag reads or is read wrong, so that is an error, reported
 * at the tag further down the list. Sort and sweep: fine for thousands of tags.
 */
export function checkOverlaps(spans: readonly Span[], base: Path, add: Add): void {
  const byArea = new Map<RegisterArea, Span[]>();
  for (const s of spans) {
    const list = byArea.get(s.area);
    if (list === undefined) byArea.set(s.area, [s]);
    else list.push(s);
  }
  const reported = new Set<number>();
  for (const list of byArea.values()) {
    list.sort((a, b) => a.offset - b.offset || a.index - b.index);
    const end = (s: Span) => s.offset + s.count - 1;
    let farthest: Span | undefined; // the multi-register span reaching farthest so far
    let lastSingle: Span | undefined; // the single-register span with the highest offset so far
    for (const s of list) {
      let other: Span | undefined;
      if (farthest !== undefined && end(farthest) >= s.offset) other = farthest;
      else if (s.count > 1 && lastSingle !== undefined && lastSingle.offset === s.offset) other = lastSingle;
      if (other !== undefined) {
        const [first, later] = other.index < s.index ? [other, s] : [s, other];
        if (!reported.has(later.index)) {
          reported.add(later.index);
          add(
            [...base, 'tags', later.index, 'address'],
            `${spanText(later)} overlaps tag "${first.name}" (tags[${first.index}], ${spanText(first)}); a multi-register value must not share registers with another tag`,
          );
        }
      }
      if (s.count > 1) {
        if (farthest === undefined || end(s) > end(farthest)) farthest = s;
      } else {
        lastSingle = s;
      }
    }
  }
}
