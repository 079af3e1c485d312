/**
 * Report webhooks to a real HTTP(S) receiver (node:http on a loopback port): a simulated shift on
 * the real core, history and routes makes the early shift's report by itself; the POST carries
 * /api/oee's figures for that shift, a signature the receiver can verify with the shared secret,
 * and the report.pdf on disk byte for byte. A 503 is retried and the report arrives once; a 400
 * fails at once and shows in GET /api/reports and /readyz; a pending webhook survives a restart;
 * HTTPS works with a self-signed certificate given as `ca`, and without it is WEBHOOK_TLS.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OeeFigures } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { reportDir } from '../../../src/reports/files.js';
import { buildReport } from '../../../src/reports/model.js';
import { WebhookDelivery } from '../../../src/reports/webhook/delivery.js';
import { httpTransport, type WebhookConfig } from '../../../src/reports/webhook/transport.js';
import { selfSignedCert, type SelfSignedCert } from '../../helpers/certs.js';
import { freePort } from '../../helpers/ports.js';
import { input, T0 } from '../../unit/reports/fixtures.js';
import { type ManualClock, OPERATOR_TOKEN } from '../server/support/harness.js';
import { startReportRig } from './support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECRET = 'receiver-shared-secret';
const TOKEN = 'receiver-api-token';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A real HTTP(S) receiver: answers the n-th request (1-based) with `answer(n)`, keeps every request. */
async function startReceiver(answer: (n: number) => Answer, tls?: { cert: string; key: string }) {
  const requests: Received[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
      const a = answer(requests.length);
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  };
  const server = tls
    ? https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler)
    : http.createServer(handler);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/hooks/lineside`, requests };
}

function webhookConfig(url: string, extra: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    enabled: true,
    url,
    format: 'lineside',
    headers: { 'X-Api-Key': 'key-1' },
    token: TOKEN,
    secret: SECRET,
    attachPdf: true,
    baseUrl: 'http://line1-pi:8080',
    rejectUnauthorized: true,
    timeout: 5_000,
    retryMin: 200,
    retryMax: 1_000,
    giveUpAfter: 3_600_000,
    ...extra,
  };
}

async function setup(config: WebhookConfig) {
  const delivery = (cfg: WebhookConfig, root: string, clock: ManualClock) =>
    new WebhookDelivery({ config: cfg, clock, logger: silentLogger, root, send: httpTransport(cfg) });
  const rig = await startReportRig(cleanups, { webhook: (root, clock) => delivery(config, root, clock) });
  // Past 14:00 Berlin: the early shift ends and its report is made.
  rig.line.run(61 * 60);
  await vi.waitFor(() => expect(rig.reports.health().generated).toBe(1), { timeout: 20_000 });
  return { ...rig, restarted: (cfg: WebhookConfig) => delivery(cfg, rig.root, rig.clock) };
}

interface ReportItem {
  id: string;
  webhook?: { status: string; attempts: number; lastError?: string; sentAt?: string };
}

async function listed(app: Awaited<ReturnType<typeof setup>>['app']): Promise<ReportItem[]> {
  const res = await app.inject({ url: '/api/reports', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return (res.json() as { reports: ReportItem[] }).reports;
}

/** Lets a retry that should not come have its chance: longer than retryMax. */
const longerThanRetryMax = () => new Promise((r) => setTimeout(r, 1_500));

describe('report webhooks to a real HTTP receiver', () => {
  it('POST the shift report with /api/oee’s figures, a valid signature and the PDF on disk', async () => {
    const receiver = await startReceiver(() => ({ status: 204 }));
    const { app, root } = await setup(webhookConfig(receiver.url));
    await vi.waitFor(() => expect(receiver.requests).toHaveLength(1), { timeout: 15_000 });
    await vi.waitFor(async () => expect((await listed(app))[0]?.webhook?.status).toBe('sent'));
    const [item] = await listed(app);
    const id = item?.id ?? '';
    expect(item?.webhook).toMatchObject({ status: 'sent', attempts: 1 });
    expect(item?.webhook?.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const { headers, body } = receiver.requests[0] as Received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toMatch(/^lineside\/\d+\.\d+\.\d+/);
    expect(headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(headers['x-api-key']).toBe('key-1');
    expect(headers['x-lineside-delivery']).toBe(id);
    // What a receiver does: the HMAC of the raw bytes, before parsing.
    const hmac = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(headers['x-lineside-signature']).toBe(`sha256=${hmac}`);

    const api = (await app.inject('/api/oee?line=line1&shift=early')).json() as { final: boolean; figures: OeeFigures };
    expect(api.final).toBe(true);
    const report = JSON.parse(body.toString('utf8')) as {
      type: string;
      id: string;
      line: string;
      period: { kind: string; shift?: string };
      final: boolean;
      figures: Record<string, number>;
      files: { name: string; url: string }[];
      pdf: { name: string; contentType: string; base64: string };
    };
    expect(report).toMatchObject({ type: 'lineside.report', id, line: 'line1', final: true });
    expect(report.period).toMatchObject({ kind: 'shift', shift: 'early' });
    expect(report.figures).toMatchObject({
      oee: api.figures.oee,
      availability: api.figures.availability,
      performance: api.figures.performance,
      quality: api.figures.quality,
      good: api.figures.counts.good,
      reject: api.figures.counts.reject,
      total: api.figures.counts.total,
      plannedMs: api.figures.plannedTimeMs,
      runMs: api.figures.runTimeMs,
      downMs: api.figures.downtimeMs,
    });
    expect(report.files).toContainEqual({
      name: 'report.pdf',
      url: `http://line1-pi:8080/api/reports/${id}/report.pdf`,
    });
    const folder = path.join(root, 'line1', id.slice('line1.'.length));
    expect(report.pdf).toMatchObject({ name: 'report.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(report.pdf.base64, 'base64').equals(readFileSync(path.join(folder, 'report.pdf')))).toBe(true);
    // The link works on the agent.
    const pdf = await app.inject({
      url: `/api/reports/${id}/report.pdf`,
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(pdf.statusCode).toBe(200);
  });

  it('retry a 503 and deliver once when the receiver takes it', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? { status: 503, body: 'maintenance' } : { status: 200 }));
    const { app, webhook } = await setup(webhookConfig(receiver.url));
    await vi.waitFor(async () => expect((await listed(app))[0]?.webhook?.status).toBe('sent'), { timeout: 15_000 });
    await longerThanRetryMax();
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    // The same delivery id both times: a receiver that took the first could drop the second.
    expect(second?.headers['x-lineside-delivery']).toBe(first?.headers['x-lineside-delivery']);
    expect(second?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
    expect((await listed(app))[0]?.webhook).toMatchObject({ status: 'sent', attempts: 2 });
    expect(webhook?.health()).toMatchObject({ sent: 1, failedAttempts: 1, failing: false, pending: 0 });
  });

  it('fail a 400 at once, with no retry, in GET /api/reports and /readyz', async () => {
    const receiver = await startReceiver(() => ({ status: 400, body: '{"error":"unknown channel"}' }));
    const { app } = await setup(webhookConfig(receiver.url));
    await vi.waitFor(async () => expect((await listed(app))[0]?.webhook?.status).toBe('failed'), { timeout: 15_000 });
    await longerThanRetryMax();
    expect(receiver.requests).toHaveLength(1);
    const [item] = await listed(app);
    expect(item?.webhook).toMatchObject({ status: 'failed', attempts: 1 });
    expect(item?.webhook?.lastError).toMatch(/^WEBHOOK_HTTP .*HTTP 400: \{"error":"unknown channel"\}/);
    const listedText = JSON.stringify(await listed(app));
    expect(listedText).not.toContain(TOKEN);
    expect(listedText).not.toContain(SECRET);
    expect(listedText).not.toContain('/hooks/lineside'); // the URL's path may itself be a secret

    const ready = (await app.inject('/readyz')).json() as { outputs: { name: string; up: boolean; detail?: string }[] };
    const out = ready.outputs.find((o) => o.name === 'reports-webhook');
    expect(out?.up).toBe(false);
    expect(out?.detail).toMatch(/^WEBHOOK_HTTP /);
  });

  it('keep a pending webhook across a restart and deliver it once after', async () => {
    let down = true;
    const receiver = await startReceiver(() => (down ? { status: 502 } : { status: 200 }));
    // A retry a minute away: the agent stops before it.
    const slow = webhookConfig(receiver.url, { retryMin: 60_000, retryMax: 60_000 });
    const { app, reports, clock, restarted } = await setup(slow);
    await vi.waitFor(async () => expect((await listed(app))[0]?.webhook?.attempts).toBe(1), { timeout: 15_000 });
    const [item] = await listed(app);
    expect(item?.webhook).toMatchObject({ status: 'pending' });
    expect(item?.webhook?.lastError).toMatch(/^WEBHOOK_HTTP .*HTTP 502/);

    // The agent stops (the service closes its deliveries), the minute passes, and it starts again.
    await reports.close();
    down = false;
    clock.advance(60_000);
    const again = restarted(slow);
    cleanups.push(() => again.close());
    await again.resume();
    await vi.waitFor(async () => expect((await again.state(item?.id ?? ''))?.status).toBe('sent'), { timeout: 15_000 });
    expect(await again.state(item?.id ?? '')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('report webhooks over HTTPS', () => {
  let certs: SelfSignedCert;
  beforeAll(() => {
    certs = selfSignedCert('lineside-webhook-tls-');
    return () => certs.remove();
  });

  it('go out when the self-signed certificate is the ca, and are held as WEBHOOK_TLS without it', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }), certs);
    const post = async (extra: Partial<WebhookConfig>) => {
      const root = mkdtempSync(path.join(tmpdir(), 'lineside-webhook-https-'));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const dir = reportDir(root, { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'report.pdf'), '%PDF-1.3 test');
      const config = webhookConfig(receiver.url, { retryMin: 60_000, retryMax: 60_000, ...extra });
      const clock = { wallMs: () => T0 + 9 * 3_600_000, monoMs: () => 0 };
      const delivery = new WebhookDelivery({ config, clock, logger: silentLogger, root, send: httpTransport(config) });
      cleanups.push(() => delivery.close());
      const id = 'line1.20261204T060000Z-early';
      await delivery.enqueue(id, dir, buildReport(input()));
      await vi.waitFor(async () => expect((await delivery.state(id))?.attempts).toBe(1), { timeout: 15_000 });
      return delivery.state(id);
    };

    expect(await post({ ca: certs.cert })).toMatchObject({ status: 'sent', attempts: 1 });
    expect(receiver.requests).toHaveLength(1);

    const untrusted = await post({});
    expect(untrusted?.status).toBe('pending');
    expect(untrusted?.lastError).toMatch(/^WEBHOOK_TLS /);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('a report webhook that gets no answer', () => {
  const request = { id: 'line1.20261204T060000Z-early', body: '{}' };

  it('is WEBHOOK_CONNECT when nothing listens on the port', async () => {
    const port = await freePort();
    const send = httpTransport(webhookConfig(`http://127.0.0.1:${port}/hook`));
    await expect(send(request)).rejects.toMatchObject({ code: 'WEBHOOK_CONNECT' });
  });

  it('is WEBHOOK_CONNECT when the receiver does not answer within the timeout', async () => {
    const server = http.createServer(() => undefined); // takes the request, never answers
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const send = httpTransport(webhookConfig(`http://127.0.0.1:${port}/hook`, { timeout: 300 }));
    const err = await send(request).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('WEBHOOK_CONNECT');
    expect(err?.message).toMatch(/no answer within 300 ms/);
    expect(err?.message).not.toContain('/hook');
  });
});
