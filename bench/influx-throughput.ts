/**
 * InfluxDB writer throughput against a private local influxd (default batching: 5,000 points,
 * 1 s flush):
 * 1. Sustained: rows offered to the spool at fixed rates for a while; prints points/s written and
 *    whether the backlog stayed bounded.
 * 2. Catch-up: influxd down while 10 minutes of production (ROWS_PER_S rows/s, as samples and
 *    events) pile up in the spool; then influxd starts and the backlog drains. Prints the wait for
 *    the first write (the /ping probe while backing off; bench/influx-outage-resume.ts measures
 *    that in detail) and the drain rate.
 *
 *   npx tsx bench/influx-throughput.ts [--rate 1000] [--outage-min 10]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { createInfluxWriter } from '../src/outputs/influx/index.js';
import type { Spool } from '../src/outputs/spool/index.js';
import { startInfluxd } from '../tests/helpers/influxd.js';
import { createTempDir, removeTempDir } from '../tests/helpers/service.js';
import { influxTestConfig, openProductionSpool, STATIONS } from '../tests/integration/influx/support.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '1000' }, 'outage-min': { type: 'string', default: '10' } },
});
const ROWS_PER_S = Number(values.rate);
const OUTAGE_MIN = Number(values['outage-min']);

let seq = 0;
/** One row of a busy line: mostly samples, one event in ten. */
function appendRow(spool: Spool, ts: number): void {
  seq++;
  const station = STATIONS[seq % STATIONS.length] ?? 'press';
  if (seq % 10 === 0) {
    spool.appendEvent({
      type: 'cycle',
      id: `${station}-${seq}`,
      line: 'line1',
      station,
      seq,
      ts,
      cycleTimeMs: 10_000 + (seq % 500),
      good: true,
    });
  } else if (seq % 10 === 1) {
    spool.appendSample({ tag: 'plc1.press_vibration', value: 2 + (seq % 100) / 100, ts, mono: ts });
  } else {
    spool.appendSample({ tag: `plc1.${station}_count`, value: seq, ts, mono: ts });
  }
}

const influxd = await startInfluxd();
const dirs: string[] = [];
try {
  // ---- 1. sustained ---------------------------------------------------------------------------
  console.log('sustained write rate, default batching (5,000 points / 1 s), rows offered for 15 s each:');
  for (const offered of [2_000, 10_000, 25_000, 50_000]) {
    const dir = createTempDir('bench-influx');
    dirs.push(dir);
    const spool = openProductionSpool(dir);
    const config = influxTestConfig({
      url: influxd.url,
      database: `sustained${offered}`,
      influx: { flushInterval: '1s', batchSize: 5000 },
    });
    const writer = createInfluxWriter({ config, spool, clock: systemClock, logger: silentLogger });
    await writer.start();
    const t0 = performance.now();
    let appended = 0;
    let maxBacklog = 0;
    while (performance.now() - t0 < 15_000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * offered);
      const now = Date.now();
      for (; appended < due; appended++) appendRow(spool, now);
      maxBacklog = Math.max(maxBacklog, writer.health().backlog);
      await sleep(20);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const sentIn15 = writer.health().sent;
    spool.flush();
    const drainStart = performance.now();
    while (writer.health().ackedId < spool.lastCommittedId()) await sleep(20);
    const drainS = (performance.now() - drainStart) / 1000;
    console.log(
      `  offered ${offered.toLocaleString('en')} rows/s: written ${Math.round(sentIn15 / elapsedS).toLocaleString('en')} points/s during the run, ` +
        `max backlog ${maxBacklog.toLocaleString('en')} rows, ${drainS.toFixed(1)} s to drain after it, ${writer.health().batches} batches`,
    );
    await writer.stop();
    spool.close();
  }

  // ---- 2. catch-up after an outage ------------------------------------------------------------
  const dir = createTempDir('bench-influx');
  dirs.push(dir);
  const spool = openProductionSpool(dir);
  const config = influxTestConfig({ url: influxd.url, database: 'catchup' });
  const writer = createInfluxWriter({ config, spool, clock: systemClock, logger: silentLogger });
  await writer.start();
  await sleep(500);
  await influxd.stop();
  const rows = ROWS_PER_S * OUTAGE_MIN * 60;
  const outageStartWall = Date.now() - OUTAGE_MIN * 60_000;
  for (let i = 0; i < rows; i++) appendRow(spool, outageStartWall + Math.floor((i / rows) * OUTAGE_MIN * 60_000));
  spool.flush();
  // Let the writer back off as it would during a long outage (its delay is capped at 30 s).
  await sleep(35_000);
  console.log(
    `\ncatch-up after a ${OUTAGE_MIN}-minute outage at ${ROWS_PER_S.toLocaleString('en')} rows/s (${rows.toLocaleString('en')} rows in the spool, backoff after ${writer.health().retrying} failed attempts):`,
  );
  const sentBefore = writer.health().sent;
  await influxd.start();
  const up = performance.now();
  while (writer.health().sent === sentBefore) await sleep(10);
  const firstWriteS = (performance.now() - up) / 1000;
  const drainStart = performance.now();
  while (writer.health().ackedId < spool.lastCommittedId()) await sleep(20);
  const drainS = (performance.now() - drainStart) / 1000;
  const written = writer.health().sent - sentBefore;
  console.log(
    `  first write ${firstWriteS.toFixed(1)} s after influxd was back (woken by the /ping probe, not the backoff)`,
  );
  console.log(
    `  drained ${written.toLocaleString('en')} points in ${drainS.toFixed(1)} s = ${Math.round(written / drainS).toLocaleString('en')} points/s; ${writer.health().poisoned} poisoned`,
  );
  console.log(`  a ${OUTAGE_MIN}-minute outage is caught up in ${((firstWriteS + drainS) / 60).toFixed(2)} minutes`);
  await writer.stop();
  spool.close();
} finally {
  await influxd.close();
  for (const d of dirs) removeTempDir(d);
}
