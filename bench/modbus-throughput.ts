/**
 * Sustained reads per second over loopback on ONE Modbus TCP connection against the simulator
 * (its demo line, running in its own process): back-to-back requests, one outstanding at a time,
 * as the transport always works. Each request reads 20 holding registers.
 *
 *   npx tsx bench/modbus-throughput.ts [--duration 10s] [--server simulator|plain]
 *
 * `--server plain` uses a bare raw-socket Modbus server instead (tests/helpers/modbus-fault-server)
 * to show the client's own ceiling when the server is not the bottleneck.
 */
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/config/duration.js';
import { silentLogger } from '../src/lib/logger.js';
import { SampleWindow } from '../src/sources/modbus/health.js';
import { ModbusTransport } from '../src/sources/modbus/transport.js';
import { startFarm } from './modbus-farm-client.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10s' }, server: { type: 'string', default: 'simulator' } },
});
const durationMs = parseDurationMs(values.duration) ?? 10_000;

const farm = await startFarm(values.server === 'plain' ? ['--plcs', '1'] : ['--simulator']);
const transport = new ModbusTransport(
  { kind: 'tcp', host: '127.0.0.1', port: farm.ports[0]! },
  {
    backoff: { initialMs: 250, maxMs: 1_000 },
    connectTimeoutMs: 1_000,
    logger: silentLogger,
  },
);
const latency = new SampleWindow(100_000);
const request = {
  target: { device: 'plc1', endpoint: transport.url, unitId: 1 },
  span: { area: 'holding' as const, start: 0, count: 20 },
  timeoutMs: 1_000,
};
let reads = 0;
let errors = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
while (performance.now() - t0 < durationMs) {
  try {
    const reply = await transport.read(request);
    latency.add(reply.latencyMs);
    reads++;
  } catch {
    errors++;
  }
}
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await transport.close();
await farm.stop();
console.log(
  `modbus throughput: one TCP connection to ${values.server === 'plain' ? 'a bare raw-socket Modbus server' : 'the simulator'} (separate process), 20 registers per read, ${Math.round(elapsedMs / 1000)} s, node ${process.version}`,
);
console.log(
  `  reads        ${(reads / (elapsedMs / 1000)).toFixed(0)} /s sustained (${reads} reads, ${errors} errors)`,
);
console.log(
  `  latency      p50 ${latency.percentile(50)?.toFixed(3)} ms, p99 ${latency.percentile(99)?.toFixed(3)} ms (request to decoded reply)`,
);
console.log(`  client CPU   ${((100 * (cpu.user + cpu.system)) / 1000 / elapsedMs).toFixed(0)} % of one core`);
