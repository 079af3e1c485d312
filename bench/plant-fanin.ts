/**
 * A plant's UNS into one plant server: `--lines` lines publish to a real mosquitto and the built
 * `lineside plant` (run `npm run build` first) follows them all. `--real` of them are real line
 * agents (simulator + built `lineside start`, tests/e2e/plant-lines.ts); the rest replay what a
 * real agent published (bench/fixtures/line-uns.jsonl, bench/record-line-traffic.ts) under their
 * own line and agent ids, with fresh ids, sequence numbers and times on every pass, at `--rate` x
 * the recorded pace. Reports the plant server's CPU (% of one core, /proc utime+stime over the
 * measured window), RSS (mean, max), and the update latency from a ledger's publish to the
 * websocket frame of the plant page that shows it (p50, p99, max), measured on one machine clock.
 *
 *   npx tsx bench/plant-fanin.ts                               # 50 lines (3 real), 60 s
 *   npx tsx bench/plant-fanin.ts --lines 200 --real 0 --rate 10 --duration 30s
 *
 * Everything on 127.0.0.1; every process it starts is stopped at the end. A benchmark, not a
 * test: figures move from run to run, so compare sizes within one run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { parseDurationMs } from '../src/config/duration.js';
import { cliCommand, REPO } from '../tests/helpers/cli.js';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { canConnect, freePort } from '../tests/helpers/ports.js';
import { createTempDir, removeTempDir } from '../tests/helpers/service.js';
import { startPlantLines } from '../tests/e2e/plant-lines.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '50' },
    real: { type: 'string', default: '3' },
    duration: { type: 'string', default: '60s' },
    warmup: { type: 'string', default: '15s' },
    rate: { type: 'string', default: '1' },
  },
});
const LINES = Number(values.lines);
const REAL = Math.min(Number(values.real), LINES);
const RATE = Number(values.rate);
const durationMs = parseDurationMs(values.duration) ?? 60_000;
const warmupMs = parseDurationMs(values.warmup) ?? 15_000;

interface Recorded {
  readonly t: number;
  readonly topic: string;
  readonly retain: boolean;
  readonly payload: string;
}
const recorded: Recorded[] = readFileSync(path.join(import.meta.dirname, 'fixtures/line-uns.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Recorded);
const passMs = (recorded.at(-1)?.t ?? 0) + 1_000;
/** The wall time the recording's t = 0 stands for (its messages' ts minus their t). */
const recordStart = Math.min(
  ...recorded.map((r) => {
    const ts = r.payload.startsWith('{') ? (JSON.parse(r.payload) as { ts?: string }).ts : undefined;
    return ts !== undefined ? Date.parse(ts) - r.t : Number.POSITIVE_INFINITY;
  }),
);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The recorded message as line `n` sends it on pass `pass`: its ids, seqs and times moved on. */
function replayed(
  r: Recorded,
  n: number,
  pass: number,
  shiftMs: number,
  publishedAt: number,
): { topic: string; payload: string } {
  const line = `line${n}`;
  const topic = r.topic.replace('/line1/', `/${line}/`).replace('/agents/line1-pi/', `/agents/${line}-pi/`);
  if (!r.payload.startsWith('{')) return { topic, payload: r.payload };
  const seqOffset = pass * 1_000_000;
  const move = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (ISO.test(value)) return new Date(Date.parse(value) + shiftMs).toISOString();
      if (key === 'agentId') return `${line}-pi`;
      const id = /^(line1|press|weld|pack)-(\d{9})$/.exec(value);
      if (id !== null)
        return `${id[1] === 'line1' ? line : id[1]}-${String(Number(id[2]) + seqOffset).padStart(9, '0')}`;
      return value;
    }
    if (key === 'seq' && typeof value === 'number') return value + seqOffset;
    if (Array.isArray(value)) return value.map((v) => move(v, ''));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v, k)]));
    return value;
  };
  const moved = move(JSON.parse(r.payload), '') as Record<string, unknown>;
  // A ledger's ts is its publish time: the latency to the page is measured from it.
  if (topic.endsWith('/ledger')) moved.ts = new Date(publishedAt).toISOString();
  return { topic, payload: JSON.stringify(moved) };
}

function procStats(pid: number): { cpuMs: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuMs: (ticks * 1000) / 100, rssKb: Number(rss ?? 0) };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const dir = createTempDir('plant-fanin');
const broker = await startMosquitto({ extraConf: 'max_queued_messages 100000\n' });
const real = REAL > 0 ? await startPlantLines(dir, broker.url, REAL, 1, { oeeInterval: '10s' }) : undefined;

const httpPort = await freePort();
const plantFile = path.join(dir, 'plant.yaml');
writeFileSync(
  plantFile,
  `kind: plant
enterprise: lineside
sites: [sim]
mqtt: { url: ${broker.url} }
server: { host: 127.0.0.1, port: ${httpPort} }
storage: { dir: ${path.join(dir, 'plant-data')} }
`,
);
const plant = spawn(process.execPath, [...cliCommand(), 'plant', '-c', plantFile], {
  cwd: REPO,
  stdio: ['ignore', 'ignore', 'pipe'],
});
let plantErr = '';
plant.stderr.on('data', (d: Buffer) => (plantErr = (plantErr + d.toString()).slice(-4000)));
for (let i = 0; !(await canConnect(httpPort, '127.0.0.1')); i++) {
  if (i > 200 || plant.exitCode !== null) throw new Error(`the plant server did not start:\n${plantErr}`);
  await new Promise((r) => setTimeout(r, 50));
}

// The page's feed: every frame is the whole view; a line's asOf is its ledger's ts (publish time).
const latencies: number[] = [];
let measuring = false;
const seenAsOf = new Map<string, number>();
const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
ws.on('message', (data: Buffer) => {
  const now = Date.now();
  // A snapshot, then deltas: both carry the whole view in `data` (src/plant/http.ts).
  const msg = JSON.parse(data.toString()) as { data?: { lines?: { line: string; asOf: number | null }[] } };
  const view = msg.data ?? {};
  for (const l of view.lines ?? []) {
    if (l.asOf === null || seenAsOf.get(l.line) === l.asOf) continue;
    seenAsOf.set(l.line, l.asOf);
    if (measuring && Number(l.line.slice(4)) > REAL) latencies.push(now - l.asOf);
  }
});

// The replaying lines, spread over the pass so they do not publish in lockstep.
const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'fanin-replay' });
const started = Date.now();
let published = 0;
let stopped = false;
/** Waits of the replays, ended at once when the run stops (a replay may wait minutes for its next message). */
const waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
function sleepUnlessStopped(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const entry = {
      timer: setTimeout(() => {
        waits.delete(entry);
        resolve();
      }, ms),
      done: resolve,
    };
    waits.add(entry);
  });
}
const replays: Promise<void>[] = [];
for (let n = REAL + 1; n <= LINES; n++) {
  // Lines out of step within one OEE interval (10 s), as real agents started at different times are.
  const phase = ((n * 7919) % 1000) / 1000;
  replays.push(
    (async () => {
      for (let pass = 0; !stopped; pass++) {
        for (const r of recorded) {
          const at = started + (pass * passMs + r.t + phase * 10_000) / RATE;
          const wait = at - Date.now();
          if (wait > 0) await sleepUnlessStopped(wait);
          if (stopped) return;
          // One shift of every time per pass, so a pass's ledgers share their shift windows.
          const passStart = started + (pass * passMs + phase * 10_000) / RATE;
          const m = replayed(r, n, pass, passStart - recordStart, Date.now());
          await publisher.publishAsync(m.topic, m.payload, { qos: 1, retain: r.retain });
          published++;
        }
      }
    })(),
  );
}

await new Promise((r) => setTimeout(r, warmupMs));
const before = procStats(plant.pid as number);
const rss: number[] = [];
measuring = true;
const sampler = setInterval(() => rss.push(procStats(plant.pid as number).rssKb), 1_000);
const publishedBefore = published;
await new Promise((r) => setTimeout(r, durationMs));
measuring = false;
clearInterval(sampler);
const after = procStats(plant.pid as number);
const sent = published - publishedBefore;
const api = (await (await fetch(`http://127.0.0.1:${httpPort}/api/plant`)).json()) as {
  lines: unknown[];
  plant: { linesOnline: number };
};

stopped = true;
for (const w of waits) {
  clearTimeout(w.timer);
  w.done();
}
await Promise.allSettled(replays);
ws.close();
await publisher.endAsync();
plant.kill('SIGTERM');
await new Promise((r) => plant.once('exit', r));
await real?.stop();
await broker.close();
removeTempDir(dir);

const sorted = [...latencies].sort((a, b) => a - b);
const cpu = ((after.cpuMs - before.cpuMs) / durationMs) * 100;
console.log(
  `plant fan-in: ${LINES} lines (${REAL} real agents, ${LINES - REAL} replaying at ${RATE}x), ${values.duration}`,
);
console.log(`  messages into the broker from replays: ${sent} (${(sent / (durationMs / 1000)).toFixed(0)}/s)`);
console.log(`  lines on the plant page: ${api.lines.length} (${api.plant.linesOnline} online)`);
console.log(`  plant server CPU: ${cpu.toFixed(1)} % of one core`);
console.log(
  `  plant server RSS: mean ${(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length) / 1024).toFixed(1)} MB, max ${(Math.max(...rss) / 1024).toFixed(1)} MB`,
);
console.log(
  `  ledger publish -> page frame: n=${sorted.length} p50 ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${sorted.at(-1) ?? Number.NaN} ms`,
);
