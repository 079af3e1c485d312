/**
 * Report emails over STARTTLS to a real SMTP server (aiosmtpd that requires STARTTLS before MAIL,
 * with a certificate made by the openssl CLI for this run, tests/helpers/certs.ts): with the certificate as `ca` the mail
 * goes out; without it the server is not trusted, and that shows as EMAIL_TLS, nothing sent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.js';
import { EmailDelivery } from '../../../src/reports/email/delivery.js';
import { smtpTransport, type EmailConfig } from '../../../src/reports/email/transport.js';
import { reportDir } from '../../../src/reports/files.js';
import { buildReport } from '../../../src/reports/model.js';
import { selfSignedCert, type SelfSignedCert } from '../../helpers/certs.js';
import { startSmtpServer } from '../../helpers/smtp-server.js';
import { input, T0 } from '../../unit/reports/fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let certs: SelfSignedCert;
beforeAll(() => {
  certs = selfSignedCert('lineside-smtp-tls-');
  return () => certs.remove();
});

async function deliver(extra: Partial<EmailConfig>) {
  const smtp = await startSmtpServer({
    tls: { cert: certs.cert, key: certs.key },
  });
  cleanups.push(() => smtp.close());
  const root = mkdtempSync(path.join(tmpdir(), 'lineside-email-tls-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dir = reportDir(root, { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'report.pdf'), '%PDF-1.3 test');
  const config: EmailConfig = {
    enabled: true,
    host: smtp.host,
    port: smtp.port,
    secure: false,
    requireTLS: true,
    from: 'lineside@plant.example',
    to: {},
    default: ['manager@plant.example'],
    subjectPrefix: '[Lineside]',
    rejectUnauthorized: true,
    retryMin: 60_000,
    retryMax: 60_000,
    giveUpAfter: 3_600_000,
    ...extra,
  };
  const clock = { wallMs: () => T0 + 9 * 3_600_000, monoMs: () => 0 };
  const delivery = new EmailDelivery({ config, clock, logger: silentLogger, root, send: smtpTransport(config) });
  cleanups.push(() => delivery.close());
  const id = 'line1.20261204T060000Z-early';
  await delivery.enqueue(id, dir, buildReport(input()));
  await vi.waitFor(async () => expect((await delivery.state(id))?.attempts).toBe(1), { timeout: 15_000 });
  return { smtp, state: await delivery.state(id) };
}

describe('report emails over STARTTLS', () => {
  it('go out when the server certificate is trusted through reports.email.ca', async () => {
    const { smtp, state } = await deliver({ ca: certs.cert });
    expect(state).toMatchObject({ status: 'sent', attempts: 1 });
    expect(smtp.messages()).toHaveLength(1);
  });

  it('are held as EMAIL_TLS when the certificate is not trusted', async () => {
    const { smtp, state } = await deliver({});
    expect(state?.status).toBe('pending');
    expect(state?.lastError).toMatch(/^EMAIL_TLS /);
    expect(smtp.messages()).toHaveLength(0);
  });
});
