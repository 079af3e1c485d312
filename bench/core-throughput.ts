/**
 * Samples per second through the streaming core for a 10-station line, and heap after 1, 5 and 10
 * million samples (flat = no leak).
 *
 *   npx tsx --expose-gc bench/core-throughput.ts [totalSamples]
 *
 * Also prints the cost and size of the restart checkpoint, which the spool takes in every commit
 * that adds events.
 *
 * Each station has 7 bound tags (counter, running, fault, reject, starved, blocked, planned) and one
 * unbound condition tag; every poll (100 ms of virtual time) reads all 80 tags, as a poller without
 * deadband would. Parts complete about once per ideal cycle (1 s), a fault strikes every ~20 min
 * and lasts ~3 min, the agent ticks every second, and a calendar with breaks and two shifts runs in
 * the background. Sample objects are reused (the core keeps no reference to them), so what is
 * measured is the core, not the generator.
 */
import { loadConfigText } from '../src/config/load.js';
import type { LinesideConfig } from '../src/config/schema.js';
import { splitRolling } from '../src/core/checkpoint.js';
import { createCore } from '../src/core/core.js';
import type { Clock } from '../src/core/sample.js';

const STATIONS = 10;
const POLL_MS = 100;
const TOTAL = Number(process.argv[2] ?? 10_000_000);

function buildConfig(): LinesideConfig {
  const tags: string[] = [];
  const stations: string[] = [];
  for (let i = 0; i < STATIONS; i++) {
    const b = i * 10;
    tags.push(
      `{ name: s${i}_count, address: ${b}, type: uint32 }`,
      `{ name: s${i}_running, address: ${b + 2}, type: bit, bit: 0 }`,
      `{ name: s${i}_starved, address: ${b + 2}, type: bit, bit: 1 }`,
      `{ name: s${i}_blocked, address: ${b + 2}, type: bit, bit: 2 }`,
      `{ name: s${i}_planned, address: ${b + 2}, type: bit, bit: 3 }`,
      `{ name: s${i}_fault, address: ${b + 3} }`,
      `{ name: s${i}_reject, address: ${b + 4} }`,
      `{ name: s${i}_temp, address: ${b + 5}, type: float32 }`,
    );
    stations.push(`
      - id: s${i}
        idealCycleTime: 1s
        signals: { cycleCounter: plc1.s${i}_count, running: plc1.s${i}_running, faultCode: plc1.s${i}_fault, rejectCount: plc1.s${i}_reject, starved: plc1.s${i}_starved, blocked: plc1.s${i}_blocked, plannedStop: plc1.s${i}_planned }
        faultReasons: { "1": jam, "2": hydraulic }`);
  }
  const yaml = `
site: { enterprise: bench, site: bench }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags: [${tags.join(', ')}]
reasons: [{ id: jam, label: Jam }, { id: hydraulic, label: Hydraulic }]
shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: early, start: "06:00", end: "14:00", breaks: [{ name: b1, start: "09:00", duration: 15m }, { name: b2, start: "12:00", duration: 30m }] }
    - { name: late, start: "14:00", end: "22:00", breaks: [{ name: b3, start: "18:00", duration: 30m }] }
lines:
  - id: line1
    stations: ${stations.join('')}
`;
  const result = loadConfigText(yaml, { env: {} });
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return result.config as LinesideConfig;
}

interface MutableSample {
  tag: string;
  value: number | boolean;
  ts: number;
  mono: number;
}

const wallAtZero = Date.UTC(2025, 0, 6, 4, 0); // Monday 05:00 Berlin
const clock = { mono: 0, wallMs: () => wallAtZero + clock.mono, monoMs: () => clock.mono } as Clock & { mono: number };
let events = 0;
const core = createCore(buildConfig(), { clock, onEvent: () => events++ });

// Per station: counter, running, starved, blocked, planned, fault, reject, temp.
const samples: MutableSample[][] = [];
for (let i = 0; i < STATIONS; i++) {
  samples.push(
    ['count', 'running', 'starved', 'blocked', 'planned', 'fault', 'reject', 'temp'].map((name) => ({
      tag: `plc1.s${i}_${name}`,
      value: 0,
      ts: 0,
      mono: 0,
    })),
  );
}
const counts = new Array<number>(STATIONS).fill(0);
const rejects = new Array<number>(STATIONS).fill(0);
const faultUntil = new Array<number>(STATIONS).fill(-1);
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): string => {
  gc?.();
  return (process.memoryUsage().heapUsed / 2 ** 20).toFixed(1);
};

const checkpoints = new Set([1_000_000, 5_000_000, 10_000_000]);
const heap: string[] = [];
let sent = 0;
let poll = 0;
let busyMs = 0;
console.log(
  `core throughput: ${STATIONS} stations x 8 tags per poll, ${TOTAL.toLocaleString('en')} samples${gc === undefined ? ' (run with --expose-gc for heap figures)' : ''}`,
);
while (sent < TOTAL) {
  poll++;
  const mono = poll * POLL_MS;
  clock.mono = mono;
  const ts = wallAtZero + mono;
  // Generate this poll's values (not timed).
  for (let i = 0; i < STATIONS; i++) {
    const faulted = mono < faultUntil[i]!;
    if (!faulted && rnd() < POLL_MS / (20 * 60_000)) faultUntil[i] = mono + 180_000;
    const down = mono < faultUntil[i]!;
    if (!down && rnd() < 0.1) {
      counts[i]!++;
      if (rnd() < 0.02) rejects[i]!++;
    }
    const s = samples[i]!;
    s[0]!.value = counts[i]!;
    s[1]!.value = !down;
    s[2]!.value = false;
    s[3]!.value = false;
    s[4]!.value = false;
    s[5]!.value = down ? 1 + (i % 2) : 0;
    s[6]!.value = rejects[i]!;
    s[7]!.value = 60 + rnd();
    for (const x of s) {
      x.ts = ts;
      x.mono = mono;
    }
  }
  const t0 = performance.now();
  for (let i = 0; i < STATIONS; i++) {
    const s = samples[i]!;
    for (let k = 0; k < s.length; k++) core.sample(s[k]!);
  }
  if (poll % 10 === 0) core.tick();
  busyMs += performance.now() - t0;
  const before = sent;
  sent += STATIONS * 8;
  for (const c of checkpoints) if (before < c && sent >= c) heap.push(`${(c / 1e6).toFixed(0)}M: ${heapMb()} MB`);
}
const rate = sent / (busyMs / 1000);
console.log(
  `samples:          ${sent.toLocaleString('en')} (${((poll * POLL_MS) / 3_600_000).toFixed(1)} h of virtual time)`,
);
console.log(`time in the core: ${(busyMs / 1000).toFixed(2)} s`);
console.log(`throughput:       ${Math.round(rate).toLocaleString('en')} samples/s (target >= 1,000,000)`);
console.log(`events emitted:   ${events.toLocaleString('en')}`);
console.log(`heapUsed after GC: ${heap.join(', ')}`);
const snapT0 = performance.now();
for (let i = 0; i < 1000; i++) core.snapshot();
console.log(`snapshot():       ${(((performance.now() - snapT0) / 1000) * 1000).toFixed(1)} µs per call (10 stations)`);
// The restart checkpoint is taken in every spool commit that adds events (at most 4 a second with
// the default 250 ms commit interval): its cost and size bound what that costs the Pi.
// The rolling-hour buckets go separately, every 5 s (splitRolling).
const cpT0 = performance.now();
let stateBytes = 0;
for (let i = 0; i < 200; i++) stateBytes = JSON.stringify(core.checkpoint({ withRolling: false })).length;
const cpUs = ((performance.now() - cpT0) / 200) * 1000;
const rollingBytes = JSON.stringify(splitRolling(core.checkpoint()).rolling).length;
console.log(
  `checkpoint():     ${cpUs.toFixed(0)} µs per call without rolling buckets, incl. JSON (10 stations); at 4 commits/s ${((cpUs * 4) / 10_000).toFixed(2)} % of one core`,
);
console.log(
  `  written per commit with events: ${(stateBytes / 1024).toFixed(1)} KiB; rolling buckets every 5 s: ${(rollingBytes / 1024).toFixed(1)} KiB`,
);
