/**
 * Each destination's backlog (pending rows, age of the oldest unsent one), cached for a second
 * because health is polled and counting a large backlog is not free on a Pi.
 */
import type { Clock } from '../../core/sample.js';
import type { SpoolStatements } from './statements.js';
import type { SpoolDestinationHealth } from './types.js';

const HEALTH_CACHE_MS = 1_000;

/** The spool's state a destination's health is computed from. */
export interface HealthFacts {
  readonly closed: boolean;
  readonly ackedId: number;
  readonly deletedThrough: number;
  readonly committedId: number;
  /** Committed rows in the spool. */
  readonly rows: number;
}

export class DestinationHealthCache {
  private readonly cache = new Map<string, { atMono: number; value: SpoolDestinationHealth }>();

  constructor(
    private readonly sql: SpoolStatements,
    private readonly clock: Clock,
  ) {}

  /** The destination's cursor moved: recount at the next ask. */
  forget(destination: string): void {
    this.cache.delete(destination);
  }

  get(destination: string, facts: HealthFacts): SpoolDestinationHealth {
    const nowMono = this.clock.monoMs();
    const cached = this.cache.get(destination);
    if (cached !== undefined && nowMono - cached.atMono < HEALTH_CACHE_MS) return cached.value;
    const { closed, ackedId, deletedThrough, committedId, rows } = facts;
    // Rows after the cursor = all rows - rows still kept at or below it (only those another,
    // slower destination still needs): a short range count instead of counting a whole backlog.
    const keptBelow =
      closed || ackedId <= deletedThrough
        ? 0
        : (this.sql.countRange.get({ a: deletedThrough, b: Math.min(ackedId, committedId) })?.total ?? 0);
    const pending = closed ? 0 : Math.max(0, rows - keptBelow);
    const oldest = closed ? undefined : this.sql.oldestAfter.get(ackedId);
    const oldestUnsentAgeMs = oldest === undefined ? 0 : Math.max(0, this.clock.wallMs() - oldest.ts);
    const value = { ackedId, pending, oldestUnsentAgeMs };
    this.cache.set(destination, { atMono: nowMono, value });
    return value;
  }
}
