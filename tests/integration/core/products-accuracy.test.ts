/**
 * Products and changeovers against the simulator's ground truth (issue 17): the bundled
 * `changeovers` scenario, the steady line making two products in turn for a simulated week, with a setup between them, each station at the
 * product's own ideal and processing times; its PLCs show the product code. The core must count
 * exactly, match every downtime (changeovers included, reason "changeover") within one poll, get
 * A/P/Q/OEE per shift within 0.5 pp with performance as Σ(count x ideal) / run time, and measure
 * each changeover's duration within one poll.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import type { ChangeoverEvent } from '../../../src/core/events.js';
import { compareConfigToScenario } from '../../../simulator/config-agreement.js';
import { loadScenarioFile, loadScenarioText, type Scenario } from '../../../simulator/index.js';
import { compareWithTruth, runVirtual } from '../../helpers/sim-harness.js';

const DAY = 86_400_000;
const POLL_MS = 1_000;

/** The bundled changeovers scenario (steady with two products run in turn) and its config. */
function productLine(): { scenario: Scenario; config: LinesideConfig } {
  const s = loadScenarioFile('changeovers');
  if (!s.ok) throw new Error(`scenario: ${JSON.stringify(s.issues)}`);
  const c = loadConfigFile('simulator/scenarios/changeovers.config.yaml', { env: {} });
  if (!c.ok) throw new Error(`config: ${JSON.stringify(c.issues)}`);
  return { scenario: s.scenario as Scenario, config: c.config as LinesideConfig };
}

describe('products and changeovers against the simulator ground truth, one simulated week', () => {
  it('counts exact, downtimes and changeovers within one poll, A/P/Q/OEE within 0.5 pp', { timeout: 300_000 }, () => {
    const { scenario, config } = productLine();
    expect(compareConfigToScenario(config, scenario)).toEqual([]);
    const run = runVirtual({ scenario, config, seed: 5, durationMs: 7 * DAY });
    const truthChangeovers = run.truth.changeovers;
    const coreChangeovers = run.core.changeovers;
    const result = compareWithTruth(run.truth, run.core, {
      ppTolerance: 0.005,
      toleranceMs: POLL_MS,
      microStopThresholdMs: 120_000,
    });
    expect(result.problems).toEqual([]);
    expect([...run.core.cycles.entries()].sort()).toEqual([...run.truth.cycles.entries()].sort());
    expect(run.core.diagnostics).toEqual([]);
    expect(result.maxDeltaPp).toBeLessThanOrEqual(0.5);

    // At least 10 changeovers on every station, each within one poll of the truth.
    for (const station of ['press', 'weld', 'pack']) {
      const truth = truthChangeovers.filter((c) => c.station === station);
      const core = coreChangeovers.filter((c) => c.station === station);
      expect(truth.length, station).toBeGreaterThanOrEqual(10);
      expect(
        core.map((c) => [c.from, c.to]),
        station,
      ).toEqual(truth.map((c) => [c.from, c.to]));
      truth.forEach((t, i) => {
        const c = core[i] as ChangeoverEvent;
        expect(Math.abs(c.start - t.startMs), `${station} changeover ${i} start`).toBeLessThanOrEqual(POLL_MS);
        expect(Math.abs((c.durationMs ?? 0) - t.durationMs), `${station} changeover ${i} duration`).toBeLessThanOrEqual(
          POLL_MS,
        );
      });
    }
    // The changeovers are in the shifts' downtime, as setup.
    const setup = run.truth.shifts
      .flatMap((s) => Object.values(s.stations))
      .some((f) => (f.downtimeByReason.changeover ?? 0) > 0);
    expect(setup).toBe(true);
  });
});

describe('orders against the simulator ground truth, one simulated week', () => {
  it(
    'every order completes at its quantity with the truth’s rejects, within one poll of its last part',
    { timeout: 300_000 },
    () => {
      const { scenario: base, config } = productLine();
      // The same line, each product run an order of 300-800 good parts at pack, started by an MES
      // at its product change (here: the test, as soon as the line has no running order).
      const text = readFileSync('simulator/scenarios/changeovers.yaml', 'utf8').replace(
        /runLength: .*\n/,
        'orders: { quantity: { min: 300, max: 800 } }\n',
      );
      const loaded = loadScenarioText(text);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const scenario = { ...loaded.scenario, seed: base.seed } as Scenario;
      let started = 0;
      const run = runVirtual({
        scenario,
        config,
        seed: 5,
        durationMs: 7 * DAY,
        afterStep: (_t, control) => {
          const next = control.truth.orders.filter((o) => o.phase === 'started')[started];
          if (next === undefined || control.core.snapshot()[0]?.order !== undefined) return;
          const result = control.core.startOrder('line1', {
            id: next.id,
            product: next.product,
            quantity: next.quantity,
          });
          expect(result.ok, JSON.stringify(result)).toBe(true);
          started++;
        },
      });
      const truth = run.truth.orders.filter((o) => o.phase === 'completed');
      expect(truth.length).toBeGreaterThanOrEqual(10);
      expect(run.core.orders.map((o) => [o.orderId, o.product, o.good, o.quantity])).toEqual(
        truth.map((o) => [o.id, o.product, o.quantity, o.quantity]),
      );
      truth.forEach((t, i) => {
        const c = run.core.orders[i];
        expect(c?.reject, `${t.id} rejects`).toBe(t.reject);
        expect(Math.abs((c?.end ?? 0) - (t.endMs ?? 0)), `${t.id} end`).toBeLessThanOrEqual(POLL_MS);
      });
      expect(run.core.diagnostics).toEqual([]);
    },
  );
});

describe('start-up rejects against the simulator ground truth, one simulated week', () => {
  it(
    'every station’s start-up rejects after its changeovers are the ones the documented rule finds in the truth',
    { timeout: 300_000 },
    () => {
      const { config: base } = productLine();
      // The changeovers line with scrap after each setup: the first 6 cycles reject 40 % of parts.
      const text = readFileSync('simulator/scenarios/changeovers.yaml', 'utf8').replace(
        /( {6}rejectRate: [0-9.]+\n)/g,
        '$1      startupRejects: { cycles: 6, rate: 0.4 }\n',
      );
      const loaded = loadScenarioText(text);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const GOOD_PARTS = 4;
      const config = {
        ...base,
        lines: base.lines.map((l) => ({ ...l, changeovers: { ...l.changeovers, startup: { goodParts: GOOD_PARTS } } })),
      } as LinesideConfig;
      const run = runVirtual({
        scenario: loaded.scenario as Scenario,
        config,
        seed: 13,
        durationMs: 7 * DAY,
        keepCycles: true,
      });

      // docs/oee.md#scrap-reasons, applied to the truth: from a changeover's start until the 4th good
      // part from its end (the part that ends it is the first).
      for (const station of ['press', 'weld', 'pack']) {
        const changeovers = run.truth.changeovers.filter((c) => c.station === station);
        const cycles = run.truth.cycleLog.filter((c) => c.station === station);
        let expected = 0;
        for (const c of changeovers) {
          let good = 0;
          for (const part of cycles) {
            if (part.endMs <= c.startMs) continue;
            if (part.good) {
              if (part.endMs >= c.endMs) good++;
              if (good >= GOOD_PARTS) break;
            } else expected++;
          }
        }
        expect(changeovers.length, station).toBeGreaterThanOrEqual(10);
        expect(expected, `${station}: start-up rejects in the truth`).toBeGreaterThan(10);
        expect(run.core.startupRejects.get(station) ?? 0, station).toBe(expected);
      }
    },
  );
});

describe('a scenario with products and its config must agree', () => {
  it('names a product whose ideal, code or target differs, one the config lacks, and an unknown product in the runs', () => {
    const { scenario, config } = productLine();
    const b = config.products.find((p) => p.id === 'bracket-b');
    if (b === undefined) throw new Error('no bracket-b');
    const changed = {
      ...config,
      products: [{ ...b, code: 3, changeoverTarget: 600_000, stations: { ...b.stations, weld: 15_000 } }],
    };
    expect(compareConfigToScenario(changed, scenario)).toEqual([
      "product bracket-a: not in the config's products",
      'product bracket-b: code 3 in the config, 2 in the scenario',
      'product bracket-b: changeoverTarget 600000 ms, scenario 1200000 ms',
      'product bracket-b at weld: ideal 15000 ms in the config, 16000 ms in the scenario',
    ]);
    const text = readFileSync('simulator/scenarios/steady.yaml', 'utf8').replace(
      '\nline:\n',
      '\nproducts: [{ id: a, code: 1 }]\nproductRuns: { sequence: [a, z], runLength: 1h, setup: 10m }\nline:\n',
    );
    const r = loadScenarioText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContainEqual(expect.objectContaining({ message: 'no product "z" in products' }));
  });
});
