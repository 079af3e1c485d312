/**
 * The measured side of bench/modbus-soak.ts: polls the given ports and reports its own CPU, RSS,
 * sample rate and poll jitter as one JSON line. Run as plain JavaScript (bundled by
 * modbus-soak.ts), as the agent runs in production, so no TypeScript loader inflates the figures.
 * Arguments: JSON {ports, durationMs, warmupMs, interval}.
 */
import { Device } from '../src/config/schema-devices.js';
import type { Sample } from '../src/core/sample.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { planReads } from '../src/sources/modbus/planner.js';
import { createModbusSource } from '../src/sources/modbus/source.js';

interface Args {
  readonly ports: number[];
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly interval: string;
}

/** 20 tags: 10 x uint16, 4 x float32, 2 x uint32, 2 bits, 1 float64, 1 input int16. */
export function soakTags() {
  return [
    ...Array.from({ length: 10 }, (_, i) => ({ name: `count${i}`, address: i })),
    ...Array.from({ length: 4 }, (_, i) => ({ name: `temp${i}`, address: 10 + 2 * i, type: 'float32', order: 'CDAB' })),
    { name: 'total0', address: 18, type: 'uint32' },
    { name: 'total1', address: 20, type: 'uint32' },
    { name: 'running', address: 22, type: 'bit', bit: 0 },
    { name: 'fault', address: 22, type: 'bit', bit: 1 },
    { name: 'energy', address: 30, type: 'float64' },
    { name: 'current', area: 'input', address: 0, type: 'int16', scale: 0.01 },
  ];
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const rssAtStart = process.memoryUsage().rss;
  const devices = args.ports.map((port, i) =>
    Device.parse({
      protocol: 'modbus-tcp',
      id: `plc${i}`,
      host: '127.0.0.1',
      port,
      pollInterval: args.interval,
      tags: soakTags(),
    }),
  );
  let serialisedBytes = 0;
  let samples = 0;
  const sink = {
    sample(s: Sample) {
      samples++;
      serialisedBytes += JSON.stringify(s).length;
    },
    comms() {},
  };
  const source = createModbusSource({ devices }, { clock: systemClock, logger: silentLogger });
  await source.start(sink);
  await new Promise((r) => setTimeout(r, args.warmupMs));
  // With --expose-gc: live heap after a full collection at both ends of the window (a leak shows
  // as growth here, whatever the garbage collector's pace).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const liveHeapStart = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const samples0 = samples;
  const requests0 = source.health().reduce((n, h) => n + h.requests, 0);
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 1_000);
  await new Promise((r) => setTimeout(r, args.durationMs));
  clearInterval(rssTimer);
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = performance.now() - t0;
  const health = source.health();
  gc?.();
  const liveHeapEnd = process.memoryUsage().heapUsed;
  await source.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({
      node: process.version,
      tags: soakTags().length,
      requestsPerPoll: planReads(devices[0]!).reads.length,
      elapsedMs,
      cpuPercent: (100 * (cpu.user + cpu.system)) / 1000 / elapsedMs,
      cpuUserPercent: (100 * cpu.user) / 1000 / elapsedMs,
      cpuSystemPercent: (100 * cpu.system) / 1000 / elapsedMs,
      rssAtStartMiB: rssAtStart / 2 ** 20,
      rssMaxMiB: rssMax / 2 ** 20,
      rssEndMiB: process.memoryUsage().rss / 2 ** 20,
      heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
      ...(gc ? { liveHeapStartMiB: liveHeapStart / 2 ** 20, liveHeapEndMiB: liveHeapEnd / 2 ** 20 } : {}),
      samplesPerS: (samples - samples0) / (elapsedMs / 1000),
      serialisedMiB: serialisedBytes / 2 ** 20,
      requestsPerS: (health.reduce((n, h) => n + h.requests, 0) - requests0) / (elapsedMs / 1000),
      errors: health.reduce((n, h) => n + h.errors, 0),
      overruns: health.reduce((n, h) => n + h.overruns, 0),
      jitterP50Ms: median(health.map((h) => h.pollJitterP50Ms ?? NaN)),
      jitterP99Ms: Math.max(...health.map((h) => h.pollJitterP99Ms ?? NaN)),
      latencyP50Ms: median(health.map((h) => h.latencyP50Ms ?? NaN)),
      latencyP99Ms: Math.max(...health.map((h) => h.latencyP99Ms ?? NaN)),
    })}\n`,
  );
}

await main();
