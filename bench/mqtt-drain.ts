/**
 * Drain rate after a 10-minute broker outage at 2,000 samples/s plus events: the spool holds
 * 1.2 M samples and 7,200 events when the broker comes back (a real mosquitto), while live data
 * keeps arriving at the same rate. Measures how long the MQTT cursor needs to catch up with live
 * (target: at least 20 x faster than real time, i.e. under 30 s), plus CPU and RSS meanwhile.
 *
 * Two configurations:
 *   A. the default: events published (QoS 1), samples not (they wait in the spool for InfluxDB
 *      only), backlogMessagesPerSecond 2,000;
 *   B. samples published too (QoS 0, report by exception, every value changing), rate cap lifted.
 *
 *   npx tsx bench/mqtt-drain.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreEvent } from '../src/core/events.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { createMqttPublisher } from '../src/outputs/mqtt/index.js';
import { openSpool, type Spool } from '../src/outputs/spool/index.js';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { testConfig } from '../tests/integration/mqtt/test-config.js';

const OUTAGE_S = 600;
const SAMPLES_PER_S = 2_000;
const EVENTS_PER_S = 12; // 3 stations: cycles every ~10 s, state/downtime changes, OEE snapshots
const TAGS = 40;
const STATIONS = ['press', 'weld', 'pack'];

class Generator {
  private seq = new Map<string, number>();
  private n = 0;
  constructor(private readonly spool: Spool) {}

  /** One second of line data at wall time `ts`. */
  second(ts: number): void {
    for (let i = 0; i < SAMPLES_PER_S; i++) {
      this.spool.appendSample({
        tag: `plc1.tag${i % TAGS}`,
        value: (this.n++ % 997) * 0.25,
        ts: ts + (i * 1000) / SAMPLES_PER_S,
        mono: ts,
      });
    }
    for (let i = 0; i < EVENTS_PER_S; i++) this.spool.appendEvent(this.event(ts + i * 80));
  }

  private event(ts: number): CoreEvent {
    const station = STATIONS[this.n % STATIONS.length] ?? 'press';
    const seq = (this.seq.get(station) ?? 0) + 1;
    this.seq.set(station, seq);
    const base = { id: `${station}-${String(seq).padStart(9, '0')}`, line: 'line1', station, seq, ts };
    return seq % 6 === 0
      ? { ...base, type: 'state', state: 'running', previous: 'small_stop', since: ts - 30_000 }
      : { ...base, type: 'cycle', cycleTimeMs: 10_000 + (seq % 9) * 100, good: seq % 40 !== 0 };
  }
}

interface Result {
  label: string;
  backlogRows: number;
  drainS: number;
  speedup: number;
  published: number;
  cpuPercent: number;
  rssPeakMB: number;
  rssBeforeMB: number;
  slowestCommitMs: number;
  maxLoopLagMs: number;
}

async function run(label: string, mqttOverrides: Record<string, unknown>): Promise<Result> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-bench-drain-'));
  const broker = await startMosquitto();
  const spool = openSpool({
    dir,
    maxBytes: 2 * 1024 ** 3,
    maxAgeMs: 7 * 86_400_000,
    commitIntervalMs: 250,
    destinations: ['mqtt'],
    clock: systemClock,
    logger: silentLogger,
    maxBufferedRows: 50_000,
  });
  try {
    const gen = new Generator(spool);
    const outageStart = Date.now() - OUTAGE_S * 1000;
    for (let s = 0; s < OUTAGE_S; s++) gen.second(outageStart + s * 1000);
    spool.flush();
    const backlogRows = spool.health().rows;

    const config = testConfig({ mqtt: { url: broker.url, protocolVersion: 5, ...mqttOverrides } });
    const publisher = createMqttPublisher({ config, spool, clock: systemClock, logger: silentLogger });
    // Live data keeps coming while the backlog drains, in 250 ms slices.
    let liveSecond = Date.now();
    const live = setInterval(() => {
      gen.second(liveSecond);
      liveSecond += 1000;
    }, 1000);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let slowestCommitMs = 0;
    let maxLoopLagMs = 0;
    let lastTick = performance.now();
    const rssTimer = setInterval(() => {
      const now = performance.now();
      maxLoopLagMs = Math.max(maxLoopLagMs, now - lastTick - 100);
      lastTick = now;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);
    // Health as a dashboard reads it: once a second.
    const healthTimer = setInterval(() => {
      slowestCommitMs = Math.max(slowestCommitMs, spool.health().lastCommitMs ?? 0);
    }, 1_000);

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await publisher.start();
    // Caught up: the cursor is within the last commit of live data.
    while (
      spool.lastCommittedId() - spool.ackedId('mqtt') > SAMPLES_PER_S + EVENTS_PER_S ||
      spool.ackedId('mqtt') < backlogRows
    ) {
      await sleep(20);
    }
    const drainS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(live);
    clearInterval(rssTimer);
    clearInterval(healthTimer);
    const published = publisher.health().published;
    await publisher.stop();
    return {
      label,
      backlogRows,
      drainS,
      speedup: OUTAGE_S / drainS,
      published,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / (drainS * 1000)) * 100,
      rssPeakMB: rssPeak / 1024 / 1024,
      rssBeforeMB: rssBefore / 1024 / 1024,
      slowestCommitMs,
      maxLoopLagMs,
    };
  } finally {
    spool.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_ONLY=A or B runs one configuration.
const only = process.env.BENCH_ONLY;
const results: Result[] = [];
if (only === undefined || only === 'A') results.push(await run('A events only (default), QoS 1, 2,000 msg/s cap', {}));
if (only === undefined || only === 'B') {
  results.push(
    await run('B events + samples (QoS 0, by exception), cap lifted', {
      samples: { publish: true, qos: 0 },
      backlogMessagesPerSecond: 1_000_000,
    }),
  );
}
console.log(
  `MQTT drain after a ${OUTAGE_S / 60}-minute outage at ${SAMPLES_PER_S.toLocaleString('en-US')} samples/s + ${EVENTS_PER_S} events/s (live load continues), mosquitto on loopback`,
);
for (const r of results) {
  console.log(`  ${r.label}`);
  console.log(
    `    backlog ${r.backlogRows.toLocaleString('en-US')} rows; caught up with live in ${r.drainS.toFixed(1)} s = ${r.speedup.toFixed(0)} x real time; ${r.published.toLocaleString('en-US')} messages published`,
  );
  console.log(
    `    agent CPU ${r.cpuPercent.toFixed(0)} % of one core while draining; RSS ${r.rssBeforeMB.toFixed(0)} MB before, peak ${r.rssPeakMB.toFixed(0)} MB`,
  );
  console.log(
    `    slowest spool commit seen ${r.slowestCommitMs.toFixed(0)} ms; worst event-loop lag ${r.maxLoopLagMs.toFixed(0)} ms`,
  );
}
