/**
 * The spool: a durable outbox between the core and every network destination (MQTT and
 * InfluxDB; docs/architecture.md#data-flow). Everything that must not be lost is appended here
 * first and removed only after every destination has acknowledged it.
 *
 * Contract (callers: the agent appends, each destination reads and acknowledges):
 * - `appendEvent` / `appendSample` are synchronous, never throw and never block on the disk: rows
 *   are buffered in memory and written in one transaction every `commitIntervalMs` (default
 *   250 ms) with `synchronous=FULL`. A power cut or `kill -9` can therefore lose at most the rows
 *   of the last commit interval that were not yet committed; committed rows survive both. Why not
 *   commit every row: at 2,000 samples/s that is 2,000 fsyncs a second, which an SD card cannot
 *   sustain and which wears it out; one fsync per 250 ms is 4 a second.
 * - `read` returns committed rows only, so nothing reaches the network before it is durable (a
 *   consumer never sees an event the agent could forget after a power cut). Live latency to a
 *   destination is therefore up to one commit interval; `onCommit` tells destinations when to read.
 * - Ids are positive integers, strictly increasing across restarts (never reused, even after
 *   every row was deleted). Rows come back in id order, which is append order.
 * - Each destination has its own cursor (`ack`), persisted in the same transaction as the rows,
 *   so after a crash a destination resumes from its last persisted cursor: delivery is
 *   at-least-once; consumers deduplicate by event id.
 * - Rows at or below every configured destination's cursor are deleted (in id ranges).
 * - Bounds: past `maxBytes` or `maxAgeMs`, the oldest raw samples are dropped first, then
 *   periodic (non-final) OEE snapshots; cycles, states, downtime, alerts and final OEE are never
 *   dropped. Every drop is counted in `health().dropped` and logged.
 * - Checkpoints (`setCheckpoint`) are small JSON values committed atomically with the rows
 *   appended before them. A checkpoint *source* (`setCheckpointSource`, the core's and the
 *   predictors' restart state) is read afresh for every commit that adds events, inside the same
 *   transaction: the restored state then always covers exactly the events that were spooled, so
 *   after `kill -9` or a power cut no seq/eventId is issued twice and no counter delta is counted
 *   twice. Sources are read only between core steps (the commit timer, flush, a commit deferred
 *   to a microtask when the buffer fills), never in the middle of one.
 * - Single-threaded use only (one process, one event loop), like better-sqlite3 itself.
 */
import type { CoreEvent } from '../../core/events.js';
import type { Clock, Sample } from '../../core/sample.js';
import type { Logger } from '../../lib/logger.js';

export type SpoolKind = 'event' | 'sample';

/**
 * Drop priority, lowest dropped first: 0 raw samples, 1 periodic OEE snapshots (superseded by the
 * next one), 2 never dropped (cycle, state, downtime, alert, final OEE).
 */
export type SpoolPriority = 0 | 1 | 2;

export type SpoolRow =
  | {
      readonly id: number;
      readonly kind: 'event';
      readonly priority: SpoolPriority;
      readonly ts: number;
      readonly event: CoreEvent;
    }
  | {
      readonly id: number;
      readonly kind: 'sample';
      readonly priority: SpoolPriority;
      readonly ts: number;
      readonly sample: Sample;
    };

export interface SpoolOptions {
  /** Directory of the spool file (created if missing). */
  readonly dir: string;
  /** File name inside `dir`; default "spool.db". */
  readonly fileName?: string;
  /** Size bound of the database pages, bytes (the WAL adds up to 16 MiB on top). */
  readonly maxBytes: number;
  /** Age bound, ms of wall time since a row's `ts`. */
  readonly maxAgeMs: number;
  /** Batched commit interval, ms (config `storage.commitInterval`). */
  readonly commitIntervalMs: number;
  /** Destinations that must acknowledge a row before it is deleted, e.g. ["mqtt", "influx"]. */
  readonly destinations: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Commit early once this many rows (events and samples, each counted) are buffered (bounds memory in bursts); default 20,000. */
  readonly maxBufferedRows?: number;
}

export interface SpoolReadOptions {
  /** Only rows of these kinds (skipped rows still count as read for the cursor). */
  readonly kinds?: readonly SpoolKind[];
}

export interface SpoolDestinationHealth {
  /** Highest id this destination has acknowledged. */
  readonly ackedId: number;
  /** Committed rows after the cursor (recounted after an ack, else at most once a second). */
  readonly pending: number;
  /** Wall ms since the oldest unacknowledged row's ts; 0 when nothing is pending. */
  readonly oldestUnsentAgeMs: number;
}

export interface SpoolDropCounts {
  readonly samples: number;
  /** Periodic OEE snapshots dropped after all samples were gone. */
  readonly oeeSnapshots: number;
  readonly total: number;
  readonly lastAt?: number;
  readonly lastReason?: 'size' | 'age' | 'buffer' | 'closed';
}

export interface SpoolHealth {
  readonly file: string;
  /** Committed rows in the spool (all destinations). */
  readonly rows: number;
  readonly events: number;
  readonly samples: number;
  /** Appended but not yet committed. */
  readonly buffered: number;
  /** Bytes used by live database pages. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly lastId: number;
  readonly lastCommittedId: number;
  readonly commits: number;
  readonly lastCommitAt?: number;
  /** Duration of the last commit transaction, ms. */
  readonly lastCommitMs?: number;
  readonly destinations: Readonly<Record<string, SpoolDestinationHealth>>;
  readonly dropped: SpoolDropCounts;
  /** Rows whose payload could not be decoded (skipped, never delivered). */
  readonly unreadable: number;
  readonly errors: number;
  /** "CODE message" of the last error (SPOOL_IO ...). */
  readonly lastError?: string;
  /** Set when the file failed its integrity check at start and was moved aside. */
  readonly recovered?: { readonly movedTo: string; readonly reason: string; readonly at: number };
}

export interface CommitInfo {
  /** Highest committed id after this commit. */
  readonly lastCommittedId: number;
}

export interface Spool {
  /** Appends a core event; returns its spool id (0 if it could not be taken: spool closed,
   * value not serialisable; both are logged). Never throws. */
  appendEvent(event: CoreEvent): number;
  /** Appends a raw sample; returns its spool id (0 if it could not be taken). Never throws. */
  appendSample(sample: Sample): number;
  /** Stores a small JSON-serialisable value, committed with the next batch. */
  setCheckpoint(key: string, value: unknown): void;
  /** The last value set for `key` (this run or a previous one), or undefined. */
  getCheckpoint(key: string): unknown;
  /**
   * `source()` is stored under `key` in the same transaction as the rows: with `when: 'events'`
   * (the default) in every commit that adds events and after `requestCheckpoint()`; with
   * `'requested'` only after `requestCheckpoint()` (bulky state that may lag, to spare the SD card).
   */
  setCheckpointSource(key: string, source: () => unknown, when?: 'events' | 'requested'): void;
  /** The next commit takes the checkpoint sources afresh even without new events (time moves on). */
  requestCheckpoint(): void;
  /** Committed rows with id > afterId, in id order, at most `limit`. */
  read(destination: string, afterId: number, limit: number, options?: SpoolReadOptions): SpoolRow[];
  /** Marks every row with id <= uptoId as delivered to `destination`; persisted with the next commit. */
  ack(destination: string, uptoId: number): void;
  /** The destination's cursor (0 when it never acknowledged anything). */
  ackedId(destination: string): number;
  lastCommittedId(): number;
  /** Called after every commit that added rows; returns an unsubscribe function. */
  onCommit(listener: (info: CommitInfo) => void): () => void;
  /** Commits the buffer now (tests, shutdown). */
  flush(): void;
  health(): SpoolHealth;
  /** Flushes, checkpoints the WAL and closes the file. Idempotent. */
  close(): void;
}
