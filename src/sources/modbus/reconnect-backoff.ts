/**
 * The transport's reconnect backoff: after a failed connect/open or a lost connection the next
 * attempt waits (exponential with jitter, capped); meanwhile requests fail fast with the last
 * connect error. The first failure after a good reply reconnects at once; a good reply resets it.
 */
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import type { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { backingOffError, type ReadSpan, type RequestTarget } from './errors.js';

export class ReconnectBackoff {
  private failures = 0;
  private nextConnectAtMs = 0;
  private lastConnectError: LinesideError | undefined;

  constructor(
    private readonly url: string,
    private readonly policy: BackoffPolicy,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly random: (() => number) | undefined,
  ) {}

  /** While backing off: the error to fail a request with instead of connecting; else undefined. */
  refusal(target: RequestTarget, span: ReadSpan): LinesideError | undefined {
    const waitMs = this.nextConnectAtMs - this.now();
    if (waitMs > 0 && this.lastConnectError !== undefined) {
      return backingOffError(target, span, this.lastConnectError, waitMs);
    }
    return undefined;
  }

  /** A connect/open failed or a connection was lost: count it, log it, plan the next attempt. */
  failed(error: LinesideError): void {
    this.failures++;
    this.lastConnectError = error;
    // The first failure after a good reply reconnects at once: a single dropped connection
    // (a switch hiccup, a PLC closing an idle socket) must not cost a poll. Backoff starts with
    // the second failure in a row.
    const delayMs = this.failures === 1 ? 0 : backoffDelayMs(this.failures - 1, this.policy, this.random);
    this.nextConnectAtMs = this.now() + delayMs;
    this.logger.warn(
      { endpoint: this.url, err: error.toString(), retryInMs: delayMs, failures: this.failures },
      'modbus: connection failed',
    );
  }

  /** A good reply. */
  reset(): void {
    this.failures = 0;
    this.nextConnectAtMs = 0;
    this.lastConnectError = undefined;
  }
}
