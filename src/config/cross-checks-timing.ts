/**
 * A device's durations whose sane range depends on another field or on a floor the schema leaves
 * out; messages quote the duration as the user wrote it.
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

/** Durations whose sane range depends on another field, or that tests drive below the production floor. */
export function checkTiming(device: Loose<Device>, base: Path, add: Add, written: unknown): void {
  const { pollInterval, timeout, backoffMax } = device;
  if (pollInterval !== undefined && timeout !== undefined && timeout >= pollInterval) {
    const poll = writtenDuration(written, [...base, 'pollInterval'], pollInterval);
    const time = writtenDuration(written, [...base, 'timeout'], timeout);
    if (written === undefined || valueAt(written, [...base, 'timeout']) !== undefined) {
      add(
        [...base, 'timeout'],
        `must be shorter than pollInterval (${poll}); got ${time}: a request that times out would overrun the next poll`,
      );
    } else {
      add(
        [...base, 'pollInterval'],
        `must be longer than timeout (${time}, the default); set a shorter timeout or poll less often`,
      );
    }
  }
  if (backoffMax !== undefined && backoffMax < MIN_BACKOFF_MAX_MS) {
    add(
      [...base, 'backoffMax'],
      `must be at least ${formatDurationMs(MIN_BACKOFF_MAX_MS)}; got ${writtenDuration(written, [...base, 'backoffMax'], backoffMax)}: a shorter cap reconnects to a dead device several times a second`,
    );
  }
}
