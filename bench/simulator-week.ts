/**
 * A simulated week of the 3-station `steady` line in virtual time, writing the full truth file:
 * wall time, events, records, file size and peak RSS. Then the same for `demo` (livelier, more
 * records), and the Modbus TCP request rate of one virtual PLC for a single polling client.
 *
 *   npx tsx bench/simulator-week.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ModbusSerial from 'modbus-serial';
import { createSimLine } from '../simulator/engine/line.js';
import { loadScenarioFile } from '../simulator/scenario-load.js';
import type { Scenario } from '../simulator/scenario-schema.js';
import { startSimulator } from '../simulator/start.js';
import { VirtualClock } from '../simulator/time/virtual-clock.js';
import { TruthWriter } from '../simulator/truth/writer.js';
// The CommonJS module's default export is the module itself; `.default` is the typed client class.
const ModbusRTU = ModbusSerial.default;

const WEEK_MS = 7 * 86_400_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-bench-'));

function scenario(name: string): Scenario {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(`${name} invalid`);
  return r.scenario as Scenario;
}

function week(name: string): void {
  const file = path.join(dir, `${name}.jsonl`);
  const writer = new TruthWriter(file);
  const t0 = performance.now();
  const line = createSimLine(scenario(name), { seed: 1, onTruth: writer.write });
  line.finish(WEEK_MS);
  writer.close();
  const wallMs = performance.now() - t0;
  const mb = statSync(file).size / 1e6;
  console.log(
    `${name.padEnd(7)} 1 simulated week: ${wallMs.toFixed(0)} ms wall (${(WEEK_MS / wallMs).toFixed(0)}x real time), ` +
      `${line.eventsProcessed} events, ${writer.records} truth records, ${mb.toFixed(1)} MB, ` +
      `peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}

async function pollRate(): Promise<void> {
  const clock = new VirtualClock({ startWallMs: 0 });
  const sim = await startSimulator({ scenario: 'steady', clock, basePort: 0 });
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: sim.ports.plc1 as number });
  client.setID(1);
  client.setTimeout(1000);
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await client.readHoldingRegisters(0, 20);
  const ms = performance.now() - t0;
  console.log(
    `modbus  ${n} sequential reads of 20 holding registers: ${(n / (ms / 1000)).toFixed(0)} requests/s, ${((ms / n) * 1000).toFixed(0)} us each`,
  );
  await new Promise<void>((resolve) => client.close(() => resolve()));
  await sim.stop();
}

console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`);
week('steady');
week('demo');
await pollRate();
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
