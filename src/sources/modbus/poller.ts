/**
 * Polls one device (one unit id) on a shared transport.
 *
 * Schedule: drift-free. Poll k is due at start + k * pollInterval; the next poll is planned from
 * that grid, not from when the last one finished. A poll still running when the next is due
 * makes the missed slots count as overruns; they are skipped, never queued.
 *
 * Comms (comms-rule.ts): a poll is answered only if at least one request returned data. The
 * device goes comms ok=false
 * - after FAILURES_BEFORE_LOST (2) failed polls (a request without any answer) since the last
 *   poll with data. One miss is tolerated because the values of the previous poll are then at
 *   most one interval older than usual, and a single dropped frame on a noisy RS-485 line must
 *   not cut a station's running interval with a comms_lost blip; two misses mean we no longer know;
 * - after `exceptionGrace` (default 3) polls answered only with exceptions (any code) since the
 *   last poll with data: the unit is on the wire but delivers nothing (exception 4 server device
 *   failure, 6 busy forever, every address refused). Health keeps `linkConnected: true` and
 *   shows `exceptionFault` with the code; /readyz and `lineside_device_up` read `connected`,
 *   which is false.
 * It goes ok=true on the first poll with data after that. Only transitions are sent, and each is
 * logged once (comms-log.ts), naming the device, unit, endpoint, request and cause.
 *
 * Failures (errors.ts `failureKind`):
 * - link (connect refused, connection lost): the cycle stops; the transport backs off.
 * - unit (timeout, bad reply, exception 0x0A/0x0B): the cycle stops; once comms are lost the
 *   unit is retried with its own exponential backoff (capped at backoffMax), so a dead unit
 *   costs the shared bus one timeout per backoff step, not one per poll.
 * - busy (exceptions 4/5/6/8/...): that request is answered with an exception this cycle (5/6
 *   first retried up to twice within the poll's budget, read-cycle.ts); the rest go on. A device
 *   answering quickly with exceptions is polled at its normal rate, so its recovery is seen on
 *   the first poll after it.
 * - config (exceptions 1/2/3): reported with tag names and addresses; a coalesced request is
 *   split into one request per tag to isolate the bad address, and a refused single request is
 *   retried only every `configErrorRetryMs` (60 s), never every poll (config-refusal.ts).
 *
 * Report by exception: see change-filter.ts. Every value is emitted again on the first good
 * read over a new connection and after comms were lost.
 */
import type { Device } from '../../config/schema.js';
import type { Clock, Sample, SampleSink } from '../../core/sample.js';
import { errorMessage, type LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { backoffDelayMs, DEFAULT_BACKOFF_INITIAL_MS } from '../../lib/backoff.js';
import { ChangeFilter } from './change-filter.js';
import { CommsRule, pollVerdict, type CommsTransition, type ExceptionAnswer, type PollVerdict } from './comms-rule.js';
import { logCommsTransition, type LoggedFault } from './comms-log.js';
import { refuseSlot, type RefusalContext, type Slot } from './config-refusal.js';
import { describeRead, failureKind, wasSent } from './errors.js';
import { HealthTracker, type ModbusDeviceHealth } from './health.js';
import type { ReadPlan } from './planner.js';
import { nextPoll } from './schedule.js';
import { performRead, type ReadContext, type ReadOutcome } from './read-cycle.js';
import type { ModbusTransport } from './transport.js';

export const FAILURES_BEFORE_LOST = 2;
export const CONFIG_ERROR_RETRY_MS = 60_000;

export interface PollerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
  /** How often a request the device refused with exception 1/2/3 is tried again, ms. */
  readonly configErrorRetryMs?: number;
  /** Pause before retrying after exception 5/6, ms; default pollInterval / 8, at most 100. */
  readonly busyRetryDelayMs?: number;
}

/** Default pause before retrying exception 5/6: two retries fit in a quarter of the poll interval. */
export function defaultBusyRetryDelayMs(pollIntervalMs: number): number {
  return Math.min(100, Math.max(1, Math.floor(pollIntervalMs / 8)));
}

export class DevicePoller {
  private readonly slots: Slot[];
  private readonly healthTracker: HealthTracker;
  private readonly filter = new ChangeFilter();
  private readonly context: ReadContext;
  private readonly refusal: RefusalContext;
  private readonly logger: Logger;
  private sink: SampleSink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private nextDueMs = 0;
  private retryAtMs = 0;
  private readonly rule: CommsRule;
  private lastConnectionId = -1;
  private readonly undecodable = new Set<string>();
  /** The request and code named in the "comms lost" log of an exception fault, for the recovery log. */
  private lastLoggedFault: LoggedFault | undefined;

  constructor(
    readonly device: Device,
    plan: ReadPlan,
    private readonly transport: ModbusTransport,
    private readonly options: PollerOptions,
  ) {
    this.slots = plan.reads.map((read) => ({ read, suppressedUntilMs: 0 }));
    this.healthTracker = new HealthTracker(device.id, transport.url, device.unitId);
    this.rule = new CommsRule({ failuresBeforeLost: FAILURES_BEFORE_LOST, exceptionGrace: device.exceptionGrace });
    this.logger = options.logger.child({ device: device.id });
    this.context = {
      transport,
      target: { device: device.id, endpoint: transport.url, unitId: device.unitId },
      timeoutMs: device.timeout,
      interRequestDelayMs: device.interRequestDelay,
      busyRetryDelayMs: options.busyRetryDelayMs ?? defaultBusyRetryDelayMs(device.pollInterval),
      onRetry: (error) => this.healthTracker.requestFailed(error, options.clock.wallMs(), true),
    };
    this.refusal = {
      logger: this.logger,
      configErrors: this.healthTracker.configErrors,
      retryMs: options.configErrorRetryMs ?? CONFIG_ERROR_RETRY_MS,
    };
  }

  start(sink: SampleSink): void {
    this.sink = sink;
    this.nextDueMs = performance.now();
    this.tick();
  }

  /** Stops scheduling; the cycle in flight (if any) ends when its request settles. */
  halt(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no cycle is running. */
  async settled(): Promise<void> {
    await this.running;
  }

  health(): ModbusDeviceHealth {
    const up = this.rule.ok === true;
    this.healthTracker.up = up;
    this.healthTracker.linkConnected = this.transport.connected;
    this.healthTracker.connected = this.transport.connected && up;
    return this.healthTracker.snapshot();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = performance.now();
    if (now < this.retryAtMs) {
      this.healthTracker.skippedPolls++;
      this.planNext();
      return;
    }
    this.healthTracker.pollStarted(now - this.nextDueMs);
    this.running = this.cycle()
      .catch((err: unknown) => this.logger.error({ err: errorMessage(err) }, 'modbus: poll cycle failed unexpectedly'))
      .finally(() => {
        this.running = undefined;
        this.planNext();
      });
  }

  private planNext(): void {
    if (this.stopped) return;
    const now = performance.now();
    const next = nextPoll(this.nextDueMs, now, this.device.pollInterval);
    this.healthTracker.overruns += next.missed;
    this.nextDueMs = next.dueMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextDueMs - now));
  }

  private async cycle(): Promise<void> {
    let data = 0;
    let split = false;
    const exceptions: ExceptionAnswer[] = [];
    let lastException: LinesideError | undefined;
    let failure: { error: LinesideError; kind: 'unit' | 'link' } | undefined;
    // Exception 5/6 retries must end before the next poll is due.
    const retryDeadlineMs = this.nextDueMs + this.device.pollInterval;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as Slot;
      if (slot.suppressedUntilMs > performance.now()) continue;
      const outcome = await performRead(this.context, slot.read, retryDeadlineMs);
      if (this.stopped) return;
      const wallMs = this.options.clock.wallMs();
      const monoMs = this.options.clock.monoMs();
      if (outcome.ok) {
        data++;
        this.healthTracker.requestSucceeded(outcome.reply.latencyMs);
        this.healthTracker.configErrors.delete(describeRead(slot.read));
        this.emit(outcome, wallMs, monoMs);
        continue;
      }
      const { error } = outcome;
      const kind = failureKind(error);
      this.healthTracker.requestFailed(error, wallMs, wasSent(error));
      if (kind === 'unit' || kind === 'link') {
        failure = { error, kind };
        break;
      }
      lastException = error;
      exceptions.push({ read: describeRead(slot.read), exceptionCode: Number(error.context.exceptionCode) });
      if (kind === 'config') {
        if (slot.read.tags.length > 1) split = true; // refuseSlot() replaces it with single reads
        i += refuseSlot(this.slots, i, error, wallMs, this.refusal);
        continue;
      }
      this.logger.debug({ err: error.toString() }, 'modbus: request answered with an exception, asked again next poll');
    }
    this.healthTracker.polls++;
    const verdict = pollVerdict({
      data,
      exceptions,
      split,
      ...(lastException !== undefined ? { lastException } : {}),
      ...(failure !== undefined ? { failure } : {}),
    });
    this.afterPoll(verdict);
  }

  private emit(outcome: Extract<ReadOutcome, { ok: true }>, wallMs: number, monoMs: number): void {
    if (outcome.reply.connectionId !== this.lastConnectionId) {
      this.filter.reset();
      this.lastConnectionId = outcome.reply.connectionId;
    }
    for (const { tag, result } of outcome.readings) {
      if (!result.ok) {
        this.healthTracker.decodeErrors++;
        if (!this.undecodable.has(tag.id)) {
          this.undecodable.add(tag.id);
          this.logger.warn(
            { tag: tag.id, address: tag.configuredAddress, reason: result.message },
            'modbus: value not decodable, not emitted',
          );
        }
        continue;
      }
      this.undecodable.delete(tag.id);
      if (!this.filter.offer(tag.id, result.value, tag.deadband)) continue;
      this.deliverSample({ tag: tag.id, value: result.value, ts: wallMs, mono: monoMs });
    }
  }

  /** Applies the comms rule to one poll's verdict: backoff, health, and the transition if any. */
  private afterPoll(verdict: PollVerdict): void {
    const transition = this.rule.observe(verdict);
    this.healthTracker.consecutiveFailures = this.rule.failures;
    this.healthTracker.exceptionOnlyPolls = this.rule.exceptionPolls;
    if (verdict.kind === 'data' || verdict.kind === 'exceptions') {
      // The unit answers (if only with exceptions): poll it at the normal rate.
      this.retryAtMs = 0;
    } else if (verdict.kind === 'failed' && verdict.failure === 'unit' && this.rule.failures >= FAILURES_BEFORE_LOST) {
      const attempt = this.rule.failures - FAILURES_BEFORE_LOST + 1;
      this.retryAtMs =
        performance.now() +
        backoffDelayMs(
          attempt,
          { initialMs: DEFAULT_BACKOFF_INITIAL_MS, maxMs: this.device.backoffMax },
          this.options.random,
        );
    }
    if (this.rule.cause === 'exceptions' && verdict.kind === 'exceptions') {
      // (Still) down because it answers only with exceptions: health says with which.
      const last = verdict.answers[verdict.answers.length - 1] as ExceptionAnswer;
      const since = this.healthTracker.exceptionFault?.sinceWallMs ?? this.options.clock.wallMs();
      this.healthTracker.exceptionFault = { exceptionCode: last.exceptionCode, read: last.read, sinceWallMs: since };
    } else if (this.rule.cause !== 'exceptions') {
      this.healthTracker.exceptionFault = undefined;
    }
    if (transition !== undefined) this.commsChanged(transition, verdict);
  }

  private commsChanged(transition: CommsTransition, verdict: PollVerdict): void {
    const where = { unitId: this.device.unitId, endpoint: this.transport.url };
    this.lastLoggedFault = logCommsTransition(this.logger, where, transition, verdict, this.lastLoggedFault);
    const clock = this.options.clock;
    if (transition.kind === 'up') {
      this.deliver(() =>
        this.sink?.comms({ device: this.device.id, ok: true, ts: clock.wallMs(), mono: clock.monoMs() }),
      );
      return;
    }
    this.filter.reset();
    this.deliver(() =>
      this.sink?.comms({
        device: this.device.id,
        ok: false,
        ts: clock.wallMs(),
        mono: clock.monoMs(),
        error: transition.error.toString(),
      }),
    );
  }

  /** The sink promises not to throw; if it does anyway, polling goes on. */
  /** deliver() without a closure per value: this runs for every value that changed. */
  private deliverSample(sample: Sample): void {
    try {
      this.sink?.sample(sample);
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'modbus: sample sink threw');
    }
  }

  private deliver(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'modbus: sample sink threw');
    }
  }
}
