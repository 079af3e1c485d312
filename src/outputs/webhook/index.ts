/**
 * Webhook delivery of alert events (docs/alerts.md, "Webhooks"): one sender per configured
 * webhook; `createWebhooks(config.alerts.webhooks, ...)` fans an alert event out to all of them.
 */
import type { AlertEvent } from '../../core/events.js';
import type { Logger } from '../../lib/logger.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import {
  createWebhookSender,
  type WebhookSender,
  type WebhookSenderOptions,
  type WebhookStats,
  type WebhookTarget,
} from './sender.js';

export { createWebhookSender };
export type { WebhookSender, WebhookSenderOptions, WebhookStats, WebhookTarget };
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
  send(event: AlertEvent): void;
  stats(): WebhookStats[];
  close(graceMs?: number): Promise<number>;
}

/** Senders for every configured webhook (config.alerts.webhooks: url, secret, minSeverity). */
export function createWebhooks(
  targets: readonly WebhookTarget[],
  deps: { logger: Logger; agentId?: string } & Partial<Omit<WebhookSenderOptions, 'target' | 'logger'>>,
): Webhooks {
  const senders: WebhookSender[] = targets.map((target) => createWebhookSender({ ...deps, target }));
  return {
    send: (event) => {
      for (const s of senders) s.send(event);
    },
    stats: () => senders.map((s) => s.stats()),
    name: 'webhooks',
    status: (): OutputStatus => {
      const all = senders.map((s) => s.stats());
      const lastError = all.find((s) => s.failing)?.lastError;
      return {
        name: 'webhooks',
        up: all.every((s) => !s.failing),
        sent: all.reduce((n, s) => n + s.delivered, 0),
        errors: all.reduce((n, s) => n + s.failed + s.dropped, 0),
        ...(lastError !== undefined ? { lastError } : {}),
      };
    },
    close: async (graceMs) => (await Promise.all(senders.map((s) => s.close(graceMs)))).reduce((a, b) => a + b, 0),
  };
}
