/**
 * The whole agent at scale, as a plant runs it: the built CLI (`bin/lineside.js start`, so run
 * `npm run build` first) with the systemd unit's NODE_OPTIONS, polling a farm of Modbus PLCs whose
 * registers change on every read (bench/modbus-server-farm.ts, its own process), with core,
 * spool, predictors and dashboard on, `stations` stations in the core (one per device at most,
 * each counting a part every ten polls), and every value either
 * written to a real influxd (`--sink influx`, the default) or published to a real mosquitto at
 * QoS 0 (`--sink mqtt`). For each size it reports CPU (% of one core, utime+stime from /proc over
 * the window), RSS (mean and max, sampled each second), poll overruns, spool depth (rows not yet
 * written by the slowest output) and event-loop lag p99 (from /metrics), and start-up to the
 * first value written.
 *
 *   npx tsx bench/agent-scale.ts                                   # 2k, 5k, 10k tags @ 1 s to InfluxDB
 *   npx tsx bench/agent-scale.ts --tags 1000 --per-device 100 --interval 100ms --sink mqtt
 *   npx tsx bench/agent-scale.ts --tags 10000 --duration 60s --warmup 20s
 *   npx tsx bench/agent-scale.ts --tags 10000 --node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
 *
 * Needs influxd (Debian influxdb) or mosquitto on the PATH. Everything on 127.0.0.1; every
 * process it starts is stopped at the end. A benchmark, not a test: the figures move from run to
 * run, so compare sizes within one run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/config/duration.js';
import { startInfluxd } from '../tests/helpers/influxd.js';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { freePort } from '../tests/helpers/ports.js';
import { createTempDir, removeTempDir } from '../tests/helpers/service.js';
import { startFarm } from './modbus-farm-client.js';

const { values } = parseArgs({
  options: {
    tags: { type: 'string', default: '2000,5000,10000' },
    'per-device': { type: 'string', default: '100' },
    interval: { type: 'string', default: '1s' },
    stations: { type: 'string', default: '50' },
    sink: { type: 'string', default: 'influx' },
    duration: { type: 'string', default: '60s' },
    warmup: { type: 'string', default: '20s' },
    'node-options': { type: 'string', default: '--max-old-space-size=192 --max-semi-space-size=2' },
    // Flags NODE_OPTIONS may not carry, for profiling: --node-args="--cpu-prof --cpu-prof-dir=/tmp/p"
    'node-args': { type: 'string', default: '' },
  },
});
const perDevice = Number(values['per-device']);
const stations = Number(values.stations);
const durationMs = parseDurationMs(values.duration) ?? 60_000;
const warmupMs = parseDurationMs(values.warmup) ?? 20_000;
const sink = values.sink === 'mqtt' ? 'mqtt' : 'influx';
/** A part every ten polls, at the ideal rate. */
const COUNTER_PERIOD = 10;
const cycleMs = (parseDurationMs(values.interval) ?? 1_000) * COUNTER_PERIOD;
const CLK_TCK = 100; // Linux USER_HZ
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function configYaml(devices: number, ports: readonly number[], httpPort: number, sinkUrl: string, dir: string): string {
  const tagList = Array.from(
    { length: perDevice },
    (_, j) => `      - { name: hr${j}, address: ${j}, type: uint16 }`,
  ).join('\n');
  const devs = Array.from(
    { length: devices },
    (_, i) =>
      `  - id: dev${i + 1}\n    protocol: modbus-tcp\n    host: 127.0.0.1\n    port: ${ports[i]}\n    pollInterval: ${values.interval}\n    timeout: 500ms\n    tags:\n${tagList}`,
  ).join('\n');
  // Station k counts parts on register 0 of device k (the farm's part counter: one part every
  // ten polls), so there are at most as many stations as devices.
  const stationList = Array.from(
    { length: Math.min(stations, devices) },
    (_, k) => `      - { id: st${k + 1}, idealCycleTime: ${cycleMs}ms, signals: { cycleCounter: dev${k + 1}.hr0 } }`,
  ).join('\n');
  const output =
    sink === 'influx'
      ? `mqtt: { enabled: false }\ninflux: { enabled: true, url: ${sinkUrl}, database: bench, writeSamples: true }\n`
      : `mqtt: { url: ${sinkUrl}, topicRoot: plant, samples: { publish: true, qos: 0 } }\n`;
  return `site: { enterprise: plant, site: bench }
agent: { id: scale }
logging: { level: warn }
devices:
${devs}
lines:
  - id: line1
    stations:
${stationList}
${output}server: { host: 127.0.0.1, port: ${httpPort} }
storage: { dir: ${dir} }
`;
}

function cpuTicks(pid: number): number {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(/\s+/);
  return Number(rest[11]) + Number(rest[12]);
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function metrics(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    const key = line.slice(0, at);
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(at + 1)));
  }
  return out;
}

function sum(m: Map<string, number>, prefix: string): number {
  let total = 0;
  for (const [k, v] of m) if (k === prefix || k.startsWith(`${prefix}{`)) total += v;
  return total;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check()) return performance.now() - t0;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Row {
  tags: number;
  devices: number;
  cpu: number;
  rssMean: number;
  rssMax: number;
  overruns: number;
  spoolDepth: number;
  lagP99Ms: number;
  startupMs: number;
  written: number;
}

async function runSize(tags: number): Promise<Row> {
  const devices = Math.ceil(tags / perDevice);
  const farm = await startFarm(['--plcs', String(devices), '--counter-period', String(COUNTER_PERIOD)]);
  const dir = createTempDir('agent-scale');
  const influx = sink === 'influx' ? await startInfluxd() : undefined;
  const mosquitto = sink === 'mqtt' ? await startMosquitto() : undefined;
  let agent: ChildProcess | undefined;
  try {
    const httpPort = await freePort();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      configYaml(devices, farm.ports, httpPort, influx?.url ?? mosquitto!.url, path.join(dir, 'data')),
    );
    const t0 = performance.now();
    const nodeArgs = values['node-args'].split(' ').filter((a) => a !== '');
    agent = spawn(process.execPath, [...nodeArgs, 'bin/lineside.js', 'start', '-c', file], {
      env: { ...process.env, NODE_OPTIONS: values['node-options'] },
      // With --node-args (profiling, --trace-gc) the agent's stdout is passed through.
      stdio: ['ignore', nodeArgs.length > 0 ? 'inherit' : 'ignore', 'inherit'],
    });
    const pid = agent.pid!;
    // Start-up: until the output has written something.
    await waitFor('the agent to answer /metrics', async () => {
      try {
        await metrics(httpPort);
        return true;
      } catch {
        return false;
      }
    });
    await waitFor('the first value written', async () => {
      const m = await metrics(httpPort);
      return sum(m, 'lineside_output_sent_total') > 0;
    });
    const startupMs = performance.now() - t0;
    await sleep(warmupMs);
    const before = await metrics(httpPort);
    const c0 = cpuTicks(pid);
    const w0 = performance.now();
    const rss: number[] = [];
    for (let s = 0; s < durationMs / 1_000; s++) {
      await sleep(Math.max(0, w0 + (s + 1) * 1_000 - performance.now()));
      rss.push(rssMiB(pid));
    }
    const cpu = ((cpuTicks(pid) - c0) / CLK_TCK / ((performance.now() - w0) / 1_000)) * 100;
    const after = await metrics(httpPort);
    return {
      tags,
      devices,
      cpu,
      rssMean: rss.reduce((a, b) => a + b, 0) / rss.length,
      rssMax: Math.max(...rss),
      overruns: sum(after, 'lineside_modbus_poll_overruns_total') - sum(before, 'lineside_modbus_poll_overruns_total'),
      spoolDepth: after.get('lineside_spool_depth') ?? Number.NaN,
      lagP99Ms: (after.get('lineside_event_loop_lag_seconds{quantile="0.99"}') ?? Number.NaN) * 1_000,
      startupMs,
      written: sum(after, 'lineside_output_sent_total') - sum(before, 'lineside_output_sent_total'),
    };
  } finally {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent!.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await influx?.close();
    await mosquitto?.close();
    await farm.stop();
    removeTempDir(dir);
  }
}

const sizes = values.tags.split(',').map(Number);
console.log(
  `agent-scale: ${perDevice} tags/device @ ${values.interval}, ${stations} stations, sink ${sink}, ` +
    `NODE_OPTIONS "${values['node-options']}", ${durationMs / 1000} s after ${warmupMs / 1000} s warm-up`,
);
console.log(
  '| tags | devices | CPU % | RSS MiB mean / max | overruns | spool depth | loop lag p99 ms | start-up ms | outputs sent/s |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const tags of sizes) {
  const r = await runSize(tags);
  console.log(
    `| ${r.tags} | ${r.devices} | ${r.cpu.toFixed(2)} | ${r.rssMean.toFixed(0)} / ${r.rssMax.toFixed(0)} | ${r.overruns} | ${r.spoolDepth} | ${r.lagP99Ms.toFixed(1)} | ${r.startupMs.toFixed(0)} | ${(r.written / (durationMs / 1_000)).toFixed(0)} |`,
  );
}
