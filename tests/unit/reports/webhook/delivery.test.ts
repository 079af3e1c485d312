/**
 * The webhook channel on the delivery queue, with an injected send port (the HTTP side has its
 * own real-server tests): the stored body is sent with the report id, a 4xx answer fails at once,
 * 408/429/5xx are retried after the receiver's Retry-After (at most retryMax), and the PDF goes in
 * at send time when attachPdf is set.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinesideError } from '../../../../src/lib/errors.js';
import { silentLogger } from '../../../../src/lib/logger.js';
import { reportDir } from '../../../../src/reports/files.js';
import { buildReport } from '../../../../src/reports/model.js';
import { WebhookDelivery } from '../../../../src/reports/webhook/delivery.js';
import type { WebhookConfig, WebhookRequest } from '../../../../src/reports/webhook/transport.js';
import { input, T0 } from '../fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CONFIG: WebhookConfig = {
  enabled: true,
  url: 'http://127.0.0.1:9/hook',
  format: 'lineside',
  headers: {},
  attachPdf: false,
  rejectUnauthorized: true,
  timeout: 15_000,
  retryMin: 50,
  retryMax: 1_000,
  giveUpAfter: 3_600_000,
};

const http = (status: number, retryAfterMs?: number) =>
  new LinesideError('WEBHOOK_HTTP', `http://127.0.0.1:9/… answered HTTP ${status}`, {
    status,
    retryable: status === 408 || status === 429 || status >= 500,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

function setup(fail: (attempt: number) => LinesideError | undefined, config: Partial<WebhookConfig> = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'lineside-webhook-unit-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dir = reportDir(root, { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.pdf'), '%PDF-1.3 test');
  const clock = { wall: T0 + 9 * 3_600_000, wallMs: () => clock.wall, monoMs: () => 0 };
  const sent: WebhookRequest[] = [];
  let attempts = 0;
  const delivery = new WebhookDelivery({
    config: { ...CONFIG, ...config },
    clock,
    logger: silentLogger,
    root,
    send: async (request) => {
      const err = fail(++attempts);
      if (err !== undefined) throw err;
      sent.push(request);
    },
  });
  cleanups.push(() => delivery.close());
  const id = 'line1.20261204T060000Z-early';
  const stored = () => JSON.parse(readFileSync(path.join(dir, 'webhook.json'), 'utf8')) as Record<string, unknown>;
  return { delivery, dir, clock, sent, id, stored, attempts: () => attempts };
}

describe('the report webhook queue', () => {
  it('sends the body built when the report was made, named by the report id, once', async () => {
    const { delivery, dir, id, sent, stored } = setup(() => undefined);
    const model = buildReport(input());
    await delivery.enqueue(id, dir, model);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.id).toBe(id);
    const body = JSON.parse(sent[0]?.body ?? '{}') as { type: string; figures: { oee: number }; pdf?: unknown };
    expect(body).toMatchObject({ type: 'lineside.report', id, figures: { oee: model.figures.oee } });
    expect(body.pdf).toBeUndefined();
    await vi.waitFor(async () => expect(await delivery.state(id)).toMatchObject({ status: 'sent', attempts: 1 }));
    expect(stored()).toMatchObject({ id, status: 'sent' });
    expect(delivery.health()).toMatchObject({ sent: 1, failing: false, pending: 0 });
  });

  it('fails at once on a 4xx answer: the same request would be refused again', async () => {
    const { delivery, dir, id, attempts } = setup(() => http(400));
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(async () => expect((await delivery.state(id))?.status).toBe('failed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts()).toBe(1);
    expect((await delivery.state(id))?.lastError).toMatch(/^WEBHOOK_HTTP .*HTTP 400/);
    expect(delivery.health()).toMatchObject({ failing: true, pending: 0 });
  });

  it("retries 408, 429 and 5xx after the receiver's Retry-After, never longer than retryMax", async () => {
    const { delivery, dir, id, stored, clock } = setup((n) => (n === 1 ? http(429, 300) : http(503, 60_000)));
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(() => expect(stored().attempts).toBe(1));
    // Asked for 300 ms (not the 50 ms retryMin): due 300 ms after the attempt on the queue's clock.
    expect(stored()).toMatchObject({ status: 'pending', nextAt: clock.wall + 300 });
    await vi.waitFor(() => expect(stored().attempts).toBe(2), { timeout: 5_000 });
    // Asked for a minute: capped at retryMax (1 s).
    expect(stored()).toMatchObject({ status: 'pending', nextAt: clock.wall + 1_000 });
    expect(stored().lastError).toMatch(/^WEBHOOK_HTTP .*HTTP 503/);
  });

  it('puts the PDF in at send time with attachPdf, and stores the body without it', async () => {
    const { delivery, dir, id, sent, stored } = setup(() => undefined, { attachPdf: true });
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const body = JSON.parse(sent[0]?.body ?? '{}') as { pdf?: { name: string; base64: string } };
    expect(body.pdf?.name).toBe('report.pdf');
    expect(Buffer.from(body.pdf?.base64 ?? '', 'base64').toString()).toBe('%PDF-1.3 test');
    expect((stored().body as Record<string, unknown>).pdf).toBeUndefined();
  });

  it('sends {text} in the "text" format', async () => {
    const { delivery, dir, id, sent } = setup(() => undefined, { format: 'text' });
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const body = JSON.parse(sent[0]?.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toMatch(/^line1 early 2026-12-04: OEE .*\nLine: /);
  });
});
