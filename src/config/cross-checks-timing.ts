/**
 * A device's durations whose sane range depends on a floor the schema leaves out; messages quote
 * the duration as the user wrote it.
 */
import type { Add, Path } from './cross-checks-common.js';
import { formatDurationMs } from './duration.js';
import type { Device } from './schema.js';
import type { Loose } from './tolerant.js';

const MIN_BACKOFF_MAX_MS = 1_000;

/** The text a field was written with, else its parsed value formatted ("0s"). */
function writtenDuration(written: unknown, path: Path, ms: number): string {
  const text = valueAt(written, path);
  return typeof text === 'string' ? text.trim() : formatDurationMs(ms);
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/**
 * Durations that tests drive below the production floor. A timeout at or over the poll interval is
 * not refused: a timed-out request skips the polls it overlaps (counted as overruns), which is what
 * every Modbus tool does, and the Modbus source says so in a warning at start.
 */
export function checkTiming(device: Loose<Device>, base: Path, add: Add, written: unknown): void {
  const { backoffMax } = device;
  if (backoffMax !== undefined && backoffMax < MIN_BACKOFF_MAX_MS) {
    add(
      [...base, 'backoffMax'],
      `must be at least ${formatDurationMs(MIN_BACKOFF_MAX_MS)}; got ${writtenDuration(written, [...base, 'backoffMax'], backoffMax)}: a shorter cap reconnects to a dead device several times a second`,
    );
  }
}
