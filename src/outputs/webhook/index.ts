/**
 * Webhook delivery of alert events (docs/alerts.md, "Webhooks"): each configured webhook is a
 * spool destination of its own, read by the generic runner with a WebhookDestination, so an alert
 * raised while a receiver is down (or the agent restarts) still arrives, and one dead receiver
 * does not hold up another.
 */
import type { Logger } from '../../lib/logger.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import { SpooledOutput } from '../runner.js';
import type { Spool } from '../spool/index.js';
import {
  WebhookDestination,
  webhookDestinationName,
  type WebhookStats,
  type WebhookTarget,
  type WebhookTuning,
} from './destination.js';

export type { WebhookStats, WebhookTarget, WebhookTuning };
export { webhookDestinationName };
export {
  signBody,
  verifySignature,
  redactUrl,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DELIVERY_HEADER,
  EVENT_HEADER,
} from './signature.js';

export interface Webhooks extends OutputHandle {
  start(): Promise<void>;
  /** Waits up to `graceMs` for the requests in flight; what is undelivered stays in the spool. */
  stop(): Promise<void>;
  stats(): WebhookStats[];
}

export interface WebhookOptions extends WebhookTuning {
  readonly spool: Spool;
  readonly logger: Logger;
  /** Agent id, sent in the body so one receiver can serve many lines. */
  readonly agentId?: string;
  /** Backoff between attempts, ms (default 1 s doubling to 60 s, with jitter). */
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  /** Uniform [0, 1) for jitter; injected so tests are deterministic. */
  readonly random?: () => number;
  /** How long stop() waits for requests in flight, ms (default 2,000). */
  readonly stopGraceMs?: number;
}

/** The spool destinations of the configured webhooks, in order. */
export function webhookDestinations(targets: readonly WebhookTarget[]): string[] {
  const urls = targets.map((t) => t.url);
  return urls.map((url, i) => webhookDestinationName(url, i, urls));
}

/** A runner per configured webhook (config.alerts.webhooks: url, secret, minSeverity). */
export function createWebhooks(targets: readonly WebhookTarget[], o: WebhookOptions): Webhooks {
  const names = webhookDestinations(targets);
  const destinations = targets.map(
    (target, i) => new WebhookDestination(names[i] ?? `webhook-${i}`, target, o.agentId, o.logger, o),
  );
  const runners = destinations.map(
    (d) =>
      new SpooledOutput(
        d,
        { spool: o.spool, logger: o.logger },
        {
          batchSize: 1,
          flushIntervalMs: 0,
          backoff: {
            initialMs: o.backoffMinMs ?? 1_000,
            maxMs: Math.max(o.backoffMinMs ?? 1_000, o.backoffMaxMs ?? 60_000),
          },
          stopGraceMs: o.stopGraceMs ?? 2_000,
          ...(o.random ? { random: o.random } : {}),
        },
      ),
  );
  return {
    name: 'webhooks',
    start: async () => {
      for (const r of runners) await r.start();
    },
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()));
    },
    stats: () => destinations.map((d) => d.stats()),
    status: (): OutputStatus => {
      const all = runners.map((r) => r.status());
      const lastError = all.find((s) => !s.up)?.lastError;
      return {
        name: 'webhooks',
        up: all.every((s) => s.up),
        sent: all.reduce((n, s) => n + s.sent, 0),
        errors: destinations.reduce((n, d) => n + d.stats().failed, 0),
        ...(lastError !== undefined ? { lastError } : {}),
      };
    },
  };
}
