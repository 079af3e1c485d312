/**
 * Sparkplug B beside the JSON namespace, on the demo line (the bundled scenario, the real agent,
 * the embedded broker, all in this process):
 *   1. bytes on the wire per event: the JSON message (topic + payload) against the Sparkplug DDATA
 *      (topic + protobuf payload) for the same events, taken from a run of the demo at x600;
 *   2. CPU of the whole demo at x1 (the line's real rate) with the edge node off and on,
 *      alternating in one run, median of the rounds.
 *
 *   npx tsx bench/sparkplug.ts [cpuSecondsPerRound=30] [rounds=2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setUpDemo } from '../src/cli/demo-setup.js';
import type { CoreEvent } from '../src/core/events.js';
import { eventPayload, eventRoute } from '../src/outputs/mqtt/index.js';
import { EdgeNodeSession } from '../src/outputs/sparkplug/session.js';

const CPU_S = Number(process.argv[2] ?? 30);
const ROUNDS = Number(process.argv[3] ?? 2);

async function withDemo<T>(
  speed: number,
  sparkplug: boolean,
  body: () => Promise<T>,
  onEvent?: (e: CoreEvent) => void,
) {
  const data = mkdtempSync(path.join(os.tmpdir(), 'lineside-bench-spb-'));
  const demo = await setUpDemo(
    { speed, seed: 1, httpPort: 0, mqttPort: 0, sparkplug },
    { ...process.env, LINESIDE_DEMO_DATA: data },
  );
  if (onEvent) demo.agent.events.add('bench', onEvent);
  await demo.agent.start();
  try {
    return await body();
  } finally {
    await demo.agent.stop();
    await demo.stopSimulator();
    rmSync(data, { recursive: true, force: true });
  }
}

// 1. Bytes per event.
const events: CoreEvent[] = [];
await withDemo(
  600,
  false,
  () => sleep(20_000),
  (e) => events.push(e),
);
const stations = [...new Set(events.flatMap((e) => (e.station === undefined ? [] : [e.station])))];
const session = new EdgeNodeSession({ groupId: 'sim', edgeNodeId: 'demo', stations, version: '0.1.0' });
session.births(0, Date.now());
const names = { root: 'lineside', site: 'sim', agentId: 'demo' };
const byType = new Map<string, { n: number; json: number; spb: number; spbMessages: number }>();
for (const e of events) {
  const json = eventRoute(names, e).topic.length + Buffer.byteLength(eventPayload(e));
  const spb = session.apply(e, e.ts).reduce((sum, m) => sum + m.topic.length + m.payload.length, 0);
  const row = byType.get(e.type) ?? { n: 0, json: 0, spb: 0, spbMessages: 0 };
  row.n++;
  row.json += json;
  row.spb += spb;
  row.spbMessages += spb > 0 ? 1 : 0;
  byType.set(e.type, row);
}
console.log(`bytes on the wire per event (topic + payload), ${events.length} events of the demo line at x600:`);
console.log('  type       events   JSON avg   Sparkplug DDATA avg (messages)   ratio');
let tj = 0;
let ts = 0;
for (const [type, r] of byType) {
  tj += r.json;
  ts += r.spb;
  console.log(
    `  ${type.padEnd(10)} ${String(r.n).padStart(6)}   ${(r.json / r.n).toFixed(0).padStart(8)}   ${(r.spbMessages === 0 ? 0 : r.spb / r.spbMessages).toFixed(0).padStart(8)} (${r.spbMessages})   ${(r.spb / r.json).toFixed(2)}`,
  );
}
console.log(`  all: JSON ${tj} bytes, Sparkplug ${ts} bytes: ${(ts / tj).toFixed(2)} of the JSON`);

// 2. CPU at the demo's real rate, off and on alternating, after one warm-up run (JIT, caches).
const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
await withDemo(1, true, () => sleep(10_000));
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of ['off', 'on'] as const) {
    await withDemo(1, mode === 'on', async () => {
      await sleep(5_000);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(CPU_S * 1000);
      const c = process.cpuUsage(c0);
      cpu[mode].push(((c.user + c.system) / 1000 / (performance.now() - t0)) * 100);
    });
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
console.log(
  `CPU of the whole demo (simulator + agent + embedded broker) at x1, ${CPU_S} s per round, ${ROUNDS} rounds alternating:`,
);
console.log(`  Sparkplug off: ${cpu.off.map((x) => x.toFixed(2)).join(', ')} % (median ${median(cpu.off).toFixed(2)})`);
console.log(`  Sparkplug on:  ${cpu.on.map((x) => x.toFixed(2)).join(', ')} % (median ${median(cpu.on).toFixed(2)})`);
console.log(`  on / off: ${(median(cpu.on) / median(cpu.off)).toFixed(2)}`);
process.exit(0);
