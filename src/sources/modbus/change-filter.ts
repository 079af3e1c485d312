/**
 * Report by exception: a value is re-emitted only when it moved by more than the tag's deadband
 * (numbers) or changed at all (booleans, strings, deadband 0). It is compared with the last
 * value EMITTED, not the last read, so a slow drift still gets through once it adds up. Pure.
 *
 * Freshness does not depend on re-emission: the core treats a device's tags as fresh while its
 * comms are ok (a CommsChange{ok:true} is sent on each transition to ok), so an unchanged value
 * is known to be current without being sent again.
 */
import type { TagValue } from './codec.js';

export class ChangeFilter {
  private readonly lastEmitted = new Map<string, TagValue>();

  /** True when `value` must be emitted now (and remembers it as emitted). */
  offer(tag: string, value: TagValue, deadband: number): boolean {
    const previous = this.lastEmitted.get(tag);
    if (previous !== undefined && !moved(previous, value, deadband)) return false;
    this.lastEmitted.set(tag, value);
    return true;
  }

  /** Forget everything: the next value of every tag is emitted (after a reconnect). */
  reset(): void {
    this.lastEmitted.clear();
  }
}

function moved(previous: TagValue, value: TagValue, deadband: number): boolean {
  if (typeof previous === 'number' && typeof value === 'number' && deadband > 0) {
    return Math.abs(value - previous) > deadband;
  }
  return previous !== value;
}
