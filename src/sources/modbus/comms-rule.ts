/**
 * Whether a device is up, decided after every poll cycle. Pure: the poller feeds it one verdict
 * per poll and acts on the transitions it returns (comms change to the core, one log line).
 *
 * A poll is **answered** only if at least one request returned data. Exception responses prove a
 * unit is on the wire, but a PLC that answers every read with exception 4 (server device failure)
 * or 6 (busy) for minutes delivers nothing: its stations must not keep showing the last values as
 * if live. So:
 *
 * - `data`: at least one request returned data. Both counters reset; the device is up (a device
 *   where some reads succeed is up, whatever the others answer).
 * - `failed`: a request got no answer at all (timeout, bad reply, exception 0x0A/0x0B, connection
 *   down). After `failuresBeforeLost` such polls without a poll with data in between, down.
 * - `exceptions`: requests were answered, every one of them with an exception (any code, after
 *   the busy retries of read-cycle.ts). After `exceptionGrace` such polls without a poll with data
 *   in between, down, with the exception as the cause.
 * - `idle`: nothing decided (no request was sent because all rest after a configuration error,
 *   or the only answers were the refusal that made a coalesced read split into single reads,
 *   which are asked from the next poll on). Counters unchanged.
 *
 * Both counters run since the last poll with data (a mix of timeouts and exceptions never
 * keeps a device up: it goes down after at most `exceptionGrace + failuresBeforeLost - 1` polls
 * without data). The first poll with data after a loss restores it.
 */
import type { LinesideError } from '../../lib/errors.js';

/** One request the device answered with an exception, in a poll without data. */
export interface ExceptionAnswer {
  /** "read holding 0..9" */
  readonly read: string;
  readonly exceptionCode: number;
}

export type PollVerdict =
  | { readonly kind: 'data' }
  | { readonly kind: 'failed'; readonly error: LinesideError; readonly failure: 'unit' | 'link' }
  | { readonly kind: 'exceptions'; readonly error: LinesideError; readonly answers: readonly ExceptionAnswer[] }
  | { readonly kind: 'idle' };

/** What one poll's requests came to, as the poller counts them. */
export interface PollTally {
  /** Requests that returned data. */
  readonly data: number;
  /** Requests answered with an exception (after busy retries), in order. */
  readonly exceptions: readonly ExceptionAnswer[];
  /** The last exception error (for the comms change and the log). */
  readonly lastException?: LinesideError;
  /** A request that got no answer; the cycle stopped there. */
  readonly failure?: { readonly error: LinesideError; readonly kind: 'unit' | 'link' };
  /** A coalesced read was refused and split into single reads this poll. */
  readonly split: boolean;
}

/** The verdict of one poll from its tally. A request without any answer fails the poll, even after data. */
export function pollVerdict(tally: PollTally): PollVerdict {
  if (tally.failure !== undefined) return { kind: 'failed', error: tally.failure.error, failure: tally.failure.kind };
  if (tally.data > 0) return { kind: 'data' };
  if (tally.split || tally.lastException === undefined || tally.exceptions.length === 0) return { kind: 'idle' };
  return { kind: 'exceptions', error: tally.lastException, answers: tally.exceptions };
}

/** Why a device is down. */
export type DownCause = 'no-answer' | 'exceptions';

export type CommsTransition =
  /** The device just went down (send comms ok=false). */
  | { readonly kind: 'down'; readonly cause: DownCause; readonly error: LinesideError; readonly polls: number }
  /** The device answers with data: first time (`after` undefined) or after being down. */
  | { readonly kind: 'up'; readonly after?: DownCause; readonly pollsWithoutData: number };

export interface CommsRuleOptions {
  /** Failed polls (no answer at all) after which the device is down. */
  readonly failuresBeforeLost: number;
  /** Polls answered only with exceptions after which the device is down. */
  readonly exceptionGrace: number;
}

export class CommsRule {
  /** undefined until the first transition. */
  ok: boolean | undefined;
  /** Failed polls since the last poll with data. */
  failures = 0;
  /** Polls answered only with exceptions since the last poll with data. */
  exceptionPolls = 0;
  /** While down: why, as of the last poll that decided anything. */
  cause: DownCause | undefined;

  constructor(readonly options: CommsRuleOptions) {
    if (!(Number.isInteger(options.exceptionGrace) && options.exceptionGrace >= 1))
      throw new RangeError(`exceptionGrace must be an integer >= 1, got ${options.exceptionGrace}`);
    if (!(Number.isInteger(options.failuresBeforeLost) && options.failuresBeforeLost >= 1))
      throw new RangeError(`failuresBeforeLost must be an integer >= 1, got ${options.failuresBeforeLost}`);
  }

  /** Polls without data since the last poll with data. */
  get pollsWithoutData(): number {
    return this.failures + this.exceptionPolls;
  }

  observe(verdict: PollVerdict): CommsTransition | undefined {
    switch (verdict.kind) {
      case 'idle':
        return undefined;
      case 'data': {
        const wasOk = this.ok;
        const after = this.cause;
        const pollsWithoutData = this.pollsWithoutData;
        this.failures = 0;
        this.exceptionPolls = 0;
        this.cause = undefined;
        this.ok = true;
        if (wasOk === true) return undefined;
        return { kind: 'up', ...(after !== undefined ? { after } : {}), pollsWithoutData };
      }
      case 'failed':
        this.failures++;
        if (this.ok === false) {
          this.cause = 'no-answer';
          return undefined;
        }
        if (this.failures < this.options.failuresBeforeLost) return undefined;
        return this.down('no-answer', verdict.error);
      case 'exceptions':
        this.exceptionPolls++;
        if (this.ok === false) {
          // Still down; it answers again, only not with data.
          if (this.exceptionPolls >= this.options.exceptionGrace) this.cause = 'exceptions';
          return undefined;
        }
        if (this.exceptionPolls < this.options.exceptionGrace) return undefined;
        return this.down('exceptions', verdict.error);
    }
  }

  private down(cause: DownCause, error: LinesideError): CommsTransition {
    this.ok = false;
    this.cause = cause;
    return { kind: 'down', cause, error, polls: this.pollsWithoutData };
  }
}
