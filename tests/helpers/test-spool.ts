/** A spool on the real clock for output tests: 64 MB, a day's age, quick commits. */
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../src/lib/logger.js';
import { openSpool, type Spool } from '../../src/outputs/spool/index.js';

export function openTestSpool(
  dir: string,
  destinations: readonly string[],
  commitIntervalMs = 20,
  logger: Logger = silentLogger,
): Spool {
  return openSpool({
    dir,
    maxBytes: 64e6,
    maxAgeMs: 86_400_000,
    commitIntervalMs,
    destinations: [...destinations],
    clock: systemClock,
    logger,
  });
}
