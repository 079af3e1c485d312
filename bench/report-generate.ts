/**
 * What a report costs on the Pi: a week of a 10-station line (three shifts a day, stops with
 * reasons every 40-90 minutes, one station starved behind them) is run through the real core into
 * the real history (SQLite in a temp dir) in virtual time; then the report service makes a shift's
 * report (the first after start, when pdfkit loads its fonts, and then again and again), a day's
 * and the week's. Prints the time per report (collecting from the history, the model, HTML, PDF,
 * CSV, writing the files) and the files' sizes.
 *
 *   npx tsx bench/report-generate.ts [repeats]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigText } from '../src/config/load.js';
import { createCore } from '../src/core/core.js';
import type { Clock } from '../src/core/sample.js';
import { silentLogger } from '../src/lib/logger.js';
import { openHistoryStore } from '../src/outputs/history/store.js';
import { ReportService } from '../src/reports/service.js';

const REPEATS = Number(process.argv[2] ?? 20);
const STATIONS = 10;
/** Monday 1 December 2025 05:00 UTC: 06:00 in Berlin, the early shift begins. */
const START = Date.UTC(2025, 11, 1, 5, 0, 0);
const DAY_S = 24 * 3600;

const ids = Array.from({ length: STATIONS }, (_, i) => `s${i}`);
const parsed = loadConfigText(
  `
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
${ids.map((id, i) => `      - { name: ${id}c, address: ${i * 4}, type: uint32 }\n      - { name: ${id}f, address: ${i * 4 + 2} }`).join('\n')}
reasons:
  - { id: hydraulic, label: Hydraulic pressure low, category: breakdown }
  - { id: die-jam, label: Die jam, category: breakdown }
shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: early, start: "06:00", end: "14:00", target: 2200 }
    - { name: late, start: "14:00", end: "22:00", target: 2200 }
    - { name: night, start: "22:00", end: "06:00", target: 2000 }
lines:
  - id: line1
    name: Assembly line 1
    stations:
${ids.map((id) => `      - { id: ${id}, idealCycleTime: 12s, signals: { cycleCounter: plc1.${id}c, faultCode: plc1.${id}f }, faultReasons: { "17": hydraulic, "23": die-jam } }`).join('\n')}
`,
  { env: {} },
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const config = parsed.config;

let wall = START;
let mono = 1_000_000;
const clock: Clock = { wallMs: () => wall, monoMs: () => mono };
const dir = mkdtempSync(path.join(tmpdir(), 'lineside-bench-reports-'));
const history = openHistoryStore({ dir, retentionMs: 30 * 86_400_000, clock, logger: silentLogger });
const root = path.join(dir, 'reports');
// Automatic shift reports off: the bench makes each one itself and times it.
const reports = new ReportService({
  config: { ...config, reports: { ...config.reports, enabled: false } },
  history,
  clock,
  logger: silentLogger,
  root,
});
const core = createCore(config, { clock });
core.on((e) => history.record(e));

// A deterministic week: each station counts a part every 12-14 s and stops now and then.
let seed = 7;
const rand = (): number => {
  seed = (seed * 1_664_525 + 1_013_904_223) >>> 0;
  return seed / 4_294_967_296;
};
const counts = ids.map(() => 0);
const nextStop = ids.map(() => 40 * 60 + Math.floor(rand() * 50 * 60));
const stopUntil = ids.map(() => 0);
const fault = ids.map(() => 0);
const t0 = performance.now();
for (let s = 0; s < 7 * DAY_S; s++) {
  wall += 1000;
  mono += 1000;
  ids.forEach((id, i) => {
    if (fault[i] !== 0 && s >= (stopUntil[i] ?? 0)) fault[i] = 0;
    if (fault[i] === 0 && s >= (nextStop[i] ?? 0)) {
      fault[i] = rand() < 0.5 ? 17 : 23;
      stopUntil[i] = s + 120 + Math.floor(rand() * 600);
      nextStop[i] = s + 40 * 60 + Math.floor(rand() * 50 * 60);
    }
    if (fault[i] === 0 && s % (12 + (i % 3)) === 0) counts[i] = (counts[i] ?? 0) + 1;
    core.sample({ tag: `plc1.${id}c`, value: counts[i] ?? 0, ts: wall, mono });
    core.sample({ tag: `plc1.${id}f`, value: fault[i] ?? 0, ts: wall, mono });
  });
  core.tick();
}
history.flush();
console.log(`simulated 7 days of ${STATIONS} stations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

function sizes(id: string): string {
  const [line, folder] = id.split('.', 2) as [string, string];
  const d = path.join(root, line, folder);
  return readdirSync(d)
    .filter((f) => !f.endsWith('.json'))
    .sort()
    .map((f) => `${f} ${(statSync(path.join(d, f)).size / 1024).toFixed(1)} KB`)
    .join(', ');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const shiftStart = START + 3 * DAY_S * 1000; // Thursday's early shift
const first = await reports.generate({ line: 'line1', start: shiftStart });
console.log(`shift report, first after start: ${first.durationMs} ms; ${sizes(first.id)}`);
const again: number[] = [];
for (let i = 0; i < REPEATS; i++) again.push((await reports.generate({ line: 'line1', start: shiftStart })).durationMs);
console.log(`shift report, again (${REPEATS}×): median ${median(again)} ms, max ${Math.max(...again)} ms`);
const day = await reports.generate({ line: 'line1', period: 'day', date: '2025-12-04' });
console.log(`day report: ${day.durationMs} ms; ${sizes(day.id)}`);
const weeks: number[] = [];
let weekId = '';
for (let i = 0; i < Math.max(1, Math.floor(REPEATS / 4)); i++) {
  const w = await reports.generate({ line: 'line1', period: 'week', date: '2025-12-01' });
  weeks.push(w.durationMs);
  weekId = w.id;
}
console.log(
  `week report (${weeks.length}×): median ${median(weeks)} ms, max ${Math.max(...weeks)} ms; ${sizes(weekId)}`,
);
console.log(`RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
await reports.close();
history.close();
rmSync(dir, { recursive: true, force: true });
