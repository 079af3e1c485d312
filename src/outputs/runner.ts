/**
 * The generic runner of a spooled output (telegraf's RunningOutput as the model). It owns what
 * every such output needs: reading the spool through the destination's cursor, batching by size
 * and age, retrying the same batch with the agent's one backoff, acknowledging only what the
 * destination has, and the output's status. A destination supplies only how a row becomes what
 * it sends, how to send a batch, and whether a failure is worth retrying.
 *
 * Guarantees: rows are sent in spool order, each batch until it is delivered or refused for good
 * (then dropped, counted and logged: a batch the destination can never take must not block the
 * rest); the cursor moves only after that, so a crash resends at most the batch in flight.
 */
import { Backoff, type BackoffPolicy } from '../lib/backoff.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { OutputHandle, OutputStatus } from './output.js';
import { SpoolCursor, type Spool, type SpoolKind, type SpoolRow } from './spool/index.js';
import { WakeSignal } from './wake-signal.js';

export interface DeliveryFailure {
  /** True when the same batch may go through later (network, timeout, 5xx); false: it never will. */
  readonly retryable: boolean;
  readonly message: string;
  /** Run `prepare` again before the next attempt (e.g. the database was dropped meanwhile). */
  readonly prepareAgain?: boolean;
  /** The destination has logged it already (with more detail than the runner could), so the runner does not. */
  readonly logged?: boolean;
}

export interface BatchDestination<P> {
  /** The output's name and spool destination. */
  readonly name: string;
  /** Only these row kinds (e.g. events only); all when undefined. */
  readonly kinds?: readonly SpoolKind[];
  /** What to send for a row; undefined skips it (it is acknowledged with its batch). */
  convert(row: SpoolRow): P | undefined;
  /** Delivers a batch; resolves once the destination has all of it. */
  send(batch: readonly P[]): Promise<void>;
  /** Why a send (or prepare) failed, and whether trying the same batch again can help. */
  failure(err: unknown): DeliveryFailure;
  /**
   * Set-up before the first batch (create a database, check rights) and again when a failure
   * asks for it; a rejection is handled like a failed send.
   */
  prepare?(): Promise<void>;
  /**
   * While the runner waits out the backoff after `failure`: may call `retryNow` to end the wait
   * early (a cheap probe saw the destination answer again). Returns how to stop watching.
   */
  whileWaiting?(failure: DeliveryFailure, delayMs: number, retryNow: () => void): (() => void) | undefined;
  /** Abandons a request in flight (stop() ran out of time); called once at the end of stop(). */
  close?(): void;
}

export interface RunnerOptions {
  /** Rows per batch at most. */
  readonly batchSize: number;
  /** A batch smaller than batchSize waits at most this long for more rows, ms. */
  readonly flushIntervalMs: number;
  readonly backoff: BackoffPolicy;
  /** How long stop() waits for the last batch, ms; default 5,000. */
  readonly stopGraceMs?: number;
  /** Jitter source for the backoff (tests). */
  readonly random?: () => number;
}

export interface RunnerDeps {
  readonly spool: Spool;
  readonly logger: Logger;
  /**
   * Real monotonic ms for the batch age (default performance.now). Not the plant clock: batching
   * is about the destination's I/O, and the plant clock may stand still or run 60 times faster.
   */
  readonly now?: () => number;
}

export class SpooledOutput<P> implements OutputHandle {
  readonly name: string;
  private readonly cursor: SpoolCursor;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private pending: P[] = [];
  /** Every row up to here is in `pending` or was skipped: acknowledged once `pending` is delivered. */
  private scannedTo: number;
  private firstPendingMono = 0;
  private up = true;
  /** The runner logged that the destination went down, so it logs when it comes back. */
  private outageLogged = false;
  private sent = 0;
  private errors = 0;
  private dropped = 0;
  private lastError: string | undefined;
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
    this.now = deps.now ?? (() => performance.now());
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
    return {
      name: this.name,
      up: this.up,
      sent: this.sent,
      errors: this.errors,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** Batches refused for good (their rows were dropped), in rows. */
  get droppedRows(): number {
    return this.dropped;
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
        this.errors++;
        this.lastError = `INTERNAL ${errorMessage(err)}`;
        this.log.error({ err: errorMessage(err) }, `${this.name} output failed unexpectedly; retrying`);
        await this.waitForWork(this.backoff.next(), false);
      }
    }
    // Stopping: one last attempt for what is pending, unless the destination is known to be down.
    if (this.up && this.prepared) {
      this.fill();
      if (this.pending.length > 0) await this.deliver();
      else this.acknowledge();
    }
  }

  private async step(): Promise<void> {
    if (!this.prepared) {
      await this.prepare();
      return;
    }
    this.fill();
    if (this.pending.length === 0) {
      this.acknowledge();
      await this.waitForWork(undefined);
      return;
    }
    if (this.pending.length < this.options.batchSize) {
      const waitMs = this.firstPendingMono + this.options.flushIntervalMs - this.now();
      if (waitMs > 0) {
        await this.waitForWork(waitMs);
        return;
      }
    }
    const failure = await this.deliver();
    if (failure?.retryable === true) await this.backOff(failure);
  }

  private async prepare(): Promise<void> {
    try {
      await this.destination.prepare?.();
    } catch (err) {
      const failure = this.destination.failure(err);
      this.errors++;
      this.lastError = failure.message;
      this.markDown(failure, `${this.name} could not be set up; retrying`);
      await this.backOff(failure);
      return;
    }
    this.prepared = true;
    this.markUp();
    this.backoff.reset();
  }

  /** Waits out the next backoff step; the destination may end it early (whileWaiting). */
  private async backOff(failure: DeliveryFailure): Promise<void> {
    if (failure.prepareAgain === true && this.destination.prepare !== undefined) this.prepared = false;
    const delay = this.backoff.next();
    this.nextAttemptAt = this.now() + delay;
    const stopWatching = this.destination.whileWaiting?.(failure, delay, () => this.wakeUp());
    await this.waitForWork(delay, false);
    stopWatching?.();
    this.nextAttemptAt = undefined;
  }

  /** Reads committed rows after the cursor into the batch, up to batchSize. */
  private fill(): void {
    while (this.pending.length < this.options.batchSize) {
      const limit = this.options.batchSize - this.pending.length;
      const { rows, scannedTo } = this.cursor.next(limit);
      for (const row of rows) {
        const item = this.destination.convert(row);
        if (item === undefined) continue;
        if (this.pending.length === 0) this.firstPendingMono = this.now();
        this.pending.push(item);
      }
      this.scannedTo = Math.max(this.scannedTo, scannedTo);
      if (rows.length < limit) return;
    }
  }

  /** Sends the pending batch once; undefined when delivered. */
  private async deliver(): Promise<DeliveryFailure | undefined> {
    const batch = this.pending;
    try {
      await this.destination.send(batch);
    } catch (err) {
      const failure = this.destination.failure(err);
      this.errors++;
      this.lastError = failure.message;
      if (failure.retryable) {
        this.markDown(failure, `${this.name} is not taking data; the spool keeps ${batch.length} rows and retries`);
        return failure;
      }
      // Never deliverable: drop it, or it would block everything behind it for good.
      this.dropped += batch.length;
      this.log.error({ rows: batch.length, err: failure.message }, `${this.name} refused a batch for good; dropped`);
      this.pending = [];
      this.acknowledge();
      return failure;
    }
    this.sent += batch.length;
    this.pending = [];
    this.acknowledge();
    this.backoff.reset();
    this.markUp();
    return undefined;
  }

  /** Down: said once per outage, unless the destination said it already. */
  private markDown(failure: DeliveryFailure, message: string): void {
    if (this.up && failure.logged !== true) {
      this.log.warn({ err: failure.message }, message);
      this.outageLogged = true;
    }
    this.up = false;
  }

  private markUp(): void {
    if (this.outageLogged) this.log.info(`${this.name} takes data again`);
    this.outageLogged = false;
    this.up = true;
  }

  private acknowledge(): void {
    if (this.pending.length === 0 && this.scannedTo > this.cursor.acked) this.cursor.ack(this.scannedTo);
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
