/**
 * Webhook delivery against a real node:http server on 127.0.0.1: what a receiver gets (signed
 * JSON, headers), retries with backoff on 5xx/timeouts/refused connections, no retry on 4xx,
 * severity filter, bounded queue, and that neither the secret nor the URL's token reaches a log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../src/core/events.js';
import { createLogger } from '../../../src/lib/logger.js';
import {
  createWebhookSender,
  createWebhooks,
  verifySignature,
  type WebhookSender,
} from '../../../src/outputs/webhook/index.js';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly url: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];
const senders: WebhookSender[] = [];

async function receiver(handler: Handler): Promise<{ url: string; received: Received[]; server: http.Server }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      handler(req, res, received.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/T0KEN-in-path`, received, server };
}

function ok(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(204).end();
}

function logSink(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { logger: createLogger('debug', stream), text: () => text };
}

let seq = 0;
function alert(overrides: Partial<AlertEvent> = {}): AlertEvent {
  seq++;
  return {
    type: 'alert',
    id: `press-alert-${String(seq).padStart(9, '0')}`,
    line: 'line1',
    station: 'press',
    seq,
    ts: Date.UTC(2025, 0, 6, 12),
    alertId: 'press-condition_trend-1',
    kind: 'condition_trend',
    severity: 'warning',
    status: 'active',
    evidence: { summary: 'vibration 5.2 (warning limit reached)', level: 5.2, warning: 4.5 },
    predictedFailureAt: Date.UTC(2025, 0, 6, 15),
    ...overrides,
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close(100)));
  await Promise.all(closers.splice(0).map((c) => c()));
  for (const s of servers.splice(0)) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('webhook delivery', () => {
  it('POSTs the alert as JSON with a signature the receiver can verify over the raw body', async () => {
    const rx = await receiver(ok);
    const { logger } = logSink();
    const sender = createWebhookSender({
      target: { url: rx.url, secret: 's3cret', minSeverity: 'warning' },
      logger,
      agentId: 'agent-7',
    });
    senders.push(sender);
    expect(sender.send(alert())).toBe(true);
    await until(() => sender.stats().delivered === 1, 'delivery');
    const got = rx.received[0] as Received;
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.headers['x-lineside-event']).toBe('alert');
    expect(got.headers['x-lineside-delivery']).toMatch(/^press-alert-/);
    expect(Math.abs(Number(got.headers['x-lineside-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(verifySignature('s3cret', got.raw, got.headers['x-lineside-signature'] as string)).toBe(true);
    expect(verifySignature('wrong', got.raw, got.headers['x-lineside-signature'] as string)).toBe(false);
    expect(
      verifySignature('s3cret', got.raw.replace('5.2', '5.3'), got.headers['x-lineside-signature'] as string),
    ).toBe(false);
    const body = JSON.parse(got.raw);
    expect(body).toMatchObject({
      type: 'lineside.alert',
      agent: 'agent-7',
      alert: {
        id: 'press-condition_trend-1',
        station: 'press',
        kind: 'condition_trend',
        severity: 'warning',
        status: 'active',
        predictedFailureAt: '2025-01-06T15:00:00.000Z',
      },
    });
    expect(body.alert.evidence.level).toBe(5.2);
  });

  it('filters by minimum severity but still sends the later events of an alert it sent', async () => {
    const rx = await receiver(ok);
    const sender = createWebhookSender({ target: { url: rx.url, minSeverity: 'critical' }, logger: logSink().logger });
    senders.push(sender);
    expect(sender.send(alert({ alertId: 'a1', severity: 'warning' }))).toBe(false);
    expect(sender.send(alert({ alertId: 'a2', severity: 'critical' }))).toBe(true);
    expect(sender.send(alert({ alertId: 'a2', severity: 'warning', status: 'resolved' }))).toBe(true);
    await until(() => sender.stats().delivered === 2, 'two deliveries');
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.status)).toEqual(['active', 'resolved']);
    expect(rx.received[0]?.headers['x-lineside-signature']).toBeUndefined();
  });

  it('retries 5xx with backoff, honours Retry-After, and keeps the order of events', async () => {
    const rx = await receiver((_req, res, n) => {
      if (n === 1) res.writeHead(503).end('busy');
      else if (n === 2) res.writeHead(429, { 'retry-after': '0' }).end();
      else res.writeHead(200).end('ok');
    });
    const sender = createWebhookSender({
      target: { url: rx.url, minSeverity: 'info' },
      logger: logSink().logger,
      backoffMinMs: 20,
      backoffMaxMs: 100,
      random: () => 0.5,
    });
    senders.push(sender);
    sender.send(alert({ alertId: 'first' }));
    sender.send(alert({ alertId: 'second' }));
    await until(() => sender.stats().delivered === 2, 'both delivered');
    expect(sender.stats()).toMatchObject({ delivered: 2, failed: 0, retries: 2, queued: 0 });
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.id)).toEqual(['first', 'first', 'first', 'second']);
  });

  it('reports itself as an output: down while a receiver fails, up again after a delivery', async () => {
    let failing = true;
    const rx = await receiver((_req, res) => res.writeHead(failing ? 503 : 204).end());
    const hooks = createWebhooks([{ url: rx.url, minSeverity: 'info' }], {
      logger: logSink().logger,
      backoffMinMs: 30,
      backoffMaxMs: 60,
    });
    closers.push(() => hooks.close(0));
    expect(hooks.status()).toEqual({ name: 'webhooks', up: true, sent: 0, errors: 0 });
    hooks.send(alert());
    await until(() => !hooks.status().up, 'down after the first failed attempt');
    expect(hooks.status().lastError).toContain('503');
    failing = false;
    await until(() => hooks.status().sent === 1, 'delivered on a retry');
    expect(hooks.status()).toEqual({ name: 'webhooks', up: true, sent: 1, errors: 0 });
  });

  it('does not retry a 4xx (the receiver refused it) and goes on with the next event', async () => {
    const rx = await receiver((_req, res, n) => res.writeHead(n === 1 ? 400 : 200).end());
    const { logger, text } = logSink();
    const sender = createWebhookSender({
      target: { url: rx.url, minSeverity: 'info', secret: 'topsecret-value' },
      logger,
      backoffMinMs: 10,
    });
    senders.push(sender);
    sender.send(alert({ alertId: 'rejected' }));
    sender.send(alert({ alertId: 'accepted' }));
    await until(() => sender.stats().delivered === 1 && sender.stats().failed === 1, 'one failed, one delivered');
    expect(rx.received).toHaveLength(2);
    expect(sender.stats().lastError).toMatch(/^NOT_AVAILABLE webhook http:\/\/127\.0\.0\.1:\d+\/… answered HTTP 400/);
    expect(text()).toContain('HTTP 400');
    expect(text()).not.toContain('topsecret-value');
    expect(text()).not.toContain('T0KEN');
  });

  it('times out a receiver that never answers, retries, then gives up without an unhandled rejection', async () => {
    const rx = await receiver(() => undefined); // never answers
    const { logger, text } = logSink();
    const sender = createWebhookSender({
      target: { url: rx.url, minSeverity: 'info', secret: 'xyz-secret' },
      logger,
      timeoutMs: 150,
      maxAttempts: 2,
      backoffMinMs: 10,
    });
    senders.push(sender);
    sender.send(alert());
    await until(() => sender.stats().failed === 1, 'gave up');
    expect(rx.received).toHaveLength(2);
    expect(sender.stats().lastError).toContain('no answer within 150 ms');
    expect(text()).not.toContain('xyz-secret');
  });

  it('retries a refused connection until the receiver comes up', async () => {
    // Reserve a port, close it, send, then start the receiver on that port.
    const probe = await receiver(ok);
    const url = probe.url;
    const port = Number(new URL(url).port);
    probe.server.closeAllConnections();
    await new Promise((r) => probe.server.close(r));
    const sender = createWebhookSender({
      target: { url, minSeverity: 'info' },
      logger: logSink().logger,
      backoffMinMs: 50,
      backoffMaxMs: 100,
      maxAttempts: 50,
    });
    senders.push(sender);
    sender.send(alert());
    await until(() => sender.stats().retries >= 1, 'a retry');
    expect(sender.stats().lastError).toMatch(/unreachable: ECONNREFUSED/);
    const late = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    servers.push(late);
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    await until(() => sender.stats().delivered === 1, 'delivery after the receiver came up');
  });

  it('bounds the queue: past maxQueue the oldest waiting events are dropped and counted', async () => {
    let release: (() => void) | undefined;
    const rx = await receiver((_req, res) => {
      release = () => res.writeHead(200).end();
    });
    const sender = createWebhookSender({
      target: { url: rx.url, minSeverity: 'info' },
      logger: logSink().logger,
      maxQueue: 3,
    });
    senders.push(sender);
    for (let i = 0; i < 10; i++) sender.send(alert({ alertId: `a${i}` }));
    await until(() => rx.received.length === 1, 'first request');
    expect(sender.stats()).toMatchObject({ queued: 3, dropped: 7 });
    release?.();
    await until(() => rx.received.length === 2, 'second request');
    release?.();
    await until(() => rx.received.length === 3, 'third request');
    release?.();
    await until(() => sender.stats().delivered === 3, 'all kept events delivered');
    // The one in flight survives, the newest two are kept.
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.id)).toEqual(['a0', 'a8', 'a9']);
  });

  it('close() reports events it could not deliver', async () => {
    const rx = await receiver(() => undefined);
    const sender = createWebhookSender({ target: { url: rx.url, minSeverity: 'info' }, logger: logSink().logger });
    sender.send(alert());
    sender.send(alert());
    await until(() => rx.received.length === 1, 'first request');
    expect(await sender.close(50)).toBe(2);
    expect(sender.send(alert())).toBe(false);
  });
});
