/**
 * What a webhook adds to the generic spooled-output runner (src/outputs/runner.ts): alert events
 * at or above the webhook's severity become signed JSON POSTs (later events of an alert that was
 * sent go out whatever their severity, so the receiver can close it), one request at a time so the
 * receiver sees them in order. Network errors, timeouts, 5xx, 408 and 429 are retried (the
 * receiver's Retry-After honoured up to the cap) up to `maxAttempts` per event; other 4xx are not
 * (the receiver said no). The event is dropped then, so a receiver that refuses or stays dead holds
 * the spool for at most one event's attempts. Logs never carry the secret or the URL's path.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent } from '../../core/events.js';
import { errorMessage, type LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { alertPayload, meetsSeverity, type Severity } from '../../predict/index.js';
import type { BatchDestination, DeliveryFailure } from '../runner-contract.js';
import type { SpoolKind, SpoolRow } from '../spool/index.js';
import { postWebhook } from './post.js';
import { redactUrl } from './signature.js';

export interface WebhookTarget {
  readonly url: string;
  readonly secret?: string;
  readonly minSeverity: Severity;
}

export interface WebhookTuning {
  readonly timeoutMs?: number;
  /** Attempts per event including the first (default 8: about 4 minutes with the default backoff). */
  readonly maxAttempts?: number;
  /** Wall clock for the timestamp header (default Date.now). */
  readonly nowMs?: () => number;
}

export interface WebhookStats {
  /** The spool destination of this webhook. */
  readonly destination: string;
  /** Scheme and host of the URL (never its path). */
  readonly webhook: string;
  readonly delivered: number;
  /** Events given up on (refused, or still failing after maxAttempts). */
  readonly failed: number;
  readonly retries: number;
  /** The last attempt failed (the receiver is down or refusing); false again after a delivery. */
  readonly failing: boolean;
  readonly lastError?: string;
}

interface Request {
  readonly event: AlertEvent;
  readonly body: string;
}

/** A failed POST, with what the receiver said. */
class PostFailedError extends Error {
  constructor(
    readonly error: LinesideError,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(error.toString());
  }
}

const REMEMBERED_ALERTS = 1000;

/**
 * The spool destination of a webhook: stable across restarts and reordering of the list (the
 * URL's digest, never the URL: its path often holds a token); `index` parts two identical URLs.
 */
export function webhookDestinationName(url: string, index: number, urls: readonly string[]): string {
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 12);
  const twin = urls.slice(0, index).filter((u) => u === url).length;
  return twin === 0 ? `webhook-${digest}` : `webhook-${digest}-${twin + 1}`;
}

export class WebhookDestination implements BatchDestination<Request> {
  readonly kinds: readonly SpoolKind[] = ['event'];
  readonly where: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  /** Alerts already sent: their later events (acknowledged, resolved, de-escalated) go out whatever their severity. */
  private readonly sentAlerts = new Set<string>();
  private abort: AbortController | undefined;
  private closed = false;
  private delivered = 0;
  private failed = 0;
  private retries = 0;
  private failing = false;
  private lastError: string | undefined;

  constructor(
    readonly name: string,
    private readonly target: WebhookTarget,
    private readonly agentId: string | undefined,
    private readonly log: Logger,
    tuning: WebhookTuning = {},
  ) {
    this.where = redactUrl(target.url);
    this.timeoutMs = tuning.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, tuning.maxAttempts ?? 8);
    this.now = tuning.nowMs ?? Date.now;
  }

  convert(row: SpoolRow): Request | undefined {
    if (row.kind !== 'event' || row.event.type !== 'alert') return undefined;
    const event = row.event;
    if (!meetsSeverity(event, this.target.minSeverity) && !this.sentAlerts.has(event.alertId)) return undefined;
    this.remember(event.alertId);
    const body = JSON.stringify({
      type: 'lineside.alert',
      ...(this.agentId !== undefined ? { agent: this.agentId } : {}),
      alert: alertPayload(event),
    });
    return { event, body };
  }

  async send(batch: readonly Request[]): Promise<void> {
    for (const request of batch) await this.post(request);
  }

  failure(err: unknown, attempt: number): DeliveryFailure {
    if (!(err instanceof PostFailedError)) {
      this.log.error(
        { code: 'INTERNAL', webhook: this.where, err: errorMessage(err) },
        'webhook sender failed unexpectedly',
      );
      return { retryable: attempt < this.maxAttempts, message: `INTERNAL ${errorMessage(err)}`, logged: true };
    }
    // Stopping cut the request short: the event stays in the spool for the next start.
    if (this.closed) return { retryable: true, message: err.message, logged: true };
    this.failing = true;
    this.lastError = err.message;
    const fields = { code: err.error.code, ...err.error.context, attempts: attempt };
    if (!err.retryable || attempt >= this.maxAttempts) {
      this.failed++;
      this.log.error(fields, `webhook delivery failed for good: ${err.error.message}`);
      return { retryable: false, message: err.message, logged: true };
    }
    this.retries++;
    this.log.warn(fields, `webhook delivery failed, retrying: ${err.error.message}`);
    return {
      retryable: true,
      message: err.message,
      logged: true,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }

  /** Ends a request in flight (the agent is stopping); the event stays in the spool. */
  close(): void {
    this.closed = true;
    this.abort?.abort();
  }

  stats(): WebhookStats {
    return {
      destination: this.name,
      webhook: this.where,
      delivered: this.delivered,
      failed: this.failed,
      retries: this.retries,
      failing: this.failing,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private async post(request: Request): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const outcome = await postWebhook(
        {
          url: this.target.url,
          ...(this.target.secret !== undefined ? { secret: this.target.secret } : {}),
          where: this.where,
          body: request.body,
          eventId: request.event.id,
          alertId: request.event.alertId,
          timeoutMs: this.timeoutMs,
          now: this.now,
        },
        abort,
        () => this.closed,
      );
      if (!outcome.ok) throw new PostFailedError(outcome.error, outcome.retryable, outcome.retryAfterMs);
      this.delivered++;
      this.failing = false;
    } finally {
      this.abort = undefined;
    }
  }

  private remember(alertId: string): void {
    this.sentAlerts.delete(alertId);
    this.sentAlerts.add(alertId);
    if (this.sentAlerts.size > REMEMBERED_ALERTS)
      this.sentAlerts.delete(this.sentAlerts.values().next().value as string);
  }
}
