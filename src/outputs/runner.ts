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
import type { BatchDestination, DeliveryFailure, RunnerOptions, SendResult } from './runner-contract.js';
import { SendsInFlight, type Send, type SendOutcome } from './sends-in-flight.js';
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

export class SpooledOutput<P> implements OutputHandle {
  readonly name: string;
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket | undefined;
  private readonly log: Logger;
  private readonly pending: PendingBatch<P>;
  private readonly sends = new SendsInFlight();
  private readonly maxSends: number;
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
  /** When rows were first committed that this output has not read yet (see readDelay). */
  private unreadSince: number | undefined;

  constructor(
    private readonly destination: BatchDestination<P>,
    private readonly deps: RunnerDeps,
    private readonly options: RunnerOptions,
  ) {
    this.name = destination.name;
    const cursor = new SpoolCursor(deps.spool, destination.name, destination.kinds);
    this.pending = new PendingBatch(cursor, (row) => destination.convert(row), options.batchSize);
    this.backoff = new Backoff(options.backoff, options.random);
    this.log = deps.logger.child({ component: destination.name });
    this.health = new DeliveryStatus(destination.name, this.log);
    this.now = deps.now ?? (() => performance.now());
    this.bucket = options.maxPerSecond === undefined ? undefined : new TokenBucket(options.maxPerSecond, this.now());
    this.prepared = destination.prepare === undefined;
    this.maxSends = Math.max(1, options.maxSendsInFlight ?? 1);
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
    await this.finish();
  }

  private async step(): Promise<void> {
    if (!this.prepared) {
      await this.prepare();
      return;
    }
    if (this.sends.head?.outcome !== undefined) {
      const failure = await this.takeHead();
      if (failure?.retryable === true) await this.backOff(failure);
      return;
    }
    const readInMs = this.readDelay();
    if (readInMs > 0) return this.waitForWork(readInMs);
    const atEnd = this.fill();
    const unsent = this.pending.length - this.sends.items;
    if (unsent > 0 && this.sends.size < this.maxSends) {
      const waitMs =
        atEnd && unsent < this.options.batchSize ? this.pending.firstAt + this.options.flushIntervalMs - this.now() : 0;
      if (waitMs > 0) return this.waitForWork(waitMs);
      const want = Math.min(unsent, this.options.batchSize);
      // Under the rate limit, wait for a tenth of a burst rather than waking for every token.
      const chunk = this.bucket === undefined ? 1 : Math.max(1, Math.ceil(this.bucket.burst / 10));
      const count = this.bucket === undefined ? want : this.bucket.takeUpTo(want, this.now(), chunk);
      if (count > 0) this.startSend(count);
      else await this.waitForWork(this.bucket?.waitMs(this.now(), Math.min(want, chunk)), false);
      return;
    }
    if (!atEnd && unsent === 0) {
      // The scan budget ran out on rows this destination skips: go on after other work.
      this.acknowledge();
      return yieldToEventLoop();
    }
    if (this.sends.size === 0) {
      this.acknowledge();
      return this.waitForWork(undefined);
    }
    // A send settling wakes this; so does a commit while there is room for another send.
    await this.waitForWork(undefined, this.sends.size < this.maxSends);
  }

  /** Stopping: the sends in flight settle (stop() bounds the wait), then one last send of what is left. */
  private async finish(): Promise<void> {
    while (this.sends.size > 0) {
      await this.sends.allSettled(() => this.waiter.wait(undefined, false));
      if ((await this.takeHead()) !== undefined) return;
    }
    // The rate limit aside, unless the destination is known to be down.
    if (!this.health.isUp || !this.prepared) return;
    this.fill();
    if (this.pending.length === 0) return this.acknowledge();
    this.startSend(Math.min(this.pending.length, this.options.batchSize));
    await this.sends.allSettled(() => this.waiter.wait(undefined, false));
    await this.takeHead();
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
   * How long to leave committed rows unread: while nothing waits to be sent and fewer than a batch
   * of them are committed, until the oldest has waited flushInterval. Read then, they are
   * converted and sent at once; read at every commit, they would sit converted for up to
   * flushInterval, which is long enough for V8 to promote them (10,000 InfluxDB lines a second
   * kept the major collector busy). A row waits no longer than before: from its commit.
   */
  private readDelay(): number {
    if (this.pending.length > this.sends.items || this.sends.size >= this.maxSends) return 0;
    const unread = this.deps.spool.lastCommittedId() - this.pending.scanned;
    if (unread <= 0) {
      this.unreadSince = undefined;
      return 0;
    }
    if (unread >= this.options.batchSize) return 0;
    this.unreadSince ??= this.now();
    return this.unreadSince + this.options.flushIntervalMs - this.now();
  }

  /** Reads more rows, so that up to batchSize items wait after those in flight; see PendingBatch.fill. */
  private fill(): boolean {
    const since = this.unreadSince ?? this.now();
    this.unreadSince = undefined;
    return this.pending.fill(this.sends.items + this.options.batchSize, since);
  }

  /** Starts sending the next `count` pending items after those in flight; its outcome wakes the loop. */
  private startSend(count: number): void {
    const items = this.pending.range(this.sends.items, count);
    const send = this.sends.add(count);
    const progress = (n: number): void => {
      if (n <= send.delivered || n > count) return;
      send.delivered = n;
      if (this.sends.head === send) this.pending.releaseThrough(n);
    };
    let sending: Promise<SendResult | void>;
    try {
      sending = this.destination.send(items, progress);
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.then(
      (result) => this.settled(send, { ok: true, refused: result?.refused ?? 0 }),
      (error: unknown) => this.settled(send, { ok: false, error }),
    );
  }

  private settled(send: Send, outcome: SendOutcome): void {
    send.outcome = outcome;
    this.wakeUp();
  }

  /** Takes the oldest send, which has settled; returns the failure if it failed. */
  private async takeHead(): Promise<DeliveryFailure | undefined> {
    const head = this.sends.head;
    const outcome = head?.outcome;
    if (head === undefined || outcome === undefined) return undefined;
    if (outcome.ok) {
      this.sends.shift();
      this.health.delivered(head.count, outcome.refused);
      this.pending.shift(head.count);
      const next = this.sends.head;
      if (next !== undefined) this.pending.releaseThrough(next.delivered);
      this.attempts = 0;
      this.acknowledge();
      this.backoff.reset();
      this.health.back();
      return undefined;
    }
    const failure = this.destination.failure(outcome.error, ++this.attempts);
    this.health.failed(failure);
    // What the head delivered stays delivered; every item after it is sent again, so the sends
    // after it are only waited for.
    await this.sends.allSettled(() => this.waiter.wait(undefined, false));
    this.sends.clear();
    this.pending.shift(head.delivered);
    if (failure.retryable) {
      this.health.down(
        failure,
        `${this.name} is not taking data; the spool keeps ${this.pending.length} rows and retries`,
      );
      return failure;
    }
    // Never deliverable: drop it, or it would block everything behind it for good.
    const rest = head.count - head.delivered;
    this.health.dropped += rest;
    if (failure.logged !== true)
      this.log.error({ rows: rest, err: failure.message }, `${this.name} refused a batch for good; dropped`);
    this.pending.shift(rest);
    this.attempts = 0;
    this.acknowledge();
    return failure;
  }

  private acknowledge(): void {
    this.pending.acknowledge();
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
