/**
 * The email delivery's persistent queue: one `delivery.json` beside each report's files holding
 * what to send (recipients, subject, bodies; the PDF is the folder's report.pdf) and how it went.
 * A pending entry found at start-up is sent on, so a delivery survives an agent restart; the
 * folder's retention removes it with the report. Written to a temporary name and renamed, so a
 * power cut leaves the old state or the new one, never half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReportMessage } from './message.js';

export const DELIVERY_FILE = 'delivery.json';

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** What `GET /api/reports` shows of a report's email (docs/reports.md#delivery-by-email). */
export interface EmailState {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** "CODE message" of the latest failed attempt. */
  readonly lastError?: string;
  /** Wall ms. */
  readonly sentAt?: number;
}

export interface DeliveryRecord extends EmailState {
  readonly id: string;
  readonly to: readonly string[];
  readonly message: ReportMessage;
  /** When the first attempt was queued, wall ms (gives up `giveUpAfter` later). */
  readonly queuedAt: number;
  /** When the next attempt is due, wall ms (pending only). */
  readonly nextAt?: number;
}

export async function writeDelivery(dir: string, record: DeliveryRecord): Promise<void> {
  const tmp = path.join(dir, `.${DELIVERY_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(record));
  await rename(tmp, path.join(dir, DELIVERY_FILE));
}

/** The folder's delivery record, or undefined (none, or unreadable: then nothing is resent). */
export async function readDelivery(dir: string): Promise<DeliveryRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(path.join(dir, DELIVERY_FILE), 'utf8')) as DeliveryRecord;
    return typeof r.status === 'string' && Array.isArray(r.to) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The public part of a record (no bodies, no recipients). */
export function emailState(r: DeliveryRecord): EmailState {
  return {
    status: r.status,
    attempts: r.attempts,
    ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
    ...(r.sentAt !== undefined ? { sentAt: r.sentAt } : {}),
  };
}
