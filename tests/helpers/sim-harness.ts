/**
 * Runs the simulator and the streaming core together and compares the core's numbers with the
 * simulator's ground truth (docs/oee.md). Three reusable parts plus a one-call virtual run:
 *
 * - `TruthCollector`: give its `onTruth` to createSimLine/startSimulator; keeps shift records,
 *   `down` intervals and cycle counts (not every record: a week is large).
 * - `CoreCollector`: give its `onEvent` to createCore (or `core.on`); keeps final OEE events,
 *   downtime intervals and cycle counts.
 * - `compareWithTruth(truth, core, options)`: per shift and station (and the line): counts exact,
 *   availability / performance / quality / OEE within `ppTolerance`; every downtime matched to a
 *   true `down` interval of the same reason with start and end within `toleranceMs` (one poll).
 * - `runVirtual(options)`: no sockets: the register images of the scenario's virtual PLCs are
 *   read at each device's poll interval and decoded through the config's tag definitions with the
 *   Modbus source's codec, report-by-exception like the real poller, GPIO part sensors counted from
 *   the virtual GPIO's edges. For the run through real Modbus over loopback, start the simulator
 *   with a manual VirtualClock, poll it with the Modbus source into a core built with the same
 *   clock, and use the collectors and compareWithTruth the same way.
 */
import { resolveAddress } from '../../src/config/addresses.js';
import type { Device, LinesideConfig, ModbusTag } from '../../src/config/schema.js';
import { createCore, type Core, type CoreDiagnostic } from '../../src/core/core.js';
import type {
  ChangeoverEvent,
  CoreEvent,
  DowntimeEvent,
  OeeEvent,
  OeeFigures,
  OrderEvent,
} from '../../src/core/events.js';
import type { Sample } from '../../src/core/sample.js';
import {
  decodeBit,
  decodeRegisters,
  wordsFor,
  type DecodeSpec,
  type TagValue,
} from '../../src/sources/modbus/codec.js';
import {
  createSimLine,
  scenarioStartWallMs,
  VirtualClock,
  type Scenario,
  type SimLine,
} from '../../simulator/index.js';
// The register image is what the simulator's Modbus servers answer from; reading it directly skips
// the sockets (simulator/index.ts does not export it yet).
import { PlcImage, type Area } from '../../simulator/plc/image.js';
import type {
  ChangeoverRecord,
  OrderRecord,
  ShiftFigures,
  ShiftRecord,
  StateRecord,
  TruthRecord,
} from '../../simulator/truth/records.js';

// ---- truth --------------------------------------------------------------------------------------

export interface TrueDowntime {
  readonly station: string;
  readonly reason: string;
  readonly startMs: number;
  readonly endMs: number;
}

export class TruthCollector {
  readonly shifts: ShiftRecord[] = [];
  readonly downtimes: TrueDowntime[] = [];
  readonly cycles = new Map<string, number>();
  readonly smallStops: StateRecord[] = [];
  readonly changeovers: ChangeoverRecord[] = [];
  /** Order records (productRuns.orders), started and completed, in order. */
  readonly orders: OrderRecord[] = [];
  /** Every part (with keepCycles): station, end and good, in order. */
  readonly cycleLog: { readonly station: string; readonly endMs: number; readonly good: boolean }[] = [];
  constructor(private readonly keepCycles = false) {}
  endMs: number | undefined;
  readonly onTruth = (record: TruthRecord): void => {
    switch (record.type) {
      case 'shift':
        this.shifts.push(record);
        break;
      case 'state':
        if (record.state === 'down')
          this.downtimes.push({
            station: record.station,
            reason: record.reason ?? 'unassigned',
            startMs: record.startMs,
            endMs: record.endMs,
          });
        if (record.state === 'small_stop') this.smallStops.push(record);
        break;
      case 'cycle':
        this.cycles.set(record.station, (this.cycles.get(record.station) ?? 0) + 1);
        if (this.keepCycles) this.cycleLog.push({ station: record.station, endMs: record.endMs, good: record.good });
        break;
      case 'changeover':
        this.changeovers.push(record);
        break;
      case 'order':
        this.orders.push(record);
        break;
      case 'end':
        this.endMs = record.endMs;
        break;
      default:
        break;
    }
  };
}

// ---- core ---------------------------------------------------------------------------------------

export interface CoreDowntime {
  readonly station: string;
  readonly downtimeId: string;
  reason: string;
  readonly startMs: number;
  endMs: number | undefined;
}

export class CoreCollector {
  readonly finals: OeeEvent[] = [];
  readonly downtimes = new Map<string, CoreDowntime>();
  readonly cycles = new Map<string, number>();
  readonly diagnostics: CoreDiagnostic[] = [];
  /** Changeovers that ended. */
  readonly changeovers: ChangeoverEvent[] = [];
  /** Orders that completed. */
  readonly orders: OrderEvent[] = [];
  /** Start-up rejects per station (cycle events with startup: true). */
  readonly startupRejects = new Map<string, number>();
  readonly onEvent = (event: CoreEvent): void => {
    if (event.type === 'cycle') {
      this.cycles.set(event.station, (this.cycles.get(event.station) ?? 0) + 1);
      if (event.startup === true)
        this.startupRejects.set(event.station, (this.startupRejects.get(event.station) ?? 0) + 1);
    } else if (event.type === 'oee' && event.final) this.finals.push(event);
    else if (event.type === 'downtime') this.downtime(event);
    else if (event.type === 'changeover' && event.phase === 'ended') this.changeovers.push(event);
    else if (event.type === 'order' && event.phase === 'completed') this.orders.push(event);
  };
  readonly onDiagnostic = (d: CoreDiagnostic): void => {
    this.diagnostics.push(d);
  };

  private downtime(e: DowntimeEvent): void {
    const known = this.downtimes.get(e.downtimeId);
    if (known === undefined) {
      this.downtimes.set(e.downtimeId, {
        station: e.station,
        downtimeId: e.downtimeId,
        reason: e.reason,
        startMs: e.start,
        endMs: e.end,
      });
      return;
    }
    known.reason = e.reason;
    if (e.end !== undefined) known.endMs = e.end;
  }
}

// ---- comparison ---------------------------------------------------------------------------------

export interface CompareOptions {
  /** Largest allowed difference of availability, performance, quality, OEE (0.005 = 0.5 pp). */
  readonly ppTolerance: number;
  /** Downtime start/end tolerance: one poll interval. */
  readonly toleranceMs: number;
  /** Micro-stop threshold: stops this close to it may fall either side (poll quantisation). */
  readonly microStopThresholdMs: number;
}

export interface ShiftComparison {
  readonly shift: string;
  readonly station: string;
  readonly truth: Pick<ShiftFigures, 'counts' | 'availability' | 'performance' | 'quality' | 'oee'>;
  readonly core: Pick<OeeFigures, 'counts' | 'availability' | 'performance' | 'quality' | 'oee'> | undefined;
  readonly maxDeltaPp: number;
}

export interface Comparison {
  readonly shifts: ShiftComparison[];
  readonly problems: string[];
  /** Largest |core - truth| of A, P, Q, OEE over all shifts and stations, in percentage points. */
  readonly maxDeltaPp: number;
  readonly downtimesMatched: number;
  /** Unmatched stops within one poll of the micro-stop threshold (classification may differ). */
  readonly borderline: number;
  readonly maxDowntimeEdgeErrorMs: number;
}

function figuresDelta(t: ShiftFigures, c: OeeFigures): number {
  let max = 0;
  for (const k of ['availability', 'performance', 'quality', 'oee'] as const) {
    const tv = t[k];
    if (tv === null) continue;
    max = Math.max(max, Math.abs(c[k] - tv));
  }
  return max;
}

export function compareWithTruth(truth: TruthCollector, core: CoreCollector, options: CompareOptions): Comparison {
  const problems: string[] = [];
  const shifts: ShiftComparison[] = [];
  let maxDelta = 0;
  for (const record of truth.shifts) {
    if (record.partial) continue;
    const entries: [string, ShiftFigures, OeeEvent | undefined][] = Object.entries(record.stations).map(
      ([station, fig]) => [
        station,
        fig,
        core.finals.find(
          (e) => e.station === station && e.window.shift === record.shift && e.window.end === record.endMs,
        ),
      ],
    );
    entries.push([
      `line:${record.line.outputStation}`,
      record.line,
      core.finals.find(
        (e) => e.station === undefined && e.window.shift === record.shift && e.window.end === record.endMs,
      ),
    ]);
    for (const [station, fig, event] of entries) {
      if (event === undefined) {
        problems.push(`${record.key} ${station}: no final OEE event from the core`);
        shifts.push({ shift: record.key, station, truth: fig, core: undefined, maxDeltaPp: Number.POSITIVE_INFINITY });
        continue;
      }
      const c = event.figures;
      for (const k of ['total', 'good', 'reject'] as const) {
        if (c.counts[k] !== fig.counts[k])
          problems.push(`${record.key} ${station}: ${k} count ${c.counts[k]}, truth ${fig.counts[k]}`);
      }
      const delta = figuresDelta(fig, c);
      maxDelta = Math.max(maxDelta, delta);
      if (delta > options.ppTolerance) {
        problems.push(
          `${record.key} ${station}: A/P/Q/OEE ${[c.availability, c.performance, c.quality, c.oee].map((x) => x.toFixed(4)).join('/')} vs truth ${[fig.availability, fig.performance, fig.quality, fig.oee].map((x) => (x ?? NaN).toFixed(4)).join('/')}`,
        );
      }
      shifts.push({ shift: record.key, station, truth: fig, core: c, maxDeltaPp: delta * 100 });
    }
  }

  // Downtime events: each true `down` interval has one core downtime of the same reason whose
  // start and end are within one poll, and vice versa.
  let matched = 0;
  let borderline = 0;
  let maxEdge = 0;
  const used = new Set<string>();
  const coreList = [...core.downtimes.values()];
  const endOfRun = truth.endMs ?? Number.POSITIVE_INFINITY;
  const nearThreshold = (ms: number): boolean => Math.abs(ms - options.microStopThresholdMs) <= options.toleranceMs;
  for (const t of truth.downtimes) {
    const candidates = coreList.filter(
      (c) =>
        c.station === t.station && !used.has(c.downtimeId) && Math.abs(c.startMs - t.startMs) <= options.toleranceMs,
    );
    const hit = candidates.find((c) => c.reason === t.reason) ?? candidates[0];
    if (hit === undefined) {
      if (t.reason === 'unassigned' && nearThreshold(t.endMs - t.startMs)) borderline++;
      else
        problems.push(
          `truth downtime ${t.station} ${t.reason} ${new Date(t.startMs).toISOString()} (${((t.endMs - t.startMs) / 1000).toFixed(1)} s): no core downtime starting within ${options.toleranceMs} ms`,
        );
      continue;
    }
    used.add(hit.downtimeId);
    const end = hit.endMs ?? endOfRun;
    const edge = Math.max(Math.abs(hit.startMs - t.startMs), t.endMs >= endOfRun ? 0 : Math.abs(end - t.endMs));
    maxEdge = Math.max(maxEdge, edge);
    if (hit.reason !== t.reason) problems.push(`downtime ${hit.downtimeId}: reason ${hit.reason}, truth ${t.reason}`);
    else if (edge > options.toleranceMs)
      problems.push(`downtime ${hit.downtimeId} (${t.reason}): start/end off by ${edge} ms`);
    else matched++;
  }
  for (const c of coreList) {
    if (used.has(c.downtimeId)) continue;
    const duration = (c.endMs ?? endOfRun) - c.startMs;
    if (c.reason === 'unassigned' && nearThreshold(duration)) borderline++;
    else
      problems.push(
        `core downtime ${c.downtimeId} ${c.reason} ${new Date(c.startMs).toISOString()} (${(duration / 1000).toFixed(1)} s): not in the truth`,
      );
  }

  for (const [station, n] of truth.cycles) {
    const got = core.cycles.get(station) ?? 0;
    if (got !== n) problems.push(`${station}: ${got} cycle events over the run, truth ${n}`);
  }
  return {
    shifts,
    problems,
    maxDeltaPp: maxDelta * 100,
    downtimesMatched: matched,
    borderline,
    maxDowntimeEdgeErrorMs: maxEdge,
  };
}

// ---- reading the virtual PLCs -------------------------------------------------------------------

interface TagReader {
  readonly id: string;
  readonly spec: DecodeSpec;
  readonly area: Area;
  readonly offset: number;
  readonly count: number;
  readonly deadband: number;
  last: TagValue | undefined;
  lastWords: number[] | undefined;
}

/** One coalesced read of an area, as the Modbus poller plans it (tags never split). */
interface BlockRead {
  readonly area: Area;
  readonly start: number;
  readonly count: number;
  readonly tags: TagReader[];
}

interface DeviceReader {
  readonly device: Device;
  readonly image: PlcImage;
  readonly blocks: BlockRead[];
  nextPollMs: number;
}

function planBlocks(tags: TagReader[]): BlockRead[] {
  const blocks: BlockRead[] = [];
  for (const area of ['holding', 'input', 'coil', 'discrete'] as const) {
    const inArea = tags.filter((t) => t.area === area).sort((a, b) => a.offset - b.offset);
    const cap = area === 'coil' || area === 'discrete' ? 2000 : 125;
    let current: { start: number; end: number; tags: TagReader[] } | undefined;
    for (const t of inArea) {
      const end = t.offset + t.count;
      if (current !== undefined && end - current.start <= cap) {
        current.end = Math.max(current.end, end);
        current.tags.push(t);
        continue;
      }
      if (current !== undefined)
        blocks.push({ area, start: current.start, count: current.end - current.start, tags: current.tags });
      current = { start: t.offset, end, tags: [t] };
    }
    if (current !== undefined)
      blocks.push({ area, start: current.start, count: current.end - current.start, tags: current.tags });
  }
  return blocks;
}

/** Tags the stations use (the core ignores the rest; reading them would only slow a week down). */
function boundTags(config: LinesideConfig): Set<string> {
  const out = new Set<string>();
  for (const line of config.lines)
    for (const st of line.stations) for (const tag of Object.values(st.signals)) if (tag !== undefined) out.add(tag);
  return out;
}

function tagReader(device: Device, tag: ModbusTag): TagReader {
  const resolved = resolveAddress(tag, device);
  if (typeof resolved === 'string') throw new Error(`${device.id}.${tag.name}: ${resolved}`);
  return {
    id: `${device.id}.${tag.name}`,
    spec: {
      type: tag.type,
      order: tag.order ?? device.order,
      ...(tag.bit !== undefined ? { bit: tag.bit } : {}),
      ...(tag.length !== undefined ? { length: tag.length } : {}),
      scale: tag.scale,
      offset: tag.offset,
    },
    area: resolved.area,
    offset: resolved.offset,
    count:
      resolved.area === 'coil' || resolved.area === 'discrete'
        ? 1
        : wordsFor({ type: tag.type, ...(tag.length !== undefined ? { length: tag.length } : {}) }),
    deadband: tag.deadband,
    last: undefined,
    lastWords: undefined,
  };
}

export class VirtualPlcReader {
  private readonly devices: DeviceReader[] = [];
  private readonly gpio: {
    id: string;
    count: number;
    level: 0 | 1;
    lastSent: number | undefined;
    lastLevel: 0 | 1 | undefined;
  }[] = [];

  constructor(config: LinesideConfig, scenario: Scenario, line: SimLine) {
    const bound = boundTags(config);
    for (const device of config.devices) {
      const plc = scenario.plcs.find((p) => p.id === device.id);
      if (plc === undefined)
        throw new Error(`config device ${device.id} has no PLC of that id in scenario ${scenario.name}`);
      const tags = device.tags.filter((t) => bound.has(`${device.id}.${t.name}`)).map((t) => tagReader(device, t));
      this.devices.push({
        device,
        image: new PlcImage(plc, line),
        blocks: planBlocks(tags),
        nextPollMs: device.pollInterval,
      });
    }
    for (const input of config.gpio.inputs) {
      if (!bound.has(`gpio.${input.name}`)) continue;
      const entry = {
        id: `gpio.${input.name}`,
        count: 0,
        level: 0 as 0 | 1,
        lastSent: undefined as number | undefined,
        lastLevel: undefined as 0 | 1 | undefined,
      };
      this.gpio.push(entry);
      // Stable-state debounce like the GPIO source: a level counts once it has held `debounce` ms.
      let pending: { level: 0 | 1; at: number } | undefined;
      let stable: 0 | 1 = input.activeLow ? 1 : 0;
      const settle = (now: number): void => {
        if (pending === undefined || now - pending.at < input.debounce) return;
        const active = (pending.level === 1) !== input.activeLow;
        if (pending.level !== stable) {
          const rising = active;
          if (input.edge === 'both' || (input.edge === 'rising' && rising) || (input.edge === 'falling' && !rising))
            entry.count++;
          stable = pending.level;
          entry.level = active ? 1 : 0;
        }
        pending = undefined;
      };
      line.gpio.onEdge(input.pin, (level, mono) => {
        settle(mono);
        pending = { level, at: mono };
      });
      this.settleGpio.push(settle);
    }
  }

  private readonly settleGpio: ((now: number) => void)[] = [];

  /** Forget what was sent: the next poll sends every value, as the poller does after a reconnect. */
  resendAll(): void {
    for (const d of this.devices) {
      for (const b of d.blocks) {
        for (const t of b.tags) {
          t.last = undefined;
          t.lastWords = undefined;
        }
      }
    }
    for (const g of this.gpio) g.lastSent = undefined;
  }

  /** Earliest time a device is due. */
  nextDueMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const d of this.devices) next = Math.min(next, d.nextPollMs);
    return next;
  }

  /** Polls every device due at `monoMs` (and GPIO every second) into the sink, report-by-exception. */
  poll(monoMs: number, wallMs: number, sink: (sample: Sample) => void): void {
    for (const d of this.devices) {
      if (d.nextPollMs > monoMs) continue;
      d.nextPollMs += d.device.pollInterval;
      for (const block of d.blocks) {
        const blockWords = d.image.read(block.area, block.start, block.count);
        for (const t of block.tags)
          this.offer(
            t,
            blockWords.slice(t.offset - block.start, t.offset - block.start + t.count),
            monoMs,
            wallMs,
            sink,
          );
      }
    }
    if (this.gpio.length > 0 && monoMs % 1000 === 0) {
      for (const settle of this.settleGpio) settle(monoMs);
      for (const g of this.gpio) {
        if (g.lastSent !== g.count) {
          g.lastSent = g.count;
          sink({ tag: g.id, value: g.count, ts: wallMs, mono: monoMs });
        }
      }
    }
  }

  /** Report by exception, like the poller: unchanged registers are not decoded, unchanged values not sent. */
  private offer(t: TagReader, words: number[], monoMs: number, wallMs: number, sink: (sample: Sample) => void): void {
    if (t.lastWords !== undefined && sameWords(words, t.lastWords)) return;
    t.lastWords = words;
    const decoded =
      t.area === 'coil' || t.area === 'discrete'
        ? decodeBit(
            words.map((w) => w !== 0),
            0,
          )
        : decodeRegisters(words, 0, t.spec);
    if (!decoded.ok) return;
    const value = decoded.value;
    if (t.last !== undefined && !moved(t.last, value, t.deadband)) return;
    t.last = value;
    sink({ tag: t.id, value, ts: wallMs, mono: monoMs });
  }
}

function sameWords(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function moved(previous: TagValue, value: TagValue, deadband: number): boolean {
  if (typeof previous === 'number' && typeof value === 'number' && deadband > 0)
    return Math.abs(value - previous) > deadband;
  return previous !== value;
}

// ---- one-call virtual run -------------------------------------------------------------------------

export interface VirtualRunOptions {
  readonly scenario: Scenario;
  readonly config: LinesideConfig;
  readonly seed?: number;
  readonly durationMs: number;
  /** How often the agent ticks the core (default 1000 ms). */
  readonly tickMs?: number;
  /** Called after each step, e.g. to restart the core from a checkpoint mid-run. */
  readonly afterStep?: (monoMs: number, run: RunControl) => void;
  /** Keep every truth cycle (truth.cycleLog), for tests that classify parts themselves. */
  readonly keepCycles?: boolean;
}

export interface RunControl {
  readonly core: Core;
  readonly clock: VirtualClock;
  /** Listeners to give a replacement core (the run's collectors). */
  readonly collector: CoreCollector;
  /** What the simulator recorded so far (an MES in a test starts its orders from it). */
  readonly truth: TruthCollector;
  /** Swaps the core (an agent restart); the reader then resends every value, like a reconnect. */
  replaceCore(core: Core): void;
}

export interface VirtualRun {
  readonly truth: TruthCollector;
  readonly core: CoreCollector;
  readonly clock: VirtualClock;
  readonly line: SimLine;
  readonly samples: number;
}

export function runVirtual(options: VirtualRunOptions): VirtualRun {
  const truth = new TruthCollector(options.keepCycles === true);
  const collected = new CoreCollector();
  const clock = new VirtualClock({ startWallMs: scenarioStartWallMs(options.scenario) });
  const line = createSimLine(options.scenario, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    startWallMs: clock.startWallMs,
    onTruth: truth.onTruth,
  });
  let core = createCore(options.config, { clock, onEvent: collected.onEvent, onDiagnostic: collected.onDiagnostic });
  const reader = new VirtualPlcReader(options.config, options.scenario, line);
  const tickMs = options.tickMs ?? 1000;
  let samples = 0;
  const sink = (s: Sample): void => {
    samples++;
    core.sample(s);
  };
  let nextTick = tickMs;
  const control = {
    core,
    clock,
    collector: collected,
    truth,
    replaceCore: (c: Core): void => {
      core = c;
      reader.resendAll();
    },
  };
  for (;;) {
    const t = Math.min(reader.nextDueMs(), nextTick);
    if (t > options.durationMs) break;
    clock.advanceTo(t);
    line.advanceTo(t);
    reader.poll(t, clock.wallMs(), sink);
    if (t >= nextTick) {
      core.tick();
      nextTick += tickMs;
    }
    if (options.afterStep !== undefined) {
      control.core = core;
      options.afterStep(t, control);
    }
  }
  line.finish(options.durationMs);
  return { truth, core: collected, clock, line, samples };
}
