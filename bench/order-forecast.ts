/**
 * What a running order costs the live picture: `core.snapshot()` (called up to 4 times a second
 * per dashboard broadcast) with and without a running order, whose forecast walks the shift
 * calendar; and the forecast alone for an order days away on a three-shift calendar with breaks.
 *
 *   npx tsx bench/order-forecast.ts [iterations]
 */
import { loadConfigText } from '../src/config/load.js';
import type { LinesideConfig } from '../src/config/schema.js';
import { ShiftCalendar } from '../src/core/calendar.js';
import { createCore } from '../src/core/core.js';
import { etaOf } from '../src/core/order-forecast.js';
import type { Clock } from '../src/core/sample.js';

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const MONDAY = Date.UTC(2025, 0, 6);

const SHIFTS = `
shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: early, start: "06:00", end: "14:00", breaks: [{ name: breakfast, start: "09:00", duration: 15m }, { name: lunch, start: "12:00", duration: 30m }] }
    - { name: late, start: "14:00", end: "22:00", breaks: [{ name: dinner, start: "18:00", duration: 30m }] }
    - { name: night, start: "22:00", end: "06:00", days: [mon, tue, wed, thu], breaks: [{ name: night-break, start: "02:00", duration: 30m }] }`;

function config(): LinesideConfig {
  const stations = Array.from(
    { length: 10 },
    (_, i) => `      - { id: s${i}, idealCycleTime: 1s, signals: { cycleCounter: plc1.c${i} } }`,
  ).join('\n');
  const tags = Array.from({ length: 10 }, (_, i) => `      - { name: c${i}, address: ${i} }`).join('\n');
  const r = loadConfigText(
    `
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
${tags}
products: [{ id: a, idealCycleTime: 1s }]
${SHIFTS}
lines:
  - id: line1
    stations:
${stations}
`,
    { env: {} },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const clock: Clock & { mono: number } = {
  mono: 0,
  monoMs: () => clock.mono,
  wallMs: () => MONDAY + 7 * 3600_000 + clock.mono,
};
const core = createCore(config(), { clock });
// An hour of parts at 1.25 s: OEE 80 %, so the forecast uses the rolling hour.
for (let t = 0, n = 0; t <= 3600_000; t += 1250, n++) {
  clock.mono = t;
  for (let i = 0; i < 10; i++) core.sample({ tag: `plc1.c${i}`, value: n, ts: clock.wallMs(), mono: t });
  if (t % 1000 < 1250) core.tick();
}

function perCall(label: string, fn: () => unknown): number {
  for (let i = 0; i < 1000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
  console.log(`${label.padEnd(52)} ${us.toFixed(1)} µs per call`);
  return us;
}

const without = perCall('snapshot(), 10 stations, no order', () => core.snapshot());
core.startOrder('line1', { id: 'bench', product: 'a', quantity: 400_000 });
const withOrder = perCall('snapshot(), 10 stations, an order ~5 days of work', () => core.snapshot());
console.log(`ETA: ${new Date(core.snapshot()[0]?.order?.forecast?.eta ?? 0).toISOString()}`);
console.log(`order forecast share of a snapshot: ${(((withOrder - without) / withOrder) * 100).toFixed(1)} %`);
const calendar = new ShiftCalendar(config().shifts);
perCall('etaOf(): 5 days of production on 3 shifts with breaks', () => etaOf(calendar, MONDAY, 5 * 21 * 3600_000));
