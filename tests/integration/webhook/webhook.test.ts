/**
 * Webhook delivery against a real node:http server on 127.0.0.1, through a real spool: what a
 * receiver gets (signed JSON, headers), retries with backoff on 5xx/timeouts/refused connections,
 * no retry on 4xx, the severity filter, alerts that survive a restart while the receiver is down,
 * one dead receiver not holding up another, and that neither the secret nor the URL's token
 * reaches a log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/core/events.js';
import { createLogger, silentLogger } from '../../../src/lib/logger.js';
import {
  createWebhooks,
  verifySignature,
  webhookDestinations,
  type WebhookOptions,
  type WebhookTarget,
} from '../../../src/outputs/webhook/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { openTestSpool } from '../../helpers/test-spool.js';
import { until } from '../../helpers/wait.js';
import { alertEvent } from './alert-event.js';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly url: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

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

/** Webhooks as the agent runs them: alert events appended to a spool, a runner per receiver. */
async function webhooks(targets: readonly WebhookTarget[], options: Partial<Omit<WebhookOptions, 'spool'>> = {}) {
  const dir = createTempDir('webhook');
  let spool = openTestSpool(dir, webhookDestinations(targets), 10);
  const make = () => createWebhooks(targets, { logger: silentLogger, ...options, spool });
  let hooks = make();
  await hooks.start();
  cleanups.push(async () => {
    await hooks.stop();
    spool.close();
    removeTempDir(dir);
  });
  return {
    get hooks() {
      return hooks;
    },
    get spool() {
      return spool;
    },
    send: (e: CoreEvent) => spool.appendEvent(e),
    stats: (i = 0) => hooks.stats()[i] ?? expect.unreachable('no such webhook'),
    /** Stops the agent's side (what is undelivered stays in the spool) and starts it again. */
    restart: async () => {
      await hooks.stop();
      spool.close();
      spool = openTestSpool(dir, webhookDestinations(targets), 10);
      hooks = make();
      await hooks.start();
    },
  };
}

const alert = alertEvent;

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const s of servers.splice(0)) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});
describe('webhook delivery', () => {
  it('POSTs the alert as JSON with a signature the receiver can verify over the raw body', async () => {
    const rx = await receiver(ok);
    const { logger } = logSink();
    const w = await webhooks([{ url: rx.url, secret: 's3cret', minSeverity: 'warning' }], {
      logger,
      agentId: 'agent-7',
    });
    w.send({
      type: 'cycle',
      id: 'press-000000001',
      line: 'line1',
      station: 'press',
      seq: 1,
      ts: 1,
      cycleTimeMs: 9_000,
      good: true,
    });
    w.send(alert());
    await until(() => w.stats().delivered === 1, 'delivery');
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
    // The cycle event was skipped, and the spool may delete both rows.
    expect(rx.received).toHaveLength(1);
    await until(() => w.spool.ackedId(w.stats().destination) === w.spool.lastCommittedId(), 'both rows released');
  });

  it('filters by minimum severity but still sends the later events of an alert it sent', async () => {
    const rx = await receiver(ok);
    const w = await webhooks([{ url: rx.url, minSeverity: 'critical' }]);
    w.send(alert({ alertId: 'a1', severity: 'warning' }));
    w.send(alert({ alertId: 'a2', severity: 'critical' }));
    w.send(alert({ alertId: 'a2', severity: 'warning', status: 'resolved' }));
    w.send(alert({ alertId: 'a3', severity: 'info' }));
    w.spool.flush();
    await until(() => w.spool.ackedId(w.stats().destination) === w.spool.lastCommittedId(), 'all four looked at');
    expect(w.stats().delivered).toBe(2);
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.id)).toEqual(['a2', 'a2']);
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.status)).toEqual(['active', 'resolved']);
    expect(rx.received[0]?.headers['x-lineside-signature']).toBeUndefined();
  });

  it('retries 5xx with backoff, honours Retry-After, and keeps the order of events', async () => {
    const rx = await receiver((_req, res, n) => {
      if (n === 1) res.writeHead(503).end('busy');
      else if (n === 2) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end('ok');
    });
    const w = await webhooks([{ url: rx.url, minSeverity: 'info' }], {
      backoffMinMs: 20,
      backoffMaxMs: 2_000,
      random: () => 0.5,
    });
    w.send(alert({ alertId: 'first' }));
    w.send(alert({ alertId: 'second' }));
    await until(() => rx.received.length === 2, 'the second attempt');
    const secondAt = Date.now();
    await until(() => w.stats().delivered === 2, 'both delivered');
    // Retry-After: 1 s, longer than the backoff step of ~40 ms, was waited out.
    expect(Date.now() - secondAt).toBeGreaterThanOrEqual(950);
    expect(w.stats()).toMatchObject({ delivered: 2, failed: 0, retries: 2 });
    expect(rx.received.map((r) => JSON.parse(r.raw).alert.id)).toEqual(['first', 'first', 'first', 'second']);
  });

  it('reports itself as an output: down while a receiver fails, up again after a delivery', async () => {
    let failing = true;
    const rx = await receiver((_req, res) => res.writeHead(failing ? 503 : 204).end());
    const w = await webhooks([{ url: rx.url, minSeverity: 'info' }], { backoffMinMs: 30, backoffMaxMs: 60 });
    expect(w.hooks.status()).toEqual({ name: 'webhooks', up: true, sent: 0, errors: 0 });
    w.send(alert());
    await until(() => !w.hooks.status().up, 'down after the first failed attempt');
    expect(w.hooks.status().lastError).toContain('503');
    failing = false;
    await until(() => w.hooks.status().sent === 1, 'delivered on a retry');
    expect(w.hooks.status()).toEqual({ name: 'webhooks', up: true, sent: 1, errors: 0 });
  });

  it('does not retry a 4xx (the receiver refused it) and goes on with the next event', async () => {
    const rx = await receiver((_req, res, n) => res.writeHead(n === 1 ? 400 : 200).end());
    const { logger, text } = logSink();
    const w = await webhooks([{ url: rx.url, minSeverity: 'info', secret: 'topsecret-value' }], {
      logger,
      backoffMinMs: 10,
    });
    w.send(alert({ alertId: 'rejected' }));
    w.send(alert({ alertId: 'accepted' }));
    await until(() => w.stats().delivered === 1 && w.stats().failed === 1, 'one failed, one delivered');
    expect(rx.received).toHaveLength(2);
    expect(w.stats().lastError).toMatch(/^NOT_AVAILABLE webhook http:\/\/127\.0\.0\.1:\d+\/… answered HTTP 400/);
    expect(w.hooks.status().errors).toBe(1);
    expect(text()).toContain('HTTP 400');
    expect(text()).not.toContain('topsecret-value');
    expect(text()).not.toContain('T0KEN');
  });

  it('times out a receiver that never answers, retries, then gives up without an unhandled rejection', async () => {
    const rx = await receiver(() => undefined); // never answers
    const { logger, text } = logSink();
    const w = await webhooks([{ url: rx.url, minSeverity: 'info', secret: 'xyz-secret' }], {
      logger,
      timeoutMs: 150,
      maxAttempts: 2,
      backoffMinMs: 10,
    });
    w.send(alert());
    await until(() => w.stats().failed === 1, 'gave up');
    expect(rx.received).toHaveLength(2);
    expect(w.stats().lastError).toContain('no answer within 150 ms');
    expect(text()).not.toContain('xyz-secret');
    // Given up: the spool no longer keeps the event for this webhook.
    await until(() => w.spool.ackedId(w.stats().destination) === w.spool.lastCommittedId(), 'released');
  });

  it('retries a refused connection until the receiver comes up', async () => {
    // Reserve a port, close it, send, then start the receiver on that port.
    const probe = await receiver(ok);
    const url = probe.url;
    const port = Number(new URL(url).port);
    probe.server.closeAllConnections();
    await new Promise((r) => probe.server.close(r));
    const w = await webhooks([{ url, minSeverity: 'info' }], { backoffMinMs: 50, backoffMaxMs: 100, maxAttempts: 50 });
    w.send(alert());
    await until(() => w.stats().retries >= 1, 'a retry');
    expect(w.stats().lastError).toMatch(/unreachable: ECONNREFUSED/);
    const late = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    servers.push(late);
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    await until(() => w.stats().delivered === 1, 'delivery after the receiver came up');
  });

  it('keeps an alert the receiver has not taken across an agent restart, and delivers it once', async () => {
    let up = false;
    const rx = await receiver((_req, res) => res.writeHead(up ? 204 : 503).end());
    const w = await webhooks([{ url: rx.url, minSeverity: 'info' }], { backoffMinMs: 20, backoffMaxMs: 40 });
    w.send(alert({ alertId: 'during-outage' }));
    await until(() => rx.received.length >= 2, 'attempts while the receiver is down');
    await w.restart();
    up = true;
    await until(() => w.stats().delivered === 1, 'delivery after the restart');
    const ids = rx.received.map((r) => JSON.parse(r.raw).alert.id);
    expect(new Set(ids)).toEqual(new Set(['during-outage']));
    expect(rx.received.filter((r) => r.raw.includes('during-outage')).length).toBe(ids.length);
    await until(() => w.spool.ackedId(w.stats().destination) === w.spool.lastCommittedId(), 'released');
    expect(w.stats().delivered).toBe(1);
  });

  it('a receiver that never answers does not hold up another', async () => {
    const dead = await receiver(() => undefined);
    const live = await receiver(ok);
    const w = await webhooks(
      [
        { url: dead.url, minSeverity: 'info' },
        { url: live.url, minSeverity: 'info' },
      ],
      { timeoutMs: 5_000, stopGraceMs: 100 },
    );
    for (let i = 0; i < 5; i++) w.send(alert({ alertId: `a${i}` }));
    await until(() => w.stats(1).delivered === 5, 'the live receiver has all five');
    expect(dead.received).toHaveLength(1);
    expect(w.stats(0).destination).not.toBe(w.stats(1).destination);
  });
});
