/**
 * Predictor throughput: how many condition samples and core events per second one core of this
 * machine handles, and how much the sample path allocates.
 *
 *   npx tsx bench/predict-throughput.ts
 *
 * Figures: condition samples (running station, binned and trend-checked every minute), samples
 * of unrelated tags (the early return), cycle events (subgroups and charts), a realistic mix, and
 * heap growth per million condition samples.
 */
import os from 'node:os';
import { loadConfigText } from '../src/config/load.js';
import type { CoreEvent, Sample } from '../src/core/index.js';
import { createPredictor } from '../src/predict/index.js';

const config = (() => {
  const r = loadConfigText(
    `
site: { enterprise: acme, site: plant }
devices:
  - { id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [ { name: count, address: 0 }, { name: running, address: 1, type: bit, bit: 0 }, { name: vib, area: input, address: 0, type: float32 }, { name: temp, area: input, address: 2, type: float32 }, { name: other, address: 9 } ] }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.count, running: plc1.running }
        conditions: [ { tag: plc1.vib, kind: vibration, warning: 4.5, alarm: 7.1 }, { tag: plc1.temp, kind: temperature, warning: 80, alarm: 90 } ]
`,
    { env: {} },
  );
  if (!r.ok) throw new Error('bench config invalid');
  return r.config;
})();

const T0 = Date.UTC(2025, 0, 6);
let now = T0;
const clock = { wallMs: () => now, monoMs: () => now - T0 };

function fresh(): ReturnType<typeof createPredictor> {
  const p = createPredictor(config, { clock });
  now = T0;
  p.onEvent({
    type: 'state',
    id: 'press-1',
    line: 'line1',
    station: 'press',
    seq: 1,
    ts: now,
    state: 'running',
    previous: 'comms_lost',
    since: now,
  });
  return p;
}

function measure(name: string, n: number, body: (i: number) => void): void {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) body(i);
  const ms = performance.now() - t0;
  console.log(
    `${name.padEnd(44)} ${(n / (ms / 1000)).toExponential(2).padStart(9)} /s  (${n.toLocaleString('en')} in ${ms.toFixed(0)} ms)`,
  );
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}`);

// Condition samples at 1 s spacing: a bin closes (and the trend is fitted) once a minute per tag.
let p = fresh();
const samples: Sample[] = Array.from({ length: 1000 }, (_, i) => ({
  tag: i % 2 === 0 ? 'plc1.vib' : 'plc1.temp',
  value: i % 2 === 0 ? 2.5 + (i % 7) * 0.01 : 60 + (i % 5) * 0.1,
  ts: 0,
  mono: 0,
}));
measure('condition samples (2 tags, 1 s apart)', 2_000_000, (i) => {
  if (i % 2 === 0) now += 1000;
  const s = samples[i % 1000] as Sample;
  p.onSample({ tag: s.tag, value: s.value, ts: now, mono: now - T0 });
});

const other: Sample = { tag: 'plc1.other', value: 1, ts: T0, mono: 0 };
measure('samples of other tags (ignored)', 5_000_000, () => p.onSample(other));

p = fresh();
measure('cycle events (subgroup of 30, EWMA + CUSUM)', 1_000_000, (i) => {
  now += 10_000;
  const e: CoreEvent = {
    type: 'cycle',
    id: `press-${i}`,
    line: 'line1',
    station: 'press',
    seq: i + 2,
    ts: now,
    cycleTimeMs: 10_000 + (i % 13) * 37,
    good: true,
  };
  p.onEvent(e);
});

p = fresh();
measure('mix: 2 condition samples/s + 1 cycle/10 s + tick/s', 2_000_000, (i) => {
  now += 500;
  p.onSample({ tag: i % 2 === 0 ? 'plc1.vib' : 'plc1.temp', value: i % 2 === 0 ? 2.5 : 60, ts: now, mono: now - T0 });
  if (i % 20 === 0)
    p.onEvent({
      type: 'cycle',
      id: `press-${i}`,
      line: 'line1',
      station: 'press',
      seq: i + 2,
      ts: now,
      cycleTimeMs: 10_000,
      good: true,
    });
  if (i % 2 === 0) p.tick();
});

// Allocation: heap growth over a million samples that do not close a bin (the hot path).
p = fresh();
now += 10_000; // past the settle time after the start
const s0: Sample = { tag: 'plc1.vib', value: 2.5, ts: now, mono: now - T0 };
global.gc?.();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < 1_000_000; i++) p.onSample(s0);
const after = process.memoryUsage().heapUsed;
console.log(
  `heap growth over 1e6 same-bin samples: ${((after - before) / 1024).toFixed(0)} KiB${global.gc === undefined ? ' (run with --expose-gc for a clean figure)' : ''}`,
);

// The restart checkpoint after a realistic mix (condition trends binned, cycle drift learned):
// the open alerts go into every spool commit that adds events, the whole of it every 5 s.
p = fresh();
now += 10_000;
for (let i = 0; i < 200_000; i++) {
  now += 500;
  p.onSample({
    tag: i % 2 === 0 ? 'plc1.vib' : 'plc1.temp',
    value: i % 2 === 0 ? 2.5 + (i % 7) * 0.01 : 60 + (i % 5) * 0.1,
    ts: now,
    mono: now - T0,
  });
  if (i % 20 === 0)
    p.onEvent({
      type: 'cycle',
      id: `press-c${i}`,
      line: 'line1',
      station: 'press',
      seq: i + 2,
      ts: now,
      cycleTimeMs: 10_000 + (i % 3) * 50,
      good: true,
    });
  if (i % 2 === 0) p.tick();
}
const cpT0 = performance.now();
let cpBytes = 0;
for (let i = 0; i < 100; i++) cpBytes = JSON.stringify(p.checkpoint()).length;
console.log(
  `checkpoint(): ${(((performance.now() - cpT0) / 100) * 1000).toFixed(0)} µs incl. JSON, ${(cpBytes / 1024).toFixed(1)} KiB every 5 s; alertsCheckpoint() with every batch of events: ${(JSON.stringify(p.alertsCheckpoint()).length / 1024).toFixed(2)} KiB (one station, ${((200_000 * 500) / 3_600_000).toFixed(0)} h of samples)`,
);
