/**
 * Webhook delivery of line reports (docs/reports.md#delivery-by-webhook): the webhook channel of
 * the report delivery queue (../delivery/queue.ts has the retry, persistence and resume
 * contract). Its state file is each report folder's `webhook.json`, holding the JSON body built
 * when the report was made; with `attachPdf` the folder's report.pdf is put in when sending. The
 * report id goes along as x-lineside-delivery, so a receiver can drop the duplicate a retry after
 * a lost answer makes.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { DeliveryQueue, type DeliveryQueueOptions } from '../delivery/queue.js';
import { linesidePayload, pdfAttachment, textPayload } from './payload.js';
import { isRetryable, retryAfterMs, type SendWebhook, type WebhookConfig } from './transport.js';

export const WEBHOOK_FILE = 'webhook.json';

export interface WebhookDeliveryOptions extends DeliveryQueueOptions {
  readonly config: Readonly<WebhookConfig>;
  readonly send: SendWebhook;
}

/** What webhook.json holds besides the queue's fields: the body, without the PDF. */
export interface WebhookPayload {
  readonly body: Record<string, unknown>;
}

export class WebhookDelivery extends DeliveryQueue<WebhookPayload> {
  constructor(options: WebhookDeliveryOptions) {
    const { config, send } = options;
    const attachPdf = config.attachPdf && config.format === 'lineside';
    super(options, {
      name: 'webhook',
      file: WEBHOOK_FILE,
      failedCode: 'WEBHOOK_FAILED',
      payload: (id, model) => ({
        body: { ...(config.format === 'text' ? textPayload(model) : linesidePayload(id, model, config.baseUrl)) },
      }),
      isPayload: (r) => typeof r.body === 'object' && r.body !== null,
      send: async (record, dir) => {
        const pdf = attachPdf ? pdfAttachment(await readFile(path.join(dir, 'report.pdf'))) : undefined;
        await send({ id: record.id, body: JSON.stringify(pdf !== undefined ? { ...record.body, pdf } : record.body) });
      },
      isRetryable,
      retryAfterMs,
    });
  }
}
