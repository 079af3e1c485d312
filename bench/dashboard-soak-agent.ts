/**
 * The measured process of bench/dashboard-soak.ts: the real core fed by a synthetic 10-station
 * line (polled every 200 ms, a part every ~12 s per station, a breakdown somewhere every few
 * minutes), the local history, and the dashboard server. Prints {"url"} once listening, then a
 * JSON line of figures every `reportMs`. Bundled to plain JavaScript and run by plain `node`, as
 * the agent runs from dist/ in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigText } from '../src/config/load.js';
import { createCore } from '../src/core/core.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { openHistoryStore } from '../src/outputs/history/store.js';
import { commandsPortOf, livePortOf } from '../src/server/adapt-core.js';
import { startServer } from '../src/server/start.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { stations?: number; reportMs?: number };
const stations = args.stations ?? 10;
const ids = Array.from({ length: stations }, (_, i) => `st${String(i + 1).padStart(2, '0')}`);
const loaded = loadConfigText(
  `
site: { enterprise: acme, site: bench }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
${ids.map((id, i) => `      - { name: ${id}Count, address: ${i * 4}, type: uint32 }\n      - { name: ${id}Fault, address: ${i * 4 + 2}, type: uint16 }`).join('\n')}
reasons:
  - { id: hydraulic, label: Hydraulic pressure low }
  - { id: jam, label: Jam }
shifts:
  timezone: UTC
  shifts:
    - { name: day, start: "06:00", end: "18:00" }
    - { name: night, start: "18:00", end: "06:00" }
lines:
  - id: line1
    stations:
${ids.map((id) => `      - { id: ${id}, idealCycleTime: 12s, signals: { cycleCounter: plc1.${id}Count, faultCode: plc1.${id}Fault }, faultReasons: { "17": hydraulic } }`).join('\n')}
server: { port: 0, host: 127.0.0.1 }
`,
  { env: {} },
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const config = loaded.config;
const dir = mkdtempSync(path.join(tmpdir(), 'lineside-soak-'));
const history = openHistoryStore({
  dir,
  retentionMs: config.storage.historyRetention,
  clock: systemClock,
  logger: silentLogger,
});
const core = createCore(config, { clock: systemClock });
core.on((e) => history.record(e));
const server = await startServer(
  {
    config,
    logger: silentLogger,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    health: {
      sources: () => [
        {
          device: 'plc1',
          endpoint: 'tcp://127.0.0.1:502 unit 1',
          connected: true,
          requests: 0,
          errors: 0,
          overruns: 0,
        },
      ],
    },
  },
  { host: '127.0.0.1', port: 0 },
);

// The synthetic line: deterministic pseudo-random so runs compare.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const counts = ids.map(() => 1000);
const faults = ids.map(() => 0);
const nextPartAt = ids.map(() => performance.now() + 12_000 * rand());
const poll = setInterval(() => {
  const now = performance.now();
  for (const [i, id] of ids.entries()) {
    if (faults[i] === 0 && now >= (nextPartAt[i] as number)) {
      counts[i] = (counts[i] as number) + 1;
      nextPartAt[i] = now + 12_000 * (1.02 + rand() * 0.15);
    }
    // A breakdown somewhere every ~5 minutes on average, lasting 1-4 minutes.
    // (5 polls a second: a line-wide chance of 1 in 1,500 per poll, repairs 1 in 750 per poll.)
    if (faults[i] === 0 && rand() < 1 / (1_500 * stations)) faults[i] = 17;
    else if (faults[i] !== 0 && rand() < 1 / 750) faults[i] = 0;
    const at = { ts: Date.now(), mono: now };
    core.sample({ tag: `plc1.${id}Count`, value: counts[i] as number, ...at });
    core.sample({ tag: `plc1.${id}Fault`, value: faults[i] as number, ...at });
  }
  core.tick();
}, 200);

console.log(JSON.stringify({ url: server.url }));
const startCpu = process.cpuUsage();
const startedAt = performance.now();
// With --expose-gc: a full GC before every sixth report (once a minute) gives the live heap, the
// figure that shows a leak; ~10 ms a minute does not move the CPU figure.
const gc = (globalThis as { gc?: () => void }).gc;
let reports = 0;
const report = setInterval(() => {
  let liveHeap: number | undefined;
  if (gc !== undefined && ++reports % 6 === 0) {
    gc();
    liveHeap = process.memoryUsage().heapUsed;
  }
  const cpu = process.cpuUsage(startCpu);
  const mem = process.memoryUsage();
  console.log(
    JSON.stringify({
      t: Math.round(performance.now() - startedAt),
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      liveHeap,
      ws: server.app.lineside.hub.stats(),
      history: history.health().recorded,
    }),
  );
}, args.reportMs ?? 10_000);

const stop = async () => {
  clearInterval(poll);
  clearInterval(report);
  await server.close();
  history.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
