/**
 * The request headers of a report webhook: the configured extra ones, then Lineside's own, which
 * `reports.webhook.headers` may not replace (a cross-check says so at start-up; they are dropped
 * here too). The signature is `sha256=<hex HMAC-SHA256 of the exact body>` with the secret, as
 * the alert webhooks sign theirs (src/outputs/webhook/signature.ts).
 */
import { isReservedHeader } from '../../config/schema-reports.js';
import { DELIVERY_HEADER, signBody, SIGNATURE_HEADER } from '../../outputs/webhook/signature.js';

export interface HeaderSettings {
  readonly headers: Readonly<Record<string, string>>;
  readonly token?: string | undefined;
  readonly secret?: string | undefined;
}

/** All headers of one POST of `body` for report `id`. */
export function requestHeaders(
  settings: HeaderSettings,
  id: string,
  body: string,
  userAgent: string,
): Record<string, string> {
  const extra = Object.entries(settings.headers).filter(([name]) => !isReservedHeader(name));
  const { token, secret } = settings;
  return {
    ...Object.fromEntries(extra),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': userAgent,
    [DELIVERY_HEADER]: id,
    ...(token !== undefined && token !== '' ? { authorization: `Bearer ${token}` } : {}),
    ...(secret !== undefined && secret !== '' ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}),
  };
}
