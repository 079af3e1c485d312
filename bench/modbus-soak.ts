/**
 * CPU and memory of the Modbus poller at a realistic load, and its poll jitter:
 * 10 devices x 20 tags polled every 100 ms, every value changing on every read, and a sink that
 * JSON-serialises every sample (the CPU core of publishing it; bench/mqtt-drain.ts measures the
 * real publisher).
 * Budget: under 4 % of one core and under 85 MB RSS.
 *
 * Three processes: the PLCs (bench/modbus-server-farm.ts), this orchestrator, and the measured
 * poller (bench/modbus-soak-agent.ts bundled to plain JavaScript with esbuild, packages left
 * external, and run by plain `node` as the agent runs from dist/ in production: a TypeScript
 * loader alone would add ~35 MB of RSS that the real agent does not have).
 *
 *   npx tsx bench/modbus-soak.ts [--duration 300s] [--devices 10] [--interval 100ms] [--node-flags="--max-semi-space-size=2"]
 *
 * --node-flags passes V8 options to the measured process: Node's young generation grows to
 * 2 x 16 MiB semi-spaces under a steady allocation rate, which is most of the poller's RSS
 * growth; a 1-2 MiB semi-space trades a little CPU for ~15 MiB (docs/modbus.md, "Resources").
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { parseDurationMs } from '../src/config/duration.js';
import { startFarm } from './modbus-farm-client.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '300s' },
    devices: { type: 'string', default: '10' },
    interval: { type: 'string', default: '100ms' },
    'node-flags': { type: 'string', default: '' },
  },
});
const durationMs = parseDurationMs(values.duration) ?? 300_000;
const warmupMs = 10_000;

// Inside node_modules so the bundle's bare imports (zod, pino, modbus-serial) resolve.
const outDir = path.resolve('node_modules/.cache/lineside-bench');
mkdirSync(outDir, { recursive: true });
const agentFile = path.join(outDir, 'modbus-soak-agent.mjs');
await build({
  entryPoints: ['bench/modbus-soak-agent.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: agentFile,
  logLevel: 'warning',
});

const farm = await startFarm(['--plcs', values.devices]);
try {
  const flags = values['node-flags'].split(/\s+/).filter((f) => f !== '');
  const child = spawn(
    process.execPath,
    [...flags, agentFile, JSON.stringify({ ports: farm.ports, durationMs, warmupMs, interval: values.interval })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`measured poller exited with ${code}`);
  const r = JSON.parse(output) as Record<string, number | string>;
  const n = (k: string, digits = 1) => Number(r[k]).toFixed(digits);
  console.log(
    `modbus soak: ${values.devices} devices x ${r.tags} tags every ${values.interval} (${r.requestsPerPoll} requests per poll each), measured ${Math.round(Number(r.elapsedMs) / 1000)} s after ${warmupMs / 1000} s warm-up, plain node ${r.node}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`,
  );
  console.log(
    `  CPU          ${n('cpuPercent', 2)} % of one core (user ${n('cpuUserPercent', 2)} %, system ${n('cpuSystemPercent', 2)} %)   budget < 4 %`,
  );
  console.log(
    `  RSS          max ${n('rssMaxMiB')} MiB, at end ${n('rssEndMiB')} MiB (${n('rssAtStartMiB')} MiB before polling; heap used ${n('heapUsedMiB')} MiB)   budget < 85 MB`,
  );
  if (r.liveHeapStartMiB !== undefined)
    console.log(
      `  live heap    ${n('liveHeapStartMiB')} MiB -> ${n('liveHeapEndMiB')} MiB after full GCs at start and end of the window (leak check)`,
    );
  console.log(`  samples      ${n('samplesPerS', 0)} /s, each JSON-serialised (${n('serialisedMiB')} MiB)`);
  console.log(`  requests     ${n('requestsPerS', 0)} /s, errors ${r.errors}, overruns ${r.overruns}`);
  console.log(
    `  poll jitter  p50 ${n('jitterP50Ms', 2)} ms (median device), p99 ${n('jitterP99Ms', 2)} ms (worst device), over each device's last 1024 polls`,
  );
  console.log(`  latency      p50 ${n('latencyP50Ms', 2)} ms, p99 ${n('latencyP99Ms', 2)} ms`);
} finally {
  await farm.stop();
}
