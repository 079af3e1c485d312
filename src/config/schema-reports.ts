import { z } from 'zod';
import { duration, Id, secretFields, TimeOfDay, Weekday } from './schema-primitives.js';

/** How a report delivery (email, webhook) retries: docs/reports.md#delivery-by-email. */
function retryFields() {
  return {
    retryMin: duration('1s', '1h', 'first retry after a failed delivery; doubles each time').prefault('30s'),
    retryMax: duration('1s', '1d', 'longest wait between retries').prefault('15m'),
    giveUpAfter: duration('1m', '30d', 'a delivery still failing this long after the report is marked failed').prefault(
      '24h',
    ),
  };
}

/** Email delivery of each line's report (docs/reports.md#delivery-by-email). */
export const ReportEmail = z.strictObject({
  enabled: z.boolean().default(false).describe('email each line report (PDF attached) to its recipients'),
  host: z.string().min(1).optional().describe('SMTP server host name or address'),
  port: z.int().min(1).max(65535).optional().describe('SMTP port; default 465 with secure, else 587'),
  secure: z.boolean().default(false).describe('implicit TLS from the first byte (usually port 465)'),
  requireTLS: z
    .boolean()
    .default(false)
    .describe('refuse to send unless the server offers STARTTLS (ports 587 and 25 with a relay that has TLS)'),
  username: z.string().min(1).optional().describe('SMTP AUTH user; omit for a relay without AUTH'),
  ...secretFields('password'),
  from: z.string().min(1).optional().describe('sender address, e.g. "Lineside <lineside@plant.example>"'),
  to: z
    .record(Id, z.array(z.string()).min(1))
    .default({})
    .describe('recipients per line id; a line not listed gets the default list'),
  default: z.array(z.string()).default([]).describe("recipients of every line's report that has no entry in `to`"),
  subjectPrefix: z.string().default('[Lineside]').describe('put before the subject'),
  rejectUnauthorized: z
    .boolean()
    .default(true)
    .describe("check the server's TLS certificate; false only for a plant relay with a self-signed one"),
  ca: z.string().optional().describe('PEM file of the CA that signed the server certificate'),
  ...retryFields(),
});

/** Headers a report webhook sets itself, which `reports.webhook.headers` may not replace. */
export function isReservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'content-type' || n === 'content-length' || n === 'authorization' || n.startsWith('x-lineside-');
}

/**
 * Webhook delivery of each line's report (docs/reports.md#delivery-by-webhook): a JSON POST per
 * report made, with its key figures and links, optionally signed and with the PDF inside.
 */
export const ReportWebhook = z.strictObject({
  enabled: z.boolean().default(false).describe('POST each line report to url'),
  url: z.string().min(1).optional().describe('http:// or https:// URL the report is POSTed to'),
  format: z
    .enum(['lineside', 'text'])
    .default('lineside')
    .describe('"lineside": the report as JSON; "text": {"text": ...} for Slack, Mattermost, Rocket.Chat and alike'),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), z.string())
    .default({})
    .describe('extra request headers, e.g. an API key'),
  ...secretFields('token'),
  ...secretFields('secret'),
  attachPdf: z.boolean().default(false).describe('put the PDF (base64) in the JSON body ("lineside" format)'),
  baseUrl: z
    .string()
    .optional()
    .describe(
      "the dashboard's address as the receiver reaches it, e.g. http://line1-pi:8080: gives absolute file links",
    ),
  rejectUnauthorized: z.boolean().default(true).describe("check the receiver's TLS certificate"),
  ca: z.string().optional().describe('PEM file of the CA that signed the receiver certificate'),
  timeout: duration('1s', '5m', 'a request without an answer this long fails (and is retried)').prefault('15s'),
  ...retryFields(),
});

/** A day's or week's report made by itself at a plant-local time (docs/reports.md#day-and-week-reports). */
export const ReportDaily = z.strictObject({
  enabled: z.boolean().default(false).describe("make each line's report of the previous day"),
  at: TimeOfDay.default('06:30').describe('plant-local time it is made (shifts.timezone)'),
});
export const ReportWeekly = z.strictObject({
  enabled: z.boolean().default(false).describe("make each line's report of the previous week (Monday to Sunday)"),
  day: Weekday.default('mon').describe('the day it is made on'),
  at: TimeOfDay.default('06:30').describe('plant-local time it is made (shifts.timezone)'),
});

/** End-of-shift reports (docs/reports.md): HTML, PDF and CSV files under `storage.dir/reports`. */
export const Reports = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe("write each line's report when a shift ends; POST /api/reports works either way"),
  retention: duration('1d', '3650d', 'report folders older than this are deleted; 1d to 3650d').prefault('90d'),
  email: ReportEmail.prefault({}),
  webhook: ReportWebhook.prefault({}),
  daily: ReportDaily.prefault({}),
  weekly: ReportWeekly.prefault({}),
});
