/**
 * The agent wires the reports: a whole agent (createAgent: sources -> core -> tee -> history and
 * reports) runs a counter source across a shift end in plant time, and the shift's report files
 * appear under storage.dir/reports by themselves, with the shift's final figures; with
 * reports.email or reports.webhook they go out too, with their secrets read from files or ${ENV}.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgent } from '../../../src/agent/agent.js';
import { loadConfigText } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { CounterSource, TestClock } from '../../helpers/counter-source.js';
import { freePort } from '../../helpers/ports.js';
import { startSmtpServer } from '../../helpers/smtp-server.js';
import { until } from '../../helpers/wait.js';

// 13:50 UTC: the early shift (06:00-14:00 UTC) has ten minutes to go.
const T0 = Date.UTC(2026, 11, 1, 13, 50);

const CONFIG = `
site: { enterprise: acme, site: plant1 }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: partCount, address: 0, type: uint32 }
      - { name: running, address: 2, type: bit, bit: 0 }
      - { name: fault, address: 3 }
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00" }
    - { name: late, start: "14:00", end: "22:00" }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.partCount, running: plc1.running, faultCode: plc1.fault }
mqtt: { enabled: false }
server: { enabled: false }
alerts: { enabled: false }
storage: { dir: DIR, commitInterval: 20ms }
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A temp storage dir for one test (secret files go beside it). */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A whole agent on CONFIG plus `extra` YAML in `dir`, run for 70 parts, 12 s apart: 14 minutes, across 14:00. */
async function runAcrossShiftEnd(dir: string, extra = '', env: Record<string, string> = {}) {
  const loaded = loadConfigText(CONFIG.replace('DIR', JSON.stringify(dir)) + extra, { env });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const clock = new TestClock(T0);
  const source = new CounterSource(clock);
  const testSource: SourceFactory = { name: 'test-counter', enabled: () => true, create: () => source };
  const agent = createAgent({ config: loaded.config, logger: silentLogger, clock, sources: [testSource] });
  cleanups.push(() => agent.stop());
  await agent.start();
  for (let i = 0; i < 70; i++) source.part();
  return agent;
}

describe('the agent', () => {
  it("writes a line's report by itself when its shift ends", async () => {
    const dir = tempDir('lineside-agent-reports-');
    const agent = await runAcrossShiftEnd(dir);
    const folder = path.join(dir, 'reports', 'line1', '20261201T060000Z-early');
    // The service counts a report once its last file is in place: waiting for the count, not for a
    // file, cannot catch it between the two.
    await until(() => agent.reports.health().generated === 1, 'the early shift report', 15_000);
    expect(existsSync(path.join(folder, 'meta.json'))).toBe(true);
    const record = agent.history.oee({ line: 'line1', shift: 'early' });
    expect(record?.final).toBe(true);
    const oee = readFileSync(path.join(folder, 'oee.csv'), 'utf8').split('\r\n')[1]?.split(',') ?? [];
    expect(oee.slice(0, 8)).toEqual([
      '(line)',
      String(record?.figures.availability),
      String(record?.figures.performance),
      String(record?.figures.quality),
      String(record?.figures.oee),
      String(record?.figures.counts.total),
      String(record?.figures.counts.good),
      String(record?.figures.counts.reject),
    ]);
    expect(readFileSync(path.join(folder, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(agent.reports.health()).toMatchObject({ generated: 1, failures: 0, failing: false });
    expect((await agent.reports.list()).map((r) => r.id)).toEqual(['line1.20261201T060000Z-early']);
  });

  it('emails the report through the SMTP server in reports.email, password from passwordFile', async () => {
    const smtp = await startSmtpServer({ auth: { user: 'lineside', password: 's3cret' } });
    cleanups.push(() => smtp.close());
    const dir = tempDir('lineside-agent-email-');
    const secret = path.join(dir, 'smtp-password');
    writeFileSync(secret, 's3cret\n');
    const email = `reports:
  email:
    enabled: true
    host: 127.0.0.1
    port: ${smtp.port}
    username: lineside
    passwordFile: ${JSON.stringify(secret)}
    from: lineside@plant.example
    default: [manager@plant.example]
`;
    const agent = await runAcrossShiftEnd(dir, email);
    await until(() => smtp.messages().length === 1, 'the report email', 20_000);
    expect(smtp.messages()[0]).toMatch(/^Subject: \[Lineside\] line1 early 2026-12-01: OEE /m);
    // The server has the mail a moment before delivery.json says so.
    await vi.waitFor(async () => expect((await agent.reports.list())[0]?.email?.status).toBe('sent'));
    expect((await agent.reports.list())[0]?.email).toMatchObject({ status: 'sent', attempts: 1 });
    expect(agent.reports.health().email).toMatchObject({ sent: 1, failing: false, pending: 0 });
  });

  it('posts the report to reports.webhook.url, token from tokenFile and secret from ${ENV}', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(202).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const dir = tempDir('lineside-agent-webhook-');
    const tokenFile = path.join(dir, 'webhook-token');
    writeFileSync(tokenFile, 'file-token\n');
    const webhook = `reports:
  webhook:
    enabled: true
    url: http://127.0.0.1:${port}/hook
    tokenFile: ${JSON.stringify(tokenFile)}
    secret: \${HOOK_SECRET}
`;
    const agent = await runAcrossShiftEnd(dir, webhook, { HOOK_SECRET: 'env-secret' });
    await until(() => received.length === 1, 'the report webhook', 20_000);
    const [{ headers, body }] = received as [(typeof received)[number]];
    expect(headers.authorization).toBe('Bearer file-token');
    expect(headers['x-lineside-signature']).toBe(
      `sha256=${createHmac('sha256', 'env-secret').update(body).digest('hex')}`,
    );
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({
      type: 'lineside.report',
      id: 'line1.20261201T060000Z-early',
    });
    await vi.waitFor(async () => expect((await agent.reports.list())[0]?.webhook?.status).toBe('sent'));
    expect(agent.reports.health().webhook).toMatchObject({ sent: 1, failing: false, pending: 0 });
  });
});
