/**
 * Email delivery of line reports (docs/reports.md#delivery-by-email): the email channel of the
 * report delivery queue (../delivery/queue.ts has the retry, persistence and resume contract).
 * Its state file is each report folder's `delivery.json`, holding the recipients and the message
 * built when the report was made; the PDF is the folder's report.pdf, read when sending. A 5xx
 * rejection of the message fails at once: resending it would be rejected again.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { LinesideError } from '../../lib/errors.js';
import { DeliveryQueue, type DeliveryHealth, type DeliveryQueueOptions } from '../delivery/queue.js';
import type { DeliveryRecord, DeliveryState } from '../delivery/store.js';
import { reportMessage, type ReportMessage } from './message.js';
import { isRetryable, type EmailConfig, type SendMail } from './transport.js';

export const DELIVERY_FILE = 'delivery.json';

export interface EmailDeliveryOptions extends DeliveryQueueOptions {
  readonly config: Readonly<EmailConfig>;
  readonly send: SendMail;
}

/** What delivery.json holds besides the queue's fields. */
export interface EmailPayload {
  readonly to: readonly string[];
  readonly message: ReportMessage;
}

export type EmailState = DeliveryState;
export type EmailHealth = DeliveryHealth;
export type EmailRecord = DeliveryRecord<EmailPayload>;

export class EmailDelivery extends DeliveryQueue<EmailPayload> {
  constructor(options: EmailDeliveryOptions) {
    const { config, send } = options;
    const recipients = (line: string) => config.to[line] ?? config.default;
    super(options, {
      name: 'email',
      file: DELIVERY_FILE,
      failedCode: 'EMAIL_FAILED',
      payload: (_id, model) => {
        const to = recipients(model.line);
        return to.length === 0 ? undefined : { to, message: reportMessage(model, config.subjectPrefix) };
      },
      isPayload: (r) => Array.isArray(r.to),
      send: async (record, dir) => {
        if (config.from === undefined) throw new LinesideError('EMAIL_FAILED', 'reports.email.from is not set');
        const pdf = await readFile(path.join(dir, 'report.pdf'));
        await send({ from: config.from, to: record.to, ...record.message, pdf });
      },
      isRetryable,
      logFields: (record) => ({ to: record.to.length }),
    });
    this.recipients = recipients;
  }

  /** Recipients of a line's report: its own list, else the default list. */
  readonly recipients: (line: string) => readonly string[];
}
