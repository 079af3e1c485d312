/**
 * Spool append throughput: how many events and samples a second the spool takes with batched
 * commits (synchronous=FULL, WAL), what one 250 ms batch at the target load costs, and - for the
 * record - what committing every row would cost instead.
 *
 *   npx tsx bench/spool-append.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CoreEvent } from '../src/core/events.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { openSpool, type Spool } from '../src/outputs/spool/index.js';

const STATIONS = ['press', 'weld', 'pack'];

function cycleEvent(i: number, ts: number): CoreEvent {
  const station = STATIONS[i % 3] ?? 'press';
  const seq = Math.floor(i / 3) + 1;
  return {
    type: 'cycle',
    id: `${station}-${String(seq).padStart(9, '0')}`,
    line: 'line1',
    station,
    seq,
    ts,
    cycleTimeMs: 10_250,
    good: true,
  };
}

function withSpool<T>(name: string, commitIntervalMs: number, fn: (spool: Spool) => T, maxBufferedRows?: number): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lineside-bench-${name}-`));
  const spool = openSpool({
    dir,
    maxBytes: 4 * 1024 ** 3,
    maxAgeMs: 7 * 86_400_000,
    commitIntervalMs,
    destinations: ['mqtt'],
    clock: systemClock,
    logger: silentLogger,
    ...(maxBufferedRows === undefined ? {} : { maxBufferedRows }),
  });
  try {
    return fn(spool);
  } finally {
    spool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

// 1. Raw capacity: append as fast as possible, committing every 10,000 rows.
const EVENTS = 200_000;
const eventsPerS = withSpool(
  'events',
  60_000,
  (spool) => {
    const t0 = performance.now();
    const ts = Date.now();
    for (let i = 0; i < EVENTS; i++) spool.appendEvent(cycleEvent(i, ts + i));
    spool.flush();
    return EVENTS / ((performance.now() - t0) / 1000);
  },
  10_000,
);

const SAMPLES = 1_000_000;
const samplesPerS = withSpool(
  'samples',
  60_000,
  (spool) => {
    const t0 = performance.now();
    const ts = Date.now();
    for (let i = 0; i < SAMPLES; i++)
      spool.appendSample({ tag: `plc1.tag${i % 40}`, value: i * 0.5, ts: ts + i, mono: i });
    spool.flush();
    return SAMPLES / ((performance.now() - t0) / 1000);
  },
  10_000,
);

// 2. The target load, batch by batch: 250 ms = 500 samples + ~3 events per commit.
const BATCHES = 400;
const batch = withSpool('batches', 60_000, (spool) => {
  const commitMs: number[] = [];
  const ts = Date.now();
  let cpuMs = 0;
  for (let b = 0; b < BATCHES; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 500; i++)
      spool.appendSample({ tag: `plc1.tag${i % 40}`, value: b * 500 + i, ts: ts + b * 250, mono: b * 250 });
    for (let i = 0; i < 3; i++) spool.appendEvent(cycleEvent(b * 3 + i, ts + b * 250));
    const t0 = performance.now();
    spool.flush();
    commitMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
  }
  commitMs.sort((a, b) => a - b);
  const p = (q: number) => commitMs[Math.min(commitMs.length - 1, Math.floor(q * commitMs.length))] ?? 0;
  return { p50: p(0.5), p99: p(0.99), cpuShare: cpuMs / (BATCHES * 250) };
});

// 3. What batching saves: one transaction (one fsync) per row.
const PER_ROW = 2_000;
const perRowPerS = withSpool('per-row', 60_000, (spool) => {
  const t0 = performance.now();
  const ts = Date.now();
  for (let i = 0; i < PER_ROW; i++) {
    spool.appendSample({ tag: 'plc1.tag', value: i, ts: ts + i, mono: i });
    spool.flush();
  }
  return PER_ROW / ((performance.now() - t0) / 1000);
});

console.log(`spool append (SQLite WAL, synchronous=FULL, ${os.tmpdir()} on this machine's disk)`);
console.log(`  events, batched commits of 10,000:   ${fmt(eventsPerS)} events/s`);
console.log(`  samples, batched commits of 10,000:  ${fmt(samplesPerS)} samples/s`);
console.log(`  target load (2,000 samples/s + 12 events/s, one commit per 250 ms):`);
console.log(
  `    commit p50 ${batch.p50.toFixed(2)} ms, p99 ${batch.p99.toFixed(2)} ms; CPU ${(batch.cpuShare * 100).toFixed(2)} % of one core`,
);
console.log(
  `  one commit (fsync) per row instead:  ${fmt(perRowPerS)} rows/s  (${(2_000 / perRowPerS).toFixed(1)} s of fsync per second of input at 2,000 samples/s)`,
);
