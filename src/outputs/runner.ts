/**
 * The generic runner of a spooled output (telegraf's RunningOutput as the model). It owns what
 * every such output needs: reading the spool through the destination's cursor, batching by size
 * and age, the rate limit, retrying with the agent's one backoff, acknowledging only what the
 * destination has, and the output's status. A destination (runner-contract.ts) supplies only how
 * a row becomes what it sends, how to send a batch, and whether a failure is worth retrying.
 *
 * Guarantees: rows are sent in spool order, each batch until it is delivered or refused for good
 * (then dropped, counted and logged: a batch the destination can never take must not block the
 * rest); the cursor moves only past what was delivered, so a crash resends at most the batch in
 * flight (a streaming destination reports progress, so even less).
 */
import { Backoff } from '../lib/backoff.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { TokenBucket } from '../lib/token-bucket.js';
import { DeliveryStatus } from './delivery-status.js';
import type { OutputHandle, OutputStatus } from './output.js';
import { PendingBatch } from './pending-batch.js';
import type { BatchDestination, DeliveryFailure, RunnerOptions } from './runner-contract.js';
import { SpoolCursor, type Spool } from './spool/index.js';
import { WakeSignal } from './wake-signal.js';

export type { BatchDestination, DeliveryFailure, Progress, RunnerOptions, SendResult } from './runner-contract.js';

export interface RunnerDeps {
  readonly spool: Spool;
  readonly logger: Logger;
  /**
   * Real monotonic ms for the batch age and the rate (default performance.now). Not the plant
   * clock: batching is about the destination's I/O, and the plant clock may stand still or run 60
   * times faster.
   */
  readonly now?: () => number;
}

/** Rows looked at per step at least, before yielding: skipping a long run must not stall the loop. */
const MIN_SCAN_BUDGET = 5_000;

export class SpooledOutput<P> implements OutputHandle {
  readonly name: string;
  private readonly cursor: SpoolCursor;
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket | undefined;
  private readonly log: Logger;
  private readonly pending = new PendingBatch<P>();
  /** Every row up to here is in `pending` or was skipped: acknowledged once `pending` is delivered. */
  private scannedTo: number;
  /** Failures of the batch at the head of `pending` so far. */
  private attempts = 0;
  private readonly health: DeliveryStatus;
  private loop: Promise<void> | undefined;
  private stopRequested = false;
  private readonly waiter = new WakeSignal();
  private unsubscribeCommit: (() => void) | undefined;
  private readonly now: () => number;
  private prepared: boolean;
  private nextAttemptAt: number | undefined;

  constructor(
    private readonly destination: BatchDestination<P>,
    private readonly deps: RunnerDeps,
    private readonly options: RunnerOptions,
  ) {
    this.name = destination.name;
    this.cursor = new SpoolCursor(deps.spool, destination.name, destination.kinds);
    this.scannedTo = this.cursor.acked;
    this.backoff = new Backoff(options.backoff, options.random);
    this.log = deps.logger.child({ component: destination.name });
    this.health = new DeliveryStatus(destination.name, this.log);
    this.now = deps.now ?? (() => performance.now());
    this.bucket = options.maxPerSecond === undefined ? undefined : new TokenBucket(options.maxPerSecond, this.now());
    this.prepared = destination.prepare === undefined;
  }

  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    this.unsubscribeCommit = this.deps.spool.onCommit(() => this.waiter.committed());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.unsubscribeCommit?.();
    this.wakeUp();
    if (this.loop === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.stopGraceMs ?? 5_000);
    });
    const outcome = await Promise.race([this.loop.then(() => 'done' as const), grace]);
    clearTimeout(timer);
    // A request still in flight is abandoned; its rows stay in the spool for the next start.
    this.destination.close?.();
    if (outcome === 'timeout') {
      this.log.warn({ pending: this.pending.length }, 'stopped before the last batch went out; it stays in the spool');
      await this.loop;
    }
  }

  status(): OutputStatus {
    return this.health.snapshot(this.destination.isUp?.());
  }

  /** Items refused for good (dropped), one by one or with their batch. */
  get droppedRows(): number {
    return this.health.dropped;
  }

  /** Ms until the next attempt while backing off, else undefined. */
  nextAttemptInMs(): number | undefined {
    return this.nextAttemptAt === undefined ? undefined : Math.max(0, Math.round(this.nextAttemptAt - this.now()));
  }

  private async run(): Promise<void> {
    while (!this.stopRequested) {
      try {
        await this.step();
      } catch (err) {
        // A bug or a spool I/O error, not an outage: say so and go on after a pause; the rows
        // stay in the spool.
        this.health.internalError(errorMessage(err));
        this.log.error({ err: errorMessage(err) }, `${this.name} output failed unexpectedly; retrying`);
        await this.waitForWork(this.backoff.next(), false);
      }
    }
    // Stopping: one last attempt for what is pending (the rate limit aside), unless the
    // destination is known to be down.
    if (this.health.isUp && this.prepared) {
      this.fill();
      if (this.pending.length > 0) await this.deliver(this.pending.length);
      else this.acknowledge();
    }
  }

  private async step(): Promise<void> {
    if (!this.prepared) {
      await this.prepare();
      return;
    }
    const atEnd = this.fill();
    if (this.pending.length === 0) {
      this.acknowledge();
      await (atEnd ? this.waitForWork(undefined) : yieldToEventLoop());
      return;
    }
    if (atEnd && this.pending.length < this.options.batchSize) {
      const waitMs = this.pending.firstAt + this.options.flushIntervalMs - this.now();
      if (waitMs > 0) {
        await this.waitForWork(waitMs);
        return;
      }
    }
    const count =
      this.bucket === undefined ? this.pending.length : this.bucket.takeUpTo(this.pending.length, this.now());
    if (count === 0) {
      await this.waitForWork(this.bucket?.waitMs(this.now()), false);
      return;
    }
    const failure = await this.deliver(count);
    if (failure?.retryable === true) await this.backOff(failure);
  }

  private async prepare(): Promise<void> {
    try {
      await this.destination.prepare?.();
    } catch (err) {
      const failure = this.destination.failure(err, ++this.attempts);
      this.health.failed(failure);
      this.health.down(failure, `${this.name} could not be set up; retrying`);
      await this.backOff(failure);
      return;
    }
    this.attempts = 0;
    this.prepared = true;
    this.health.back();
    this.backoff.reset();
  }

  /** Waits out the next backoff step; the destination may end it early (whileWaiting). */
  private async backOff(failure: DeliveryFailure): Promise<void> {
    if (failure.prepareAgain === true && this.destination.prepare !== undefined) this.prepared = false;
    const stepMs = this.backoff.next();
    const asked = Math.min(failure.retryAfterMs ?? 0, this.options.backoff.maxMs);
    const delay = Math.max(stepMs, asked);
    this.nextAttemptAt = this.now() + delay;
    const stopWatching = this.destination.whileWaiting?.(failure, delay, () => this.wakeUp());
    await this.waitForWork(delay, false);
    stopWatching?.();
    this.nextAttemptAt = undefined;
  }

  /**
   * Reads committed rows after the cursor into the batch, up to batchSize; true when it read to
   * the end of what is committed, false when the batch is full or the scan budget ran out.
   */
  private fill(): boolean {
    const budget = Math.max(MIN_SCAN_BUDGET, 4 * this.options.batchSize);
    let scanned = 0;
    while (this.pending.length < this.options.batchSize) {
      if (scanned >= budget) return false;
      const limit = this.options.batchSize - this.pending.length;
      const { rows, scannedTo } = this.cursor.next(limit);
      scanned += rows.length;
      for (const row of rows) {
        const item = this.destination.convert(row);
        if (item !== undefined) this.pending.add(item, row.id, this.now());
      }
      this.scannedTo = Math.max(this.scannedTo, scannedTo);
      if (rows.length < limit) return true;
    }
    return false;
  }

  /** Sends the first `count` pending items once; undefined when delivered. */
  private async deliver(count: number): Promise<DeliveryFailure | undefined> {
    const batch = this.pending.head(count);
    let delivered = 0;
    const progress = (n: number): void => {
      if (n <= delivered || n > batch.length) return;
      delivered = n;
      this.release(this.pending.idThrough(n));
    };
    let refused: number;
    try {
      refused = (await this.destination.send(batch, progress))?.refused ?? 0;
    } catch (err) {
      // What the destination has of this batch stays delivered; the rest is sent again.
      this.shift(delivered);
      const failure = this.destination.failure(err, ++this.attempts);
      this.health.failed(failure);
      if (failure.retryable) {
        this.health.down(
          failure,
          `${this.name} is not taking data; the spool keeps ${this.pending.length} rows and retries`,
        );
        return failure;
      }
      // Never deliverable: drop it, or it would block everything behind it for good.
      const rest = count - delivered;
      this.health.dropped += rest;
      if (failure.logged !== true)
        this.log.error({ rows: rest, err: failure.message }, `${this.name} refused a batch for good; dropped`);
      this.shift(rest);
      this.attempts = 0;
      this.acknowledge();
      return failure;
    }
    this.health.delivered(count, refused);
    this.shift(count);
    this.attempts = 0;
    this.acknowledge();
    this.backoff.reset();
    this.health.back();
    return undefined;
  }

  /** The first `n` pending items are done with; the spool may release them. */
  private shift(n: number): void {
    this.release(this.pending.shift(n));
  }

  /** With nothing pending, every scanned row is done with. */
  private acknowledge(): void {
    if (this.pending.length === 0) this.release(this.scannedTo);
  }

  private release(id: number): void {
    if (id > this.cursor.acked) this.cursor.ack(id);
  }

  /** Sleeps until `ms` passed (undefined: no timeout), stop() is called, or (wakeOnCommit) the spool commits. */
  private waitForWork(ms: number | undefined, wakeOnCommit = true): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return this.waiter.wait(ms, wakeOnCommit);
  }

  private wakeUp(): void {
    this.waiter.wakeUp();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
