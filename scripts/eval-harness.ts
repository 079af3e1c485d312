/**
 * Runs a simulator scenario in virtual time through the real agent path, minus the sockets:
 * the simulator's PLC register images are read every poll interval with the agent's own read
 * planner and decoder, filtered by the agent's report-by-exception filter, and fed to the real
 * streaming core (createCore). Core events and the simulator's ground-truth records are handed to
 * the caller. Used by `npm run eval:alerts` and the fixed-seed regression test.
 *
 * Nothing here knows about the predictors: the caller subscribes what it wants to the events.
 */
import { loadConfigFile } from '../src/config/load.js';
import type { LinesideConfig } from '../src/config/schema.js';
import { createCore, type Core } from '../src/core/index.js';
import type { Clock, CoreEvent, Sample } from '../src/core/index.js';
import { ChangeFilter } from '../src/sources/modbus/change-filter.js';
import { decodeBit, decodeRegisters, type TagValue } from '../src/sources/modbus/codec.js';
import { planReads, type PlannedRead } from '../src/sources/modbus/planner.js';
import { createSimLine, type SimLine } from '../simulator/engine/line.js';
import { PlcImage } from '../simulator/plc/image.js';
import { loadScenarioFile } from '../simulator/scenario-load.js';
import type { Scenario } from '../simulator/scenario-schema.js';
import type { TruthRecord } from '../simulator/truth/records.js';

export interface HarnessOptions {
  /** Bundled scenario name ('degrading', 'steady', ...). Its `<name>.config.yaml` is the agent config. */
  readonly scenario: string;
  readonly seed: number;
  /** Simulated run length, ms. */
  readonly durationMs: number;
  /** Poll interval, ms (default: the devices' configured pollInterval, i.e. 1 s for the bundled configs). */
  readonly pollMs?: number;
  /** Lets the caller change the scenario (e.g. drop its wear) before the line is built. */
  readonly editScenario?: (scenario: Scenario) => Scenario;
  /** Lets the caller change the parsed config (e.g. alert sensitivity) before the core is built. */
  readonly editConfig?: (config: LinesideConfig) => LinesideConfig;
  readonly onTruth?: (record: TruthRecord) => void;
  /** Every core event, in order. */
  readonly onEvent?: (event: CoreEvent) => void;
  /** Every sample handed to the core (after the change filter). */
  readonly onSample?: (sample: Sample) => void;
  /** Called once the config and the clock exist, before the first poll (build consumers here). */
  readonly onStart?: (config: LinesideConfig, clock: Clock) => void;
  /** Called after every poll, after core.tick(): time-driven consumers tick here. */
  readonly afterPoll?: (monoMs: number) => void;
}

export interface HarnessRun {
  readonly config: LinesideConfig;
  readonly core: Core;
  readonly line: SimLine;
  readonly clock: Clock;
  readonly polls: number;
  readonly samples: number;
}

interface DeviceReader {
  readonly device: string;
  readonly image: PlcImage;
  readonly reads: readonly PlannedRead[];
  /** Per read: holds a condition tag (changes with time); the others change only on simulator events. */
  readonly timeVarying: readonly boolean[];
}

const configCache = new Map<string, LinesideConfig>();
const scenarioCache = new Map<string, Scenario>();

export function loadScenario(name: string): Scenario {
  let scenario = scenarioCache.get(name);
  if (scenario === undefined) {
    const result = loadScenarioFile(name);
    if (!result.ok) throw new Error(`scenario ${name} invalid: ${result.issues.map((i) => i.message).join('; ')}`);
    scenario = result.scenario as Scenario;
    scenarioCache.set(name, scenario);
  }
  return scenario;
}

export function loadScenarioConfig(name: string): LinesideConfig {
  let config = configCache.get(name);
  if (config === undefined) {
    const file = new URL(`../simulator/scenarios/${name}.config.yaml`, import.meta.url).pathname;
    // Ports are never opened here: any number does.
    const result = loadConfigFile(file, { env: { LINESIDE_SIM_PORT_PLC1: '15020', LINESIDE_SIM_PORT_PLC2: '15021' } });
    if (!result.ok)
      throw new Error(
        `config ${file} invalid: ${result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    config = result.config;
    configCache.set(name, config);
  }
  return config;
}

/** Steps the scenario for `durationMs` of virtual time; returns when done (synchronous, no sleeping). */
export function runScenario(options: HarnessOptions): HarnessRun {
  const bundled = loadScenario(options.scenario);
  const scenario = options.editScenario !== undefined ? options.editScenario(bundled) : bundled;
  const baseConfig = loadScenarioConfig(options.scenario);
  const config = options.editConfig !== undefined ? options.editConfig(baseConfig) : baseConfig;
  const line = createSimLine(scenario, {
    seed: options.seed,
    ...(options.onTruth !== undefined ? { onTruth: options.onTruth } : {}),
  });
  let mono = 0;
  const clock: Clock = { wallMs: () => line.startWallMs + mono, monoMs: () => mono };
  options.onStart?.(config, clock);
  const core = createCore(config, { clock, ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}) });

  const readers: DeviceReader[] = [];
  const used = usedTags(config);
  const conditionTags = new Set(
    config.lines.flatMap((l) => l.stations.flatMap((st) => st.conditions.map((c) => c.tag))),
  );
  for (const device of config.devices) {
    if (device.protocol !== 'modbus-tcp' && device.protocol !== 'modbus-rtu') continue;
    const spec = scenario.plcs.find((p) => p.id === device.id);
    if (spec === undefined) continue;
    // Only the tags the stations use: the identity string and friends are read once in the real
    // agent's life and would only slow a simulated month down.
    const tags = device.tags.filter((t) => used.has(`${device.id}.${t.name}`));
    const reads = planReads({ ...device, tags }).reads;
    readers.push({
      device: device.id,
      image: new PlcImage(spec, line),
      reads,
      timeVarying: reads.map((r) => r.tags.some((t) => conditionTags.has(t.id))),
    });
  }
  const pollMs =
    options.pollMs ?? Math.min(...config.devices.map((d) => ('pollInterval' in d ? (d.pollInterval as number) : 1000)));
  const filter = new ChangeFilter();
  let polls = 0;
  let samples = 0;
  for (const r of readers) core.comms({ device: r.device, ok: true, ts: clock.wallMs(), mono });

  let eventsSeen = -1;
  for (mono = 0; mono <= options.durationMs; mono += pollMs) {
    line.advanceTo(mono);
    const ts = line.startWallMs + mono;
    // Counters, bits and fault codes change only when the simulation processes an event: when it
    // processed none since the last poll, re-reading them would only feed the change filter
    // values it drops anyway (exactly the same samples reach the core, much faster).
    const changed = line.eventsProcessed !== eventsSeen;
    eventsSeen = line.eventsProcessed;
    for (const reader of readers) {
      for (let r = 0; r < reader.reads.length; r++) {
        const read = reader.reads[r] as PlannedRead;
        if (!changed && reader.timeVarying[r] !== true) continue;
        const bits = read.area === 'coil' || read.area === 'discrete';
        const words = reader.image.read(read.area, read.start, read.count);
        for (const tag of read.tags) {
          const result = bits
            ? decodeBit(
                words.map((w) => w !== 0),
                tag.offset - read.start,
              )
            : decodeRegisters(words, tag.offset - read.start, tag.decode);
          if (!result.ok) continue;
          const value: TagValue = result.value;
          if (!filter.offer(tag.id, value, tag.deadband)) continue;
          const sample: Sample = { tag: tag.id, value, ts, mono };
          samples++;
          core.sample(sample);
          options.onSample?.(sample);
        }
      }
    }
    core.tick();
    options.afterPoll?.(mono);
    polls++;
  }
  line.finish(Math.min(mono, options.durationMs));
  return { config, core, line, clock, polls, samples };
}

/** Tag ids the stations bind (signals and condition tags). */
function usedTags(config: LinesideConfig): Set<string> {
  const used = new Set<string>();
  for (const line of config.lines) {
    for (const station of line.stations) {
      for (const tag of Object.values(station.signals)) if (typeof tag === 'string') used.add(tag);
      for (const c of station.conditions) used.add(c.tag);
    }
  }
  return used;
}
