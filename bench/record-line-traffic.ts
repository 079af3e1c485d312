/**
 * Records what one real line agent publishes, for bench/plant-fanin.ts to replay as many lines:
 * the steady scenario in the simulator at real time, the built agent (`lineside start`, so run
 * `npm run build` first) with its default oeeInterval (10 s) on two-minute shifts (so the record
 * holds final ledgers too), and a subscriber on a real mosquitto writing every message under the
 * agent's topic root as one JSON line: ms since the first, topic, retain flag, payload text.
 *
 *   npx tsx bench/record-line-traffic.ts                      # 5 minutes -> bench/fixtures/line-uns.jsonl
 *   npx tsx bench/record-line-traffic.ts --duration 10m --out /tmp/line.jsonl
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/config/duration.js';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../tests/helpers/service.js';
import { startSubscriber } from '../tests/integration/mqtt/subscriber.js';
import { startPlantLines } from '../tests/e2e/plant-lines.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5m' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'fixtures/line-uns.jsonl') },
  },
});
const durationMs = parseDurationMs(values.duration) ?? 300_000;

const dir = createTempDir('record-line');
const broker = await startMosquitto();
const sub = await startSubscriber(broker.url, ['lineside/#']);
const started = Date.now();
const plant = await startPlantLines(dir, broker.url, 1, 1, { oeeInterval: '10s' });
console.log(`recording ${values.duration} of line1's traffic ...`);
await new Promise((resolve) => setTimeout(resolve, durationMs));
await plant.stop();
// A live delivery carries no retain flag (MQTT 3.1.1): the contract says which topics are retained.
const RETAINED = /\/(state|oee|ledger|order|product|status)$/;
// The subscriber keeps arrival order only: spread the messages' times from their own ts where
// they have one (events), else from the previous message.
let last = 0;
const timed = sub.messages.map((m) => {
  const ts = typeof m.json?.ts === 'string' ? Date.parse(m.json.ts) - started : Number.NaN;
  last = Number.isFinite(ts) && ts >= last ? ts : last;
  return JSON.stringify({ t: Math.round(last), topic: m.topic, retain: RETAINED.test(m.topic), payload: m.text });
});
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, `${timed.join('\n')}\n`);
console.log(`${timed.length} messages over ${Math.round(last / 1000)} s -> ${values.out}`);
await sub.close();
await broker.close();
removeTempDir(dir);
