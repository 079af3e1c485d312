/**
 * What a spooled output supplies to the generic runner (runner.ts): how a row becomes what it
 * sends, how to send a batch, and whether a failure is worth retrying; and how the runner is tuned.
 */
import type { BackoffPolicy } from '../lib/backoff.js';
import type { SpoolKind, SpoolRow } from './spool/index.js';

export interface DeliveryFailure {
  /** True when the same batch may go through later (network, timeout, 5xx); false: it never will. */
  readonly retryable: boolean;
  readonly message: string;
  /** Run `prepare` again before the next attempt (e.g. the database was dropped, the connection was new). */
  readonly prepareAgain?: boolean;
  /** The destination has logged it already (with more detail than the runner could), so the runner does not. */
  readonly logged?: boolean;
  /** The destination asked for at least this wait (HTTP Retry-After), honoured up to the backoff's cap. */
  readonly retryAfterMs?: number;
}

export interface SendResult {
  /** Items the destination refused one by one and for good (counted as dropped, not sent). */
  readonly refused?: number;
}

/**
 * Called while a batch is going out: the first `delivered` items of the batch are with the
 * destination (or refused for good), so the spool may release them before the rest is through.
 */
export type Progress = (delivered: number) => void;

export interface BatchDestination<P> {
  /** The output's name and spool destination. */
  readonly name: string;
  /** Only these row kinds (e.g. events only); all when undefined. */
  readonly kinds?: readonly SpoolKind[];
  /** What to send for a row; undefined skips it (it is acknowledged with its batch). */
  convert(row: SpoolRow): P | undefined;
  /**
   * Delivers a batch; resolves once the destination has all of it. A destination that streams
   * (MQTT's PUBACK window) reports the delivered prefix as it grows; after a failure only the
   * items past that prefix are sent again.
   */
  send(batch: readonly P[], progress: Progress): Promise<SendResult | void>;
  /**
   * Why a send (or prepare) failed, and whether trying the same batch again can help; `attempt`
   * counts the failures of this batch so far (1 on the first), for a destination that gives up.
   */
  failure(err: unknown, attempt: number): DeliveryFailure;
  /**
   * Set-up before the first batch (create a database, republish retained state) and again when a
   * failure asks for it; a rejection is handled like a failed send.
   */
  prepare?(): Promise<void>;
  /**
   * While the runner waits out the backoff after `failure`: may call `retryNow` to end the wait
   * early (a probe saw the destination answer again, the broker connection is back). Returns how
   * to stop watching.
   */
  whileWaiting?(failure: DeliveryFailure, delayMs: number, retryNow: () => void): (() => void) | undefined;
  /** Whether the destination is reachable now (a live connection); else the last send decides. */
  isUp?(): boolean;
  /** Abandons a request in flight (stop() ran out of time); called once at the end of stop(). */
  close?(): void;
}

export interface RunnerOptions {
  /** Items per batch at most. */
  readonly batchSize: number;
  /** A batch smaller than batchSize waits at most this long for more rows, ms (0: send at once). */
  readonly flushIntervalMs: number;
  readonly backoff: BackoffPolicy;
  /**
   * Sends started before the oldest has settled (default 1). More keep a destination busy while
   * it acknowledges (MQTT); it must then take its sends in the order they were started, and when
   * one fails, let the later ones settle soon (they are sent again).
   */
  readonly maxSendsInFlight?: number;
  /** Items per second at most (a backlog drains no faster), in bursts of a tenth of a second. */
  readonly maxPerSecond?: number;
  /** How long stop() waits for the last batch, ms; default 5,000. */
  readonly stopGraceMs?: number;
  /** Jitter source for the backoff (tests). */
  readonly random?: () => number;
}
