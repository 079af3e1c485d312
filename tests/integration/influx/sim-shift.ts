/**
 * A simulated shift into a spool: the steady scenario and its Lineside config, the real core fed
 * from the virtual PLCs' register images (tests/helpers/sim-harness.ts), every core event and
 * every sample appended to the spool as the agent does. No sockets; runs in seconds.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { createCore } from '../../../src/core/core.js';
import type { CoreEvent } from '../../../src/core/events.js';
import type { Sample } from '../../../src/core/sample.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import {
  createSimLine,
  loadScenarioFile,
  scenarioStartWallMs,
  VirtualClock,
  type Scenario,
} from '../../../simulator/index.js';
import { CoreCollector, TruthCollector, VirtualPlcReader } from '../../helpers/sim-harness.js';

export interface SimShiftOptions {
  /** influx: section of the config (url, database, ...). */
  readonly influx: Record<string, unknown>;
  /** Virtual run length from Monday 00:00 (scenario time zone), ms. */
  readonly durationMs: number;
  /** Condition signals are sampled this often, ms (default 5,000). */
  readonly conditionEveryMs?: number;
}

export interface SimShift {
  readonly config: LinesideConfig;
  readonly scenario: Scenario;
  readonly truth: TruthCollector;
  readonly events: CoreEvent[];
  readonly samples: Sample[];
  readonly startWallMs: number;
  readonly endWallMs: number;
}

export function steadyConfig(influx: Record<string, unknown>): LinesideConfig {
  const doc = parse(readFileSync('simulator/scenarios/steady.config.yaml', 'utf8')) as Record<string, unknown>;
  doc.influx = { enabled: true, ...influx };
  const result = loadConfigText(stringify(doc), { env: {}, baseDir: process.cwd() });
  if (!result.ok) throw new Error(`steady config invalid: ${JSON.stringify(result.issues)}`);
  return result.config as LinesideConfig;
}

/**
 * Condition tags of the config mapped to the scenario's condition signals by name: the steady
 * config calls the press vibration register "plc1.press_vibration" and the scenario "press" /
 * "vibration".
 */
function conditionSources(
  config: LinesideConfig,
  scenario: Scenario,
): Array<{ tag: string; station: string; name: string }> {
  const out: Array<{ tag: string; station: string; name: string }> = [];
  for (const line of config.lines) {
    for (const st of line.stations) {
      const spec = scenario.line.stations.find((s) => s.id === st.id);
      for (const c of st.conditions) {
        const name = spec?.conditions.find((sc) => c.tag.endsWith(`${st.id}_${sc.name}`))?.name;
        if (name !== undefined) out.push({ tag: c.tag, station: st.id, name });
      }
    }
  }
  return out;
}

export function runSimShift(spool: Spool, options: SimShiftOptions): SimShift {
  const loaded = loadScenarioFile('steady');
  if (!loaded.ok) throw new Error(`steady scenario: ${JSON.stringify(loaded.issues)}`);
  const scenario = loaded.scenario as Scenario;
  const config = steadyConfig(options.influx);
  const truth = new TruthCollector();
  const collected = new CoreCollector();
  const clock = new VirtualClock({ startWallMs: scenarioStartWallMs(scenario) });
  const line = createSimLine(scenario, { seed: 1, startWallMs: clock.startWallMs, onTruth: truth.onTruth });
  const events: CoreEvent[] = [];
  const samples: Sample[] = [];
  const core = createCore(config, {
    clock,
    onEvent: (e) => {
      collected.onEvent(e);
      events.push(e);
      spool.appendEvent(e);
    },
  });
  const reader = new VirtualPlcReader(config, scenario, line);
  const conditions = conditionSources(config, scenario);
  if (conditions.length === 0) throw new Error('the steady config has no condition tags the scenario knows');
  const conditionEveryMs = options.conditionEveryMs ?? 5_000;
  const sink = (s: Sample): void => {
    samples.push(s);
    spool.appendSample(s);
    core.sample(s);
  };
  const tickMs = 1_000;
  let nextTick = tickMs;
  let nextCondition = conditionEveryMs;
  for (;;) {
    const t = Math.min(reader.nextDueMs(), nextTick, nextCondition);
    if (t > options.durationMs) break;
    clock.advanceTo(t);
    line.advanceTo(t);
    reader.poll(t, clock.wallMs(), sink);
    if (t >= nextCondition) {
      nextCondition += conditionEveryMs;
      for (const c of conditions)
        sink({
          tag: c.tag,
          value: Math.round(line.conditionValue(c.station, c.name, t) * 1000) / 1000,
          ts: clock.wallMs(),
          mono: t,
        });
    }
    if (t >= nextTick) {
      core.tick();
      nextTick += tickMs;
    }
  }
  line.finish(options.durationMs);
  spool.flush();
  return {
    config,
    scenario,
    truth,
    events,
    samples,
    startWallMs: clock.startWallMs,
    endWallMs: clock.startWallMs + options.durationMs,
  };
}
