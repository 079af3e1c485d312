/**
 * How soon the InfluxDB writer writes again after an outage: a private influxd is stopped for
 * 10, 30 and 60 s while rows keep coming (ROWS_PER_S, a busy line's mix of samples and cycles),
 * then started again. Measured per outage:
 * - resume: from influxd's first answer to GET /ping (polled by the bench every 5 ms) to the
 *   writer's first accepted write (health().lastWriteAt);
 * - pending backoff: how long the writer's backoff still had to run at that moment, i.e. when it
 *   would have retried without the /ping probe;
 * - drain: until the backlog was written; and at the end, that InfluxDB holds every cycle.
 * Production timing (retry 1 s doubling to 30 s, jittered; /ping about once a second while
 * backing off). `--no-probe` runs the same with the probe off, for the before/after comparison.
 *
 *   npx tsx bench/influx-outage-resume.ts [--outages 10,30,60] [--rate 1000] [--no-probe]
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
  options: {
    outages: { type: 'string', default: '10,30,60' },
    rate: { type: 'string', default: '1000' },
    'no-probe': { type: 'boolean', default: false },
  },
});
const OUTAGES_S = values.outages.split(',').map(Number);
const ROWS_PER_S = Number(values.rate);
const PROBE = !values['no-probe'];

let seq = 0;
let cycles = 0;
/** One row of a busy line: mostly samples, one cycle in ten. */
function appendRow(spool: Spool, ts: number): void {
  seq++;
  const station = STATIONS[seq % STATIONS.length] ?? 'press';
  if (seq % 10 === 0) {
    cycles++;
    spool.appendEvent({
      type: 'cycle',
      id: `${station}-${seq}`,
      line: 'line1',
      station,
      seq,
      ts,
      cycleTimeMs: 10_000,
      good: true,
    });
  } else {
    spool.appendSample({ tag: `plc1.${station}_count`, value: seq, ts, mono: ts });
  }
}

async function firstPingAnswer(url: string): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
      if (res.status === 204) return Date.now();
    } catch {
      // still down
    }
    await sleep(5);
  }
}

const influxd = await startInfluxd();
const dir = createTempDir('bench-influx-resume');
const spool = openProductionSpool(dir);
const config = influxTestConfig({ url: influxd.url, database: 'resume' });
const writer = createInfluxWriter({
  config,
  spool,
  clock: systemClock,
  logger: silentLogger,
  ...(PROBE ? {} : { tuning: { probeIntervalMs: 0 } }),
});
// Rows arrive all along, at ROWS_PER_S, in 20 ms steps.
const t0 = performance.now();
let appended = 0;
const producer = setInterval(() => {
  const due = Math.floor(((performance.now() - t0) / 1000) * ROWS_PER_S);
  const now = Date.now();
  for (; appended < due; appended++) appendRow(spool, now);
}, 20);

try {
  await writer.start();
  await sleep(3_000);
  console.log(
    `InfluxDB outages at ${ROWS_PER_S.toLocaleString('en')} rows/s, production backoff (1 s → 30 s), /ping probe ${PROBE ? 'on (about once a second)' : 'OFF'}:`,
  );
  const figures: number[] = [];
  for (const outageS of OUTAGES_S) {
    await influxd.stop();
    await sleep(outageS * 1000);
    const attempts = writer.health().retrying;
    const sentBefore = writer.health().sent;
    const answered = firstPingAnswer(influxd.url);
    await influxd.start();
    const upAt = await answered;
    const pendingMs = writer.health().nextRetryInMs ?? 0;
    while (writer.health().sent === sentBefore) await sleep(5);
    const resumeMs = (writer.health().lastWriteAt ?? Infinity) - upAt;
    figures.push(resumeMs);
    const drainStart = performance.now();
    while (writer.health().ackedId < spool.lastCommittedId() || writer.health().backlog > ROWS_PER_S) await sleep(20);
    const drainS = (performance.now() - drainStart) / 1000;
    console.log(
      `  ${String(outageS).padStart(3)} s outage (${attempts} failed attempts): first write ${(resumeMs / 1000).toFixed(2)} s after influxd answered /ping; ` +
        `its backoff still had ${(pendingMs / 1000).toFixed(1)} s to run; backlog written ${drainS.toFixed(1)} s after that`,
    );
    await sleep(3_000);
  }
  clearInterval(producer);
  spool.flush();
  while (writer.health().ackedId < spool.lastCommittedId()) await sleep(20);
  await writer.stop();
  const res = await influxd.query('SELECT count("seq") FROM "lineside"."cycle"', 'resume');
  const stored = Number(res.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  console.log(
    `  worst resume ${(Math.max(...figures) / 1000).toFixed(2)} s; cycles produced ${cycles.toLocaleString('en')}, in InfluxDB ${stored.toLocaleString('en')} (${stored === cycles ? 'none lost' : 'MISMATCH'}); ${writer.health().poisoned} poisoned`,
  );
  if (stored !== cycles) process.exitCode = 1;
} finally {
  clearInterval(producer);
  spool.close();
  await influxd.close();
  removeTempDir(dir);
}
