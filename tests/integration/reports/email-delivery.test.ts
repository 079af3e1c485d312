/**
 * Report emails over real SMTP (aiosmtpd, tests/helpers/smtp-server.ts): a simulated shift on the
 * real core, history and routes makes the early shift's report by itself; its email arrives with
 * the report.pdf on disk attached, byte for byte, and the OEE in its body equals /api/oee's. A
 * wrong password is reported as EMAIL_AUTH and loses nothing: after a restart with the right one
 * (the queue is on disk) the mail goes out once. A server that is down is retried until it is up.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OeeFigures } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { EmailDelivery } from '../../../src/reports/email/delivery.js';
import { smtpTransport, type EmailConfig } from '../../../src/reports/email/transport.js';
import { pct } from '../../../src/reports/format.js';
import { startSmtpServer, type SmtpServerHandle } from '../../helpers/smtp-server.js';
import { type ManualClock, OPERATOR_TOKEN } from '../server/support/harness.js';
import { startReportRig } from './support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function emailConfig(smtp: SmtpServerHandle, extra: Partial<EmailConfig> = {}): EmailConfig {
  return {
    enabled: true,
    host: smtp.host,
    port: smtp.port,
    secure: false,
    requireTLS: false,
    from: 'Lineside <lineside@plant.example>',
    to: { line1: ['manager@plant.example'] },
    default: [],
    subjectPrefix: '[Lineside]',
    rejectUnauthorized: true,
    retryMin: 300,
    retryMax: 1_000,
    giveUpAfter: 3_600_000,
    ...extra,
  };
}

async function setup(email: EmailConfig) {
  const delivery = (cfg: EmailConfig, root: string, clock: ManualClock) =>
    new EmailDelivery({ config: cfg, clock, logger: silentLogger, root, send: smtpTransport(cfg) });
  const rig = await startReportRig(cleanups, { email: (root, clock) => delivery(email, root, clock) });
  // Past 14:00 Berlin: the early shift ends and its report is made.
  rig.line.run(61 * 60);
  await vi.waitFor(() => expect(rig.reports.health().generated).toBe(1), { timeout: 20_000 });
  return {
    app: rig.app,
    reports: rig.reports,
    emailer: rig.email as EmailDelivery,
    root: rig.root,
    delivery: (cfg: EmailConfig) => delivery(cfg, rig.root, rig.clock),
  };
}

interface ReportItem {
  id: string;
  email?: { status: string; attempts: number; lastError?: string; sentAt?: string };
}

async function listed(app: Awaited<ReturnType<typeof setup>>['app']): Promise<ReportItem[]> {
  const res = await app.inject({ url: '/api/reports', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return (res.json() as { reports: ReportItem[] }).reports;
}

/** A minimal MIME reader: unfolded headers, and each part of a multipart body, decoded. */
function parseMail(raw: string): { headers: Record<string, string>; parts: { headers: string; body: Buffer }[] } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const parts: { headers: string; body: Buffer }[] = [];
  const walk = (contentType: string, body: string) => {
    const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
    if (boundary === undefined) return;
    for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
      const at = chunk.indexOf('\r\n\r\n');
      const h = chunk.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
      const content = chunk.slice(at + 4).replace(/\r\n$/, '');
      const type = /content-type:\s*([^\r\n]+)/i.exec(h)?.[1] ?? '';
      if (type.startsWith('multipart/')) {
        walk(type, content);
        continue;
      }
      const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(h)?.[1]?.toLowerCase();
      const decoded =
        encoding === 'base64'
          ? Buffer.from(content.replace(/\s+/g, ''), 'base64')
          : encoding === 'quoted-printable'
            ? Buffer.from(
                content
                  .replace(/=\r\n/g, '')
                  .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
                'latin1',
              )
            : Buffer.from(content, 'latin1');
      parts.push({ headers: h, body: decoded });
    }
  };
  walk(headers['content-type'] ?? '', raw.slice(split + 4));
  return { headers, parts };
}

describe('report emails over real SMTP', () => {
  it('deliver the shift report with its PDF attached and the API’s OEE in the body', async () => {
    const smtp = await startSmtpServer();
    cleanups.push(() => smtp.close());
    const { app, root } = await setup(emailConfig(smtp));
    await vi.waitFor(() => expect(smtp.messages()).toHaveLength(1), { timeout: 15_000 });

    const api = (await app.inject('/api/oee?line=line1&shift=early')).json() as { final: boolean; figures: OeeFigures };
    expect(api.final).toBe(true);
    const mail = parseMail(smtp.messages()[0] as string);
    expect(mail.headers.subject).toBe(
      `[Lineside] line1 early 2025-11-24: OEE ${pct(api.figures.oee).replace('%', ' %')}`,
    );
    expect(mail.headers.to).toBe('manager@plant.example');

    // The server has the mail a moment before delivery.json says so.
    await vi.waitFor(async () => expect((await listed(app))[0]?.email?.status).toBe('sent'));
    const [item] = await listed(app);
    expect(item?.email).toMatchObject({ status: 'sent', attempts: 1 });
    expect(item?.email?.sentAt).toBeTruthy();
    const pdf = mail.parts.find((p) => /filename="?report\.pdf/.test(p.headers));
    expect(pdf?.headers).toMatch(/content-type:\s*application\/pdf/i);
    const folder = path.join(root, 'line1', (item?.id ?? '').slice('line1.'.length));
    expect(pdf?.body.equals(readFileSync(path.join(folder, 'report.pdf')))).toBe(true);

    const text = mail.parts.find((p) => /content-type:\s*text\/plain/i.test(p.headers))?.body.toString('utf8') ?? '';
    expect(text).toMatch(new RegExp(`^OEE: +${pct(api.figures.oee).replace('.', '\\.')}$`, 'm'));
    expect(text).toMatch(new RegExp(`^Availability: +${pct(api.figures.availability).replace('.', '\\.')}$`, 'm'));
    expect(text).toContain('Top 3 losses:');
    const html = mail.parts.find((p) => /content-type:\s*text\/html/i.test(p.headers))?.body.toString('utf8') ?? '';
    expect(html).toContain(`<th align="left">OEE</th><td>${pct(api.figures.oee)}</td>`);
  });

  it('report a wrong password as EMAIL_AUTH, lose nothing, and send once after a restart with the right one', async () => {
    const smtp = await startSmtpServer({ auth: { user: 'lineside', password: 'right-password' } });
    cleanups.push(() => smtp.close());
    const { app, reports, root, delivery } = await setup(
      emailConfig(smtp, { username: 'lineside', password: 'wrong-password' }),
    );
    await vi.waitFor(async () => expect((await listed(app))[0]?.email?.attempts).toBeGreaterThanOrEqual(1), {
      timeout: 15_000,
    });
    const [item] = await listed(app);
    expect(item?.email?.status).toBe('pending');
    expect(item?.email?.lastError).toMatch(/^EMAIL_AUTH .*535/);
    expect(JSON.stringify(await listed(app))).not.toContain('wrong-password');
    const ready = (await app.inject('/readyz')).json() as { outputs: { name: string; up: boolean; detail?: string }[] };
    const out = ready.outputs.find((o) => o.name === 'reports-email');
    expect(out?.up).toBe(false);
    expect(out?.detail).toMatch(/^EMAIL_AUTH /);
    expect(out?.detail).not.toContain('wrong-password');
    expect(smtp.messages()).toHaveLength(0);

    // The agent stops (the service closes its emailer) and starts again with the password fixed.
    await reports.close();
    const fixed = delivery(emailConfig(smtp, { username: 'lineside', password: 'right-password' }));
    cleanups.push(() => fixed.close());
    await fixed.resume();
    await vi.waitFor(async () => expect((await fixed.state(item?.id ?? ''))?.status).toBe('sent'), { timeout: 15_000 });
    expect(smtp.messages()).toHaveLength(1);
    expect(existsSync(path.join(root, 'line1'))).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // longer than retryMax: no second copy follows
    expect(smtp.messages()).toHaveLength(1);
  });

  it('retry while the SMTP server is down and deliver once when it is back', async () => {
    const smtp = await startSmtpServer({ started: false });
    cleanups.push(() => smtp.close());
    const { app, emailer } = await setup(emailConfig(smtp));
    await vi.waitFor(async () => expect((await listed(app))[0]?.email?.attempts).toBeGreaterThanOrEqual(2), {
      timeout: 15_000,
    });
    const [item] = await listed(app);
    expect(item?.email?.status).toBe('pending');
    expect(item?.email?.lastError).toMatch(/^EMAIL_CONNECT /);
    expect(emailer.health()).toMatchObject({ failing: true, pending: 1, sent: 0 });

    await smtp.start();
    await vi.waitFor(async () => expect((await listed(app))[0]?.email?.status).toBe('sent'), { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(smtp.messages()).toHaveLength(1);
    expect(emailer.health()).toMatchObject({ failing: false, pending: 0, sent: 1 });
  });
});
