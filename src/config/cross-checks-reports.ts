/**
 * Report delivery settings that a schema type cannot check alone: an enabled email delivery needs
 * a server, a sender and somebody to send to; recipients name real lines and look like addresses.
 * An enabled webhook needs an http(s) URL; its extra headers may not replace the ones Lineside
 * sets (content-type, authorization, x-lineside-*), and a "text" body has no room for the PDF.
 */
import type { Add, Config } from './cross-checks-common.js';
import { isReservedHeader } from './schema-reports.js';
import { formatDurationMs } from './duration.js';

/** "name@domain" or "Display Name <name@domain>": what nodemailer takes, without a full RFC 5322 parser. */
const ADDRESS = /^(?:[^<>@]*<\s*)?[^\s<>@",;]+@[^\s<>@",;]+\.[^\s<>@",;]+(?:\s*>)?$/;

export function isEmailAddress(text: string): boolean {
  return ADDRESS.test(text.trim());
}

export function checkReports(config: Config, add: Add): void {
  checkEmail(config, add);
  checkWebhook(config, add);
}

/** retryMax below retryMin would make the first retry the longest wait. */
function checkRetries(r: { retryMin?: number; retryMax?: number }, base: string[], add: Add): void {
  if (r.retryMin !== undefined && r.retryMax !== undefined && r.retryMax < r.retryMin)
    add(
      [...base, 'retryMax'],
      `must be at least retryMin (${formatDurationMs(r.retryMin)}); got ${formatDurationMs(r.retryMax)}`,
    );
}

function checkEmail(config: Config, add: Add): void {
  const email = config.reports?.email;
  if (email === undefined) return;
  const base = ['reports', 'email'];
  const lines = new Set((config.lines ?? []).map((l) => l?.id).filter((id) => id !== undefined));
  const to = (email.to ?? {}) as Record<string, (string | undefined)[] | undefined>;
  for (const [line, list] of Object.entries(to)) {
    if (config.lines !== undefined && !lines.has(line))
      add([...base, 'to', line], `"${line}" is not a line id (lines: ${[...lines].join(', ')})`);
    (list ?? []).forEach((a, i) => {
      if (typeof a === 'string' && !isEmailAddress(a)) add([...base, 'to', line, i], `"${a}" is not an email address`);
    });
  }
  (email.default ?? []).forEach((a, i) => {
    if (typeof a === 'string' && !isEmailAddress(a)) add([...base, 'default', i], `"${a}" is not an email address`);
  });
  if (typeof email.from === 'string' && !isEmailAddress(email.from))
    add([...base, 'from'], `"${email.from}" is not an email address`);
  checkRetries(email, base, add);
  if (email.enabled !== true) return;
  if (email.host === undefined) add([...base, 'host'], 'email delivery is enabled but no SMTP host is set');
  if (email.from === undefined) add([...base, 'from'], 'email delivery is enabled but no sender (from) is set');
  if (Object.keys(to).length === 0 && (email.default ?? []).length === 0)
    add([...base, 'to'], 'email delivery is enabled but nobody would get it: set to.<line> or default');
  if (email.password !== undefined && email.password !== '' && email.username === undefined)
    add([...base, 'username'], 'a password is set but no username');
}

function checkWebhook(config: Config, add: Add): void {
  const webhook = config.reports?.webhook;
  if (webhook === undefined) return;
  const base = ['reports', 'webhook'];
  for (const key of ['url', 'baseUrl'] as const) {
    const url = webhook[key];
    if (typeof url !== 'string') continue;
    if (!isHttpUrl(url)) add([...base, key], `"${url}" is not an http:// or https:// URL`);
  }
  for (const name of Object.keys(webhook.headers ?? {}))
    if (isReservedHeader(name))
      add(
        [...base, 'headers', name],
        `"${name}" is set by Lineside itself (content-type, authorization, x-lineside-*)`,
      );
  checkRetries(webhook, base, add);
  if (webhook.format === 'text' && webhook.attachPdf === true)
    add(
      [...base, 'attachPdf'],
      'a "text" webhook body has no room for the PDF: use format "lineside" or drop attachPdf',
    );
  if (webhook.enabled === true && webhook.url === undefined)
    add([...base, 'url'], 'webhook delivery is enabled but no url is set');
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
