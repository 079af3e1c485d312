/**
 * The plant as CI runs it (issue 18): a real mosquitto, three lines (the steady scenario with
 * seeds 1, 2, 3, each read by its own built agent), the built `lineside plant`, and the plant page
 * in Chromium. The page shows the three lines; a shift's figures on the plant server equal what
 * each agent's own /api/oee says for that shift; the plant's OEE is the one computed from the
 * summed ledgers (never a mean of OEEs); an agent killed with -9 shows offline within its
 * keep-alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand, REPO } from '../helpers/cli.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { canConnect, freePort } from '../helpers/ports.js';
import { startSubscriber } from '../integration/mqtt/subscriber.js';
import { withPage } from './browser.js';
import { kill9, startPlantLines } from './plant-lines.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Ratios {
  availability: number;
  performance: number;
  quality: number;
  oee: number;
}
interface PlantApi {
  plant: { oee: Ratios; linesOnline: number; linesTotal: number };
  lines: Array<{ line: string; online: boolean; source: string; asOf: number | null; oee: Ratios | null }>;
}
interface LedgerFigures {
  plannedMs: number;
  runMs: number;
  idealMs: number;
  good: number;
  total: number;
}
interface Ledger {
  ts: string;
  shift: string;
  start: string;
  final: boolean;
  line: LedgerFigures;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** OEE from summed times and counts (docs/oee.md#plant-summing-lines-and-shifts). */
function summed(ledgers: readonly LedgerFigures[]): Ratios {
  const s = ledgers.reduce(
    (a, l) => ({
      plannedMs: a.plannedMs + l.plannedMs,
      runMs: a.runMs + l.runMs,
      idealMs: a.idealMs + l.idealMs,
      good: a.good + l.good,
      total: a.total + l.total,
    }),
    { plannedMs: 0, runMs: 0, idealMs: 0, good: 0, total: 0 },
  );
  const availability = s.plannedMs > 0 ? s.runMs / s.plannedMs : 0;
  const performance = s.runMs > 0 ? s.idealMs / s.runMs : 0;
  const quality = s.total > 0 ? s.good / s.total : 0;
  return { availability, performance, quality, oee: availability * performance * quality };
}

function startPlantServer(configFile: string, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [...cliCommand(), 'plant', '-c', configFile], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => log.push(d.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

describe('a plant of three lines on one broker', () => {
  it('shows every line, with the agents’ own figures, the plant OEE from summed ledgers, and a dead agent offline', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-plant-ci-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const broker = await startMosquitto();
    cleanups.push(() => broker.close());
    const sub = await startSubscriber(broker.url, ['lineside/sim/+/ledger']);
    cleanups.push(() => sub.close());
    const plant = await startPlantLines(dir, broker.url, 3);
    cleanups.push(() => plant.stop());

    const httpPort = await freePort();
    const plantFile = path.join(dir, 'plant.yaml');
    mkdirSync(path.join(dir, 'plant-data'), { recursive: true });
    writeFileSync(
      plantFile,
      `kind: plant
plant: { name: Test plant }
enterprise: lineside
sites: [sim]
mqtt: { url: ${broker.url} }
server: { host: 127.0.0.1, port: ${httpPort} }
storage: { dir: ${path.join(dir, 'plant-data')} }
lines:
${plant.lines.map((l) => `  - { site: sim, line: ${l.line}, url: "${l.httpUrl}/" }`).join('\n')}
`,
    );
    const plantLog: string[] = [];
    const server = startPlantServer(plantFile, plantLog);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (server.exitCode !== null) return resolve();
          server.once('exit', () => resolve());
          server.kill('SIGTERM');
        }),
    );
    await expect.poll(() => canConnect(httpPort, '127.0.0.1'), { timeout: 20_000 }).toBe(true);
    const api = `http://127.0.0.1:${httpPort}/api/plant`;

    // Every line is on the plant server with figures from its ledger.
    await expect
      .poll(
        async () =>
          (await getJson<PlantApi>(api)).lines
            .filter((l) => l.source === 'ledger' && l.online)
            .map((l) => l.line)
            .sort(),
        { timeout: 60_000, interval: 500 },
      )
      .toEqual(['line1', 'line2', 'line3']);

    // The plant OEE is the one of the summed ledgers the lines' figures came from.
    const ledgers = () =>
      sub.messages.map((m) => ({ line: m.topic.split('/')[2] as string, l: m.json as unknown as Ledger }));
    await expect
      .poll(
        async () => {
          const view = await getJson<PlantApi>(api);
          const used = view.lines.map((line) =>
            ledgers().find((x) => x.line === line.line && Date.parse(x.l.ts) === line.asOf),
          );
          if (used.some((u) => u === undefined)) return 'a ledger the plant used has not reached the test yet';
          const expected = summed(used.map((u) => (u as { l: Ledger }).l.line));
          const diff = Math.max(
            ...(['availability', 'performance', 'quality', 'oee'] as const).map((k) =>
              Math.abs(view.plant.oee[k] - expected[k]),
            ),
          );
          return diff < 1e-9 ? 'summed' : `differs by ${diff}`;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe('summed');

    // The page: three tiles, each with the API's OEE for its line.
    await withPage(`http://127.0.0.1:${httpPort}/`, async ({ page, errors }) => {
      await page.waitForSelector('.p-tile[data-line="sim/line3"]');
      expect(await page.locator('.p-tile').count()).toBe(3);
      for (const l of plant.lines) {
        await expect
          .poll(async () => {
            const view = await getJson<PlantApi>(api);
            const oee = view.lines.find((x) => x.line === l.line)?.oee?.oee ?? Number.NaN;
            const shown = await page.textContent(`.p-tile[data-line="sim/${l.line}"] .p-tile-oee`);
            return shown === `${(oee * 100).toFixed(1)} %`;
          })
          .toBe(true);
        expect(await page.getAttribute(`.p-tile[data-line="sim/${l.line}"]`, 'href')).toBe(`${l.httpUrl}/`);
      }

      // An ended shift: the plant server's figures for it equal each agent's own /api/oee for it.
      const first = plant.shifts[0] as { name: string; start: number; end: number };
      await sub.waitFor(
        () =>
          new Set(
            ledgers()
              .filter((x) => x.l.final && x.l.shift === first.name)
              .map((x) => x.line),
          ).size === 3,
        `the final ledgers of shift ${first.name}`,
        240_000,
      );
      for (const l of plant.lines) {
        const agent = await getJson<{ figures: Ratios }>(`${l.httpUrl}/api/oee?line=${l.line}&shift=${first.name}`);
        await expect
          .poll(async () => {
            const rows = await getJson<{
              shifts: Array<{ line: string; shift: string | null; final: boolean; oee: Ratios }>;
            }>(`http://127.0.0.1:${httpPort}/api/plant/shifts?from=${first.start}&to=${first.end + 1}`);
            return rows.shifts.find((r) => r.line === l.line && r.shift === first.name && r.final)?.oee;
          })
          .toBeDefined();
        const rows = await getJson<{
          shifts: Array<{ line: string; shift: string | null; final: boolean; oee: Ratios }>;
        }>(`http://127.0.0.1:${httpPort}/api/plant/shifts?from=${first.start}&to=${first.end + 1}`);
        const row = rows.shifts.find((r) => r.line === l.line && r.shift === first.name && r.final) as { oee: Ratios };
        // The ledger carries whole milliseconds: over a two-minute shift that moves a ratio by at
        // most ~1e-5 (over an 8-hour one ~1e-8); the page shows tenths of a percent.
        for (const k of ['availability', 'performance', 'quality', 'oee'] as const)
          expect(Math.abs(row.oee[k] - agent.figures[k]), `${l.line} ${k}`).toBeLessThan(5e-5);
      }

      // A picture of the plant's TV, a few minutes into production, for people to look at.
      mkdirSync(path.resolve('test-output'), { recursive: true });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: path.resolve('test-output', 'plant-1920x1080.png') });

      // line2's agent dies without a word: the broker publishes its last will, the tile goes offline.
      await kill9(plant.lines[1]?.child as ChildProcess);
      await page.waitForSelector('.p-tile.p-offline[data-line="sim/line2"]', { timeout: 45_000 });
      expect(await page.textContent('.p-tile[data-line="sim/line2"] .p-badge')).toMatch(/offline/);
      expect((await getJson<PlantApi>(api)).plant.linesOnline).toBe(2);
      expect(errors).toEqual([]);
    });
  }, 420_000);
});
