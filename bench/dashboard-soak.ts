/**
 * RSS and CPU of the agent serving the dashboard to 20 clients for 10 minutes (defaults), with
 * a real Chromium page among them to check the page stays light too (JS heap and DOM nodes at
 * start and end).
 *
 *   npx tsx bench/dashboard-soak.ts [--duration 600s] [--clients 20] [--browser true]
 *
 * Two processes: this orchestrator with the websocket clients (and the browser), and the
 * measured agent (bench/dashboard-soak-agent.ts bundled with esbuild, run by plain node).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { WebSocket } from 'ws';
import { parseDurationMs } from '../src/config/duration.js';
import { chromiumAvailable, openPage, type OpenedPage } from '../tests/e2e/browser.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '600s' },
    clients: { type: 'string', default: '20' },
    browser: { type: 'string', default: 'true' },
  },
});
const durationMs = parseDurationMs(values.duration) ?? 600_000;
const clientCount = Number(values.clients);
const withBrowser = values.browser !== 'false' && chromiumAvailable();

const outDir = path.resolve('node_modules/.cache/lineside-bench');
mkdirSync(outDir, { recursive: true });
const agentFile = path.join(outDir, 'dashboard-soak-agent.mjs');
await build({
  entryPoints: ['bench/dashboard-soak-agent.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: agentFile,
  logLevel: 'warning',
});

interface Report {
  t: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  liveHeap?: number;
  ws: {
    clients: number;
    messagesSent: number;
    bytesSent: number;
    skipped: number;
    slowDisconnects: number;
    broadcasts: number;
  };
  history: number;
}
const child = spawn(process.execPath, ['--expose-gc', agentFile, JSON.stringify({ reportMs: 10_000 })], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const reports: Report[] = [];
const url = await new Promise<string>((resolve, reject) => {
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = JSON.parse(line) as { url?: string } & Report;
    if (m.url !== undefined) resolve(m.url);
    else reports.push(m);
  });
  child.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
});

let received = 0;
let receivedBytes = 0;
const clients: WebSocket[] = [];
for (let i = 0; i < clientCount - (withBrowser ? 1 : 0); i++) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  ws.on('message', (data: Buffer) => {
    received++;
    receivedBytes += data.length;
  });
  clients.push(ws);
}
await Promise.all(clients.map((ws) => new Promise((r) => ws.once('open', r))));

let page: OpenedPage | undefined;
let cdp: Awaited<ReturnType<OpenedPage['context']['newCDPSession']>> | undefined;
type Metrics = { JSHeapUsedSize?: number; Nodes?: number };
async function pageMetrics(): Promise<Metrics> {
  if (cdp === undefined) return {};
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return Object.fromEntries(
    metrics.filter((m) => m.name === 'JSHeapUsedSize' || m.name === 'Nodes').map((m) => [m.name, m.value]),
  );
}
let pageStart: Metrics = {};
if (withBrowser) {
  page = await openPage(url);
  await page.page.waitForSelector('#conn.conn-live');
  await page.page.waitForTimeout(5_000);
  cdp = await page.context.newCDPSession(page.page);
  await cdp.send('Performance.enable');
  pageStart = await pageMetrics();
}

console.log(
  `dashboard soak: ${clientCount} clients${withBrowser ? ' (one of them Chromium)' : ''}, 10-station line on the real core, ${Math.round(durationMs / 1000)} s`,
);
const startedAt = Date.now();
let lastPrinted = 0;
while (Date.now() - startedAt < durationMs) {
  await new Promise((r) => setTimeout(r, 5_000));
  const last = reports[reports.length - 1];
  if (last !== undefined && last.t - lastPrinted >= 60_000) {
    lastPrinted = last.t;
    const live = [...reports].reverse().find((r) => r.liveHeap !== undefined)?.liveHeap;
    console.log(
      `  t=${Math.round(last.t / 1000)} s  rss ${(last.rss / 1048576).toFixed(1)} MiB  heap ${(last.heapUsed / 1048576).toFixed(1)} MiB  live heap ${live === undefined ? '-' : (live / 1048576).toFixed(2)} MiB  cpu ${(((last.cpuUserUs + last.cpuSystemUs) / 1000 / last.t) * 100).toFixed(2)} %  frames ${last.ws.messagesSent}`,
    );
  }
}
const pageEnd = await pageMetrics();
const first = reports.find((r) => r.t >= 60_000) ?? reports[0];
const last = reports[reports.length - 1];
if (first === undefined || last === undefined) throw new Error('no reports from the agent');
const cpuPct = (r: Report, from?: Report) =>
  ((r.cpuUserUs + r.cpuSystemUs - (from ? from.cpuUserUs + from.cpuSystemUs : 0)) / 1000 / (r.t - (from?.t ?? 0))) *
  100;
const rssValues = reports.map((r) => r.rss);
console.log(
  `  agent CPU      ${cpuPct(last).toFixed(2)} % of one core over the run (${cpuPct(last, first).toFixed(2)} % after the first minute)`,
);
console.log(
  `  agent RSS      at 1 min ${(first.rss / 1048576).toFixed(1)} MiB, at end ${(last.rss / 1048576).toFixed(1)} MiB, max ${(Math.max(...rssValues) / 1048576).toFixed(1)} MiB`,
);
const lives = reports.filter((r) => r.liveHeap !== undefined);
console.log(
  `  agent heap     in use at 1 min ${(first.heapUsed / 1048576).toFixed(1)} MiB, at end ${(last.heapUsed / 1048576).toFixed(1)} MiB; live after full GC: first ${((lives[0]?.liveHeap ?? 0) / 1048576).toFixed(2)} MiB, last ${((lives[lives.length - 1]?.liveHeap ?? 0) / 1048576).toFixed(2)} MiB`,
);
console.log(
  `  websocket      ${last.ws.broadcasts} deltas broadcast (${(last.ws.broadcasts / (last.t / 1000)).toFixed(2)}/s), ${last.ws.messagesSent} frames, ${(last.ws.bytesSent / 1048576).toFixed(1)} MiB sent, skipped ${last.ws.skipped}, slow disconnects ${last.ws.slowDisconnects}`,
);
console.log(
  `  clients        ${received} frames, ${(receivedBytes / 1048576).toFixed(1)} MiB received by the ${clients.length} ws clients; core events recorded in history ${last.history}`,
);
if (page !== undefined) {
  console.log(
    `  Chromium page  JS heap ${((pageStart.JSHeapUsedSize ?? 0) / 1048576).toFixed(1)} -> ${((pageEnd.JSHeapUsedSize ?? 0) / 1048576).toFixed(1)} MiB, DOM nodes ${pageStart.Nodes} -> ${pageEnd.Nodes} (after GC, start vs end)`,
  );
  await cdp?.detach();
  await page.close();
}
for (const ws of clients) ws.terminate();
child.stdin.end();
await new Promise((r) => child.once('exit', r));
