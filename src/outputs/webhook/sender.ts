/**
 * Delivers alert events to one webhook: POST JSON, signed (signature.ts), one request in flight so
 * the receiver sees events in order, retries with capped exponential backoff and jitter on network
 * errors, timeouts, 5xx and 429 (honouring Retry-After up to the cap), gives up on other 4xx (the
 * receiver said no: retrying will not help). The queue is bounded: past `maxQueue` the oldest
 * waiting event is dropped and counted. Never throws into the caller, never logs the secret or the
 * URL's path (tokens live there).
 *
 * Webhooks are best effort on top of MQTT, which is the durable path (spooled): an event still
 * queued when the agent stops is lost, and `close()` says how many.
 */
import { backoffDelayMs } from '../../lib/backoff.js';
import type { Logger } from '../../lib/logger.js';
import type { AlertEvent } from '../../core/events.js';
import { alertPayload, meetsSeverity, type Severity } from '../../predict/index.js';
import { postWebhook, type PostOutcome } from './post.js';
import { redactUrl } from './signature.js';

export interface WebhookTarget {
  readonly url: string;
  readonly secret?: string;
  readonly minSeverity: Severity;
}

export interface WebhookSenderOptions {
  readonly target: WebhookTarget;
  readonly logger: Logger;
  /** Agent id, sent in the body so one receiver can serve many lines. */
  readonly agentId?: string;
  readonly timeoutMs?: number;
  /** Attempts per event including the first (default 8: about 4 minutes with the default backoff). */
  readonly maxAttempts?: number;
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  readonly maxQueue?: number;
  /** Uniform [0, 1) for jitter; injected so tests are deterministic. */
  readonly random?: () => number;
  /** Wall clock for the timestamp header (default Date.now). */
  readonly nowMs?: () => number;
}

export interface WebhookStats {
  readonly queued: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dropped: number;
  readonly retries: number;
  /** The last attempt failed (the receiver is down or refusing); false again after a delivery. */
  readonly failing: boolean;
  readonly lastError?: string;
}

export interface WebhookSender {
  /** Queues the event if it passes the severity filter; returns whether it was queued. */
  send(event: AlertEvent): boolean;
  stats(): WebhookStats;
  /** Stops retrying; waits up to `graceMs` for the request in flight. Resolves to the events left undelivered. */
  close(graceMs?: number): Promise<number>;
}

interface Pending {
  readonly event: AlertEvent;
  readonly body: string;
  attempts: number;
}

const REMEMBERED_ALERTS = 1000;

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  return new Sender(options);
}

class Sender implements WebhookSender {
  private readonly queue: Pending[] = [];
  private readonly where: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly maxQueue: number;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Alerts already sent: their later events (acknowledged, resolved, de-escalated) go out whatever their severity. */
  private readonly sentAlerts = new Set<string>();
  private inFlight: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | undefined;
  private closed = false;
  private delivered = 0;
  private failed = 0;
  private dropped = 0;
  private retries = 0;
  private lastError: string | undefined;
  private failing = false;

  constructor(private readonly o: WebhookSenderOptions) {
    this.where = redactUrl(o.target.url);
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 8);
    this.minMs = o.backoffMinMs ?? 1_000;
    this.maxMs = o.backoffMaxMs ?? 60_000;
    this.maxQueue = Math.max(1, o.maxQueue ?? 1000);
    this.random = o.random ?? Math.random;
    this.now = o.nowMs ?? Date.now;
  }

  send(event: AlertEvent): boolean {
    if (this.closed) return false;
    if (!meetsSeverity(event, this.o.target.minSeverity) && !this.sentAlerts.has(event.alertId)) return false;
    this.remember(event.alertId);
    if (this.queue.length >= this.maxQueue) {
      // Drop the oldest waiting event (never the one in flight, which is queue[0] while sending).
      const victim = this.queue.splice(this.inFlight !== undefined ? 1 : 0, 1)[0];
      this.dropped++;
      this.o.logger.warn(
        { code: 'NOT_AVAILABLE', webhook: this.where, dropped: victim?.event.id, maxQueue: this.maxQueue },
        'webhook queue full: oldest alert event dropped',
      );
    }
    const body = JSON.stringify({
      type: 'lineside.alert',
      ...(this.o.agentId !== undefined ? { agent: this.o.agentId } : {}),
      alert: alertPayload(event),
    });
    this.queue.push({ event, body, attempts: 0 });
    this.pump();
    return true;
  }

  private remember(alertId: string): void {
    this.sentAlerts.delete(alertId);
    this.sentAlerts.add(alertId);
    if (this.sentAlerts.size > REMEMBERED_ALERTS)
      this.sentAlerts.delete(this.sentAlerts.values().next().value as string);
  }

  private pump(): void {
    if (this.closed || this.inFlight !== undefined || this.timer !== undefined) return;
    const head = this.queue[0];
    if (head === undefined) return;
    this.inFlight = this.attempt(head).finally(() => {
      this.inFlight = undefined;
      this.pump();
    });
  }

  private async attempt(p: Pending): Promise<void> {
    try {
      await this.attemptOnce(p);
    } catch (err) {
      // Only a bug can land here (post() catches every I/O failure): drop the event rather than
      // retry it in a tight loop, and say so.
      if (this.queue[0] === p) this.queue.shift();
      this.failed++;
      this.lastError = String(err);
      this.o.logger.error(
        { code: 'INTERNAL', webhook: this.where, event: p.event.id, err: String(err) },
        'webhook sender failed unexpectedly; event dropped',
      );
    }
  }

  private async attemptOnce(p: Pending): Promise<void> {
    p.attempts++;
    const outcome = await this.post(p);
    if (outcome.ok) {
      this.queue.shift();
      this.delivered++;
      this.failing = false;
      return;
    }
    this.failing = true;
    this.lastError = outcome.error.toString();
    // Stopped while this was in flight: it stays queued and is reported as undelivered by close().
    if (this.closed) return;
    if (!outcome.retryable || p.attempts >= this.maxAttempts) {
      this.queue.shift();
      this.failed++;
      this.o.logger.error(
        { code: outcome.error.code, ...outcome.error.context, attempts: p.attempts },
        `webhook delivery failed for good: ${outcome.error.message}`,
      );
      return;
    }
    this.retries++;
    const delay = this.backoff(p.attempts, outcome.retryAfterMs);
    this.o.logger.warn(
      { code: outcome.error.code, ...outcome.error.context, attempts: p.attempts, retryInMs: delay },
      `webhook delivery failed, retrying: ${outcome.error.message}`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
  }

  /** The agent's one backoff (src/lib/backoff.ts); Retry-After wins when it is longer (up to the cap). */
  private backoff(attempts: number, retryAfterMs: number | undefined): number {
    const delay = backoffDelayMs(attempts, { initialMs: this.minMs, maxMs: this.maxMs }, this.random);
    return retryAfterMs !== undefined ? Math.min(this.maxMs, Math.max(delay, retryAfterMs)) : delay;
  }

  private async post(p: Pending): Promise<PostOutcome> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      return await postWebhook(
        {
          url: this.o.target.url,
          ...(this.o.target.secret !== undefined ? { secret: this.o.target.secret } : {}),
          where: this.where,
          body: p.body,
          eventId: p.event.id,
          alertId: p.event.alertId,
          timeoutMs: this.timeoutMs,
          now: this.now,
        },
        abort,
        () => this.closed,
      );
    } finally {
      this.abort = undefined;
    }
  }

  stats(): WebhookStats {
    return {
      queued: this.queue.length,
      delivered: this.delivered,
      failed: this.failed,
      dropped: this.dropped,
      retries: this.retries,
      failing: this.failing,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  async close(graceMs = 2_000): Promise<number> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const flight = this.inFlight;
    if (flight !== undefined) {
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => {
        graceTimer = setTimeout(() => {
          this.abort?.abort();
          resolve();
        }, graceMs);
      });
      await Promise.race([flight, grace]);
      clearTimeout(graceTimer);
      await flight.catch(() => undefined);
    }
    const left = this.queue.length;
    if (left > 0)
      this.o.logger.warn(
        { code: 'NOT_AVAILABLE', webhook: this.where, undelivered: left },
        'webhook sender stopped with alert events undelivered',
      );
    this.queue.length = 0;
    return left;
  }
}
