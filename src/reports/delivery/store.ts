/**
 * A delivery channel's persistent queue: one state file beside each report's files (email:
 * `delivery.json`, webhook: `webhook.json`) holding what to send (built from the report when it
 * was made; the PDF is the folder's report.pdf, read at send time) and how it went. A pending
 * entry found at start-up is sent on, so a delivery survives an agent restart; the folder's
 * retention removes it with the report. Written to a temporary name and renamed, so a power cut
 * leaves the old state or the new one, never half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { DeliveryState } from '../types.js';

export type { DeliveryState, DeliveryStatus } from '../types.js';

/** The record in the state file: the channel's payload fields beside the queue's own. */
export type DeliveryRecord<P extends object> = DeliveryState &
  P & {
    readonly id: string;
    /** When the first attempt was queued, wall ms (gives up `giveUpAfter` later). */
    readonly queuedAt: number;
    /** When the next attempt is due, wall ms (pending only). */
    readonly nextAt?: number;
  };

export async function writeDelivery(dir: string, file: string, record: object): Promise<void> {
  const tmp = path.join(dir, `.${file}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(record));
  await rename(tmp, path.join(dir, file));
}

/**
 * The folder's record, or undefined (none, unreadable, or without the payload `isPayload` wants:
 * then nothing is resent).
 */
export async function readDelivery<P extends object>(
  dir: string,
  file: string,
  isPayload: (r: Record<string, unknown>) => boolean,
): Promise<DeliveryRecord<P> | undefined> {
  try {
    const r = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    return typeof r.status === 'string' && isPayload(r) ? (r as DeliveryRecord<P>) : undefined;
  } catch {
    return undefined;
  }
}

/** The public part of a record (no payload: no bodies, no recipients). */
export function deliveryState(r: DeliveryState): DeliveryState {
  return {
    status: r.status,
    attempts: r.attempts,
    ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
    ...(r.sentAt !== undefined ? { sentAt: r.sentAt } : {}),
  };
}
