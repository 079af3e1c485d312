/**
 * Latency from the Modbus poll response that carries a change to the websocket frame that shows
 * it on the dashboard: a PLC (modbus-serial ServerTCP on loopback) raises a fault code; the real
 * Modbus source polls it, the real core turns it into a "down" state, the dashboard server
 * broadcasts, and a websocket client receives the frame. Measured in one process, as the agent
 * runs: t0 when the source hands the changed sample to the sink, t1 when the client has parsed
 * the frame showing the station down.
 *
 *   npx tsx bench/dashboard-latency.ts [--samples 200] [--poll 50ms] [--clients 1]
 *
 * The agent ticks the core right after a poll's samples (setImmediate), so the core adds no wait;
 * the server's broadcast window (250 ms, leading edge) is the only deliberate delay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ModbusRTU from 'modbus-serial';
import { WebSocket } from 'ws';
import { loadConfigText } from '../src/config/load.js';
import { parseDurationMs } from '../src/config/duration.js';
import { createCore } from '../src/core/core.js';
import type { Sample } from '../src/core/sample.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { openHistoryStore } from '../src/outputs/history/store.js';
import { commandsPortOf, livePortOf } from '../src/server/adapt-core.js';
import { startServer } from '../src/server/start.js';
import type { DeltaView } from '../src/server/view-model.js';
import { createModbusSource } from '../src/sources/modbus/source.js';
import { freePort } from '../tests/helpers/ports.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' },
    poll: { type: 'string', default: '50ms' },
    clients: { type: 'string', default: '1' },
  },
});
const samples = Number(values.samples);
const pollMs = parseDurationMs(values.poll) ?? 50;
const clientCount = Number(values.clients);

// ---- the PLC --------------------------------------------------------------------------------
const registers = new Uint16Array(16);
type ServerTcpCtor = new (
  vector: unknown,
  options: { host: string; port: number },
) => { close(cb: () => void): void; on(e: string, f: (...a: unknown[]) => void): void };
const ServerTCP = (ModbusRTU as unknown as { ServerTCP: ServerTcpCtor }).ServerTCP;
const plcPort = await freePort();
const plc = new ServerTCP(
  { getHoldingRegister: (addr: number) => registers[addr] ?? 0 },
  { host: '127.0.0.1', port: plcPort },
);
plc.on('socketError', () => undefined);
await new Promise((resolve) => plc.on('initialized', resolve));
// The press makes a part every 500 ms while it has no fault.
const counter = setInterval(() => {
  if (registers[2] === 0) registers[1] = ((registers[1] ?? 0) + 1) & 0xffff;
}, 500);

// ---- the agent ------------------------------------------------------------------------------
const loaded = loadConfigText(
  `
site: { enterprise: acme, site: bench }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    port: ${plcPort}
    pollInterval: ${pollMs}ms
    timeout: ${Math.max(10, Math.floor(pollMs * 0.8))}ms
    tags:
      - { name: pressCount, address: 0, type: uint32 }
      - { name: pressFault, address: 2, type: uint16 }
reasons:
  - { id: hydraulic, label: Hydraulic pressure low }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 500ms
        signals: { cycleCounter: plc1.pressCount, faultCode: plc1.pressFault }
        faultReasons: { "17": hydraulic }
server: { port: 0, host: 127.0.0.1 }
`,
  { env: {} },
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const config = loaded.config;
const dir = mkdtempSync(path.join(tmpdir(), 'lineside-bench-'));
const history = openHistoryStore({
  dir,
  retentionMs: config.storage.historyRetention,
  clock: systemClock,
  logger: silentLogger,
});
const core = createCore(config, { clock: systemClock });
core.on((e) => history.record(e));
let faultChangedAt: number | undefined;
let lastFault = 0;
let tickScheduled = false;
const source = createModbusSource(config, { clock: systemClock, logger: silentLogger });
await source.start({
  sample(s: Sample) {
    if (s.tag === 'plc1.pressFault' && s.value !== lastFault) {
      lastFault = Number(s.value);
      if (lastFault !== 0) faultChangedAt = performance.now();
    }
    core.sample(s);
    if (!tickScheduled) {
      tickScheduled = true;
      setImmediate(() => {
        tickScheduled = false;
        core.tick();
      });
    }
  },
  comms: (c) => core.comms(c),
});
const ticker = setInterval(() => core.tick(), 200);
const server = await startServer(
  {
    config,
    logger: silentLogger,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    health: { sources: () => source.health() },
  },
  { host: '127.0.0.1', port: 0 },
);

// ---- the dashboards ---------------------------------------------------------------------------
let pressState = 'unknown';
let waiter: { want: (state: string) => boolean; resolve: (t: number) => void } | undefined;
const sockets: WebSocket[] = [];
for (let i = 0; i < clientCount; i++) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  sockets.push(ws);
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as {
      type: string;
      data?: { stations: Array<{ id: string; state: string }> };
    } & DeltaView;
    if (i !== 0) return;
    const station = (m.type === 'snapshot' ? m.data?.stations : m.stations)?.find((s) => s.id === 'press');
    if (station === undefined) return;
    pressState = station.state;
    if (waiter?.want(pressState)) {
      const w = waiter;
      waiter = undefined;
      w.resolve(performance.now());
    }
  });
}
await Promise.all(sockets.map((ws) => new Promise((r) => ws.once('open', r))));
const until = (want: (state: string) => boolean, timeoutMs = 10_000): Promise<number> =>
  new Promise((resolve, reject) => {
    if (want(pressState)) return resolve(performance.now());
    const timer = setTimeout(() => reject(new Error(`timed out waiting; press is ${pressState}`)), timeoutMs);
    waiter = {
      want,
      resolve: (t) => {
        clearTimeout(timer);
        resolve(t);
      },
    };
  });

await until((s) => s === 'running', 30_000);
const latencies: number[] = [];
for (let i = 0; i < samples; i++) {
  faultChangedAt = undefined;
  registers[2] = 17;
  const shownAt = await until((s) => s === 'down');
  if (faultChangedAt === undefined) throw new Error('the frame came before the poll response?');
  latencies.push(shownAt - faultChangedAt);
  registers[2] = 0;
  await until((s) => s === 'running');
  // Changes come at random moments relative to the poll schedule and the broadcast window.
  await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
}

latencies.sort((a, b) => a - b);
const q = (p: number) =>
  (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] as number).toFixed(1);
console.log(`dashboard latency: Modbus poll response carrying a fault -> websocket frame showing the station down`);
console.log(
  `  ${latencies.length} changes, poll every ${pollMs} ms, ${clientCount} client(s), broadcast window 250 ms (leading edge)`,
);
console.log(
  `  p50 ${q(0.5)} ms   p90 ${q(0.9)} ms   p99 ${q(0.99)} ms   max ${(latencies[latencies.length - 1] as number).toFixed(1)} ms`,
);
console.log(`  (plus up to one poll interval, ${pollMs} ms, between the PLC changing and the poll that reads it)`);

for (const ws of sockets) ws.terminate();
clearInterval(ticker);
clearInterval(counter);
await server.close();
await source.stop();
history.close();
await new Promise<void>((r) => plc.close(() => r()));
rmSync(dir, { recursive: true, force: true });
