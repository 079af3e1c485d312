/**
 * Webhook signatures: HMAC-SHA256 over the raw request body with the webhook's shared secret,
 * sent as `X-Lineside-Signature: sha256=<hex>` (the GitHub convention, so existing receivers and
 * proxies know it). Receivers recompute it over the bytes they received, before parsing JSON, and
 * compare in constant time; `X-Lineside-Timestamp` lets them refuse stale replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-lineside-signature';
export const TIMESTAMP_HEADER = 'x-lineside-timestamp';
export const DELIVERY_HEADER = 'x-lineside-delivery';
export const EVENT_HEADER = 'x-lineside-event';

/** "sha256=<hex>" for the body. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a received signature header against the body (for receivers and tests). */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header.trim());
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** What may appear in logs for a webhook URL: scheme and host only (paths and queries often carry tokens). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid url)';
  }
}
