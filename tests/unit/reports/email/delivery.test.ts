/**
 * The delivery queue's rules with an injected send port (the SMTP side has its own real-server
 * tests): retries double up to retryMax, a 5xx rejection fails at once, a delivery still failing
 * after giveUpAfter is failed, and the state is in delivery.json for the report list.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinesideError } from '../../../../src/lib/errors.js';
import { silentLogger } from '../../../../src/lib/logger.js';
import { EmailDelivery } from '../../../../src/reports/email/delivery.js';
import type { EmailConfig, OutgoingMail } from '../../../../src/reports/email/transport.js';
import { reportDir } from '../../../../src/reports/files.js';
import { buildReport } from '../../../../src/reports/model.js';
import { input, T0 } from '../fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CONFIG: EmailConfig = {
  enabled: true,
  host: 'smtp.example',
  secure: false,
  requireTLS: false,
  from: 'lineside@plant.example',
  to: {},
  default: ['manager@plant.example'],
  subjectPrefix: '[Lineside]',
  rejectUnauthorized: true,
  retryMin: 50,
  retryMax: 200,
  giveUpAfter: 3_600_000,
};

function setup(fail: (attempt: number) => LinesideError | undefined, config: Partial<EmailConfig> = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'lineside-email-unit-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const key = { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const;
  const dir = reportDir(root, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.pdf'), '%PDF-1.3 test');
  const clock = { wall: T0 + 9 * 3_600_000, wallMs: () => clock.wall, monoMs: () => 0 };
  const sent: { at: number; mail: OutgoingMail }[] = [];
  let attempts = 0;
  const delivery = new EmailDelivery({
    config: { ...CONFIG, ...config },
    clock,
    logger: silentLogger,
    root,
    send: async (mail) => {
      const err = fail(++attempts);
      if (err !== undefined) throw err;
      sent.push({ at: performance.now(), mail });
    },
  });
  cleanups.push(() => delivery.close());
  const id = 'line1.20261204T060000Z-early';
  return { delivery, dir, clock, sent, id, attempts: () => attempts };
}

const connect = () => new LinesideError('EMAIL_CONNECT', 'cannot reach the SMTP server');

describe('the email delivery queue', () => {
  it('retries with a doubling delay capped at retryMax, and sends once', async () => {
    const stamps: number[] = [];
    const { delivery, dir, id, sent } = setup((n) => {
      stamps.push(performance.now());
      return n <= 4 ? connect() : undefined;
    });
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 5_000 });
    const gaps = stamps.slice(1).map((t, i) => t - (stamps[i] ?? 0));
    // 50, 100, 200, 200 ms: timers fire no earlier than asked; uncapped the last would be 400.
    [50, 100, 200, 200].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
    expect(gaps[3]).toBeLessThan(400);
    expect(await delivery.state(id)).toMatchObject({ status: 'sent', attempts: 5 });
    expect(sent[0]?.mail.to).toEqual(['manager@plant.example']);
    expect(sent[0]?.mail.pdf.toString()).toBe('%PDF-1.3 test');
    expect(delivery.health()).toMatchObject({ sent: 1, failedAttempts: 4, pending: 0, failing: false });
  });

  it('fails at once when the server rejects the message (5xx): a resend would be rejected again', async () => {
    const { delivery, dir, id, attempts } = setup(() => new LinesideError('EMAIL_REJECTED', '550 no such user'));
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(async () => expect((await delivery.state(id))?.status).toBe('failed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts()).toBe(1);
    expect((await delivery.state(id))?.lastError).toBe('EMAIL_REJECTED 550 no such user');
  });

  it('gives up once a delivery has failed for giveUpAfter', async () => {
    const { delivery, dir, id, clock } = setup(() => connect(), { giveUpAfter: 60_000 });
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(async () => expect((await delivery.state(id))?.attempts).toBeGreaterThanOrEqual(2));
    expect((await delivery.state(id))?.status).toBe('pending');
    clock.wall += 61_000;
    await vi.waitFor(async () => expect((await delivery.state(id))?.status).toBe('failed'));
    const stored = JSON.parse(readFileSync(path.join(dir, 'delivery.json'), 'utf8')) as { nextAt?: number };
    expect(stored.nextAt).toBeUndefined();
  });

  it('sends nothing for a line without recipients', async () => {
    const { delivery, dir, id, attempts } = setup(() => undefined, { default: [] });
    await delivery.enqueue(id, dir, buildReport(input()));
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts()).toBe(0);
    expect(await delivery.state(id)).toBeUndefined();
  });

  it('stops within its wait when the SMTP server hangs, and leaves the delivery pending for the next start', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lineside-email-unit-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const dir = reportDir(root, { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'report.pdf'), '%PDF-1.3 test');
    let called = false;
    const delivery = new EmailDelivery({
      config: CONFIG,
      clock: { wallMs: () => T0, monoMs: () => 0 },
      logger: silentLogger,
      root,
      send: () => {
        called = true;
        return new Promise<void>(() => undefined); // never answers
      },
    });
    const id = 'line1.20261204T060000Z-early';
    await delivery.enqueue(id, dir, buildReport(input()));
    await vi.waitFor(() => expect(called).toBe(true));
    const started = performance.now();
    await delivery.close(50);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await delivery.state(id)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
