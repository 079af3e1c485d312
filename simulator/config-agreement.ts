/**
 * Does a Lineside config read the virtual line the way the scenario's PLC program exposes it?
 * A real PLC defines its own register map and the config must agree with it; this compares the
 * two: every bound signal's area, address, type, word order and scale, unit ids, GPIO pins,
 * station timing and the shift calendar. Used by the tests of the bundled scenario/config pairs
 * and by anyone writing a config for their own scenario.
 */
import { resolveAddress } from '../src/config/addresses.js';
import type { Device, LinesideConfig, ModbusTag } from '../src/config/schema.js';
import { productIdeal } from '../src/config/schema-products.js';
import { faultReasons } from './engine/observation.js';
import { productIdealAt } from './engine/product-runs.js';
import type { RegisterEntry, Scenario } from './scenario-schema.js';

/** Config signal key -> the scenario's station signal name. */
const SIGNAL_NAMES: Record<string, string> = {
  cycleCounter: 'partCount',
  cycleEdge: 'cycleComplete',
  running: 'running',
  faultCode: 'faultCode',
  goodCount: 'goodCount',
  rejectCount: 'rejectCount',
  starved: 'starved',
  blocked: 'blocked',
  plannedStop: 'plannedStop',
  productCode: 'productCode',
};

const MULTI_WORD = new Set(['int32', 'uint32', 'float32', 'int64', 'uint64', 'float64']);

/** Disagreements, one sentence each naming both sides; empty when they agree. */
export function compareConfigToScenario(config: LinesideConfig, scenario: Scenario): string[] {
  const issues: string[] = [];
  const line = config.lines.find((l) => l.id === scenario.line.id);
  if (line === undefined) return [`config has no line "${scenario.line.id}"`];
  const configIds = line.stations.map((s) => s.id).join(',');
  const scenarioIds = scenario.line.stations.map((s) => s.id).join(',');
  if (configIds !== scenarioIds)
    issues.push(`line ${line.id}: config stations [${configIds}] differ from scenario stations [${scenarioIds}]`);
  const outConfig = line.outputStation ?? line.stations[line.stations.length - 1]?.id;
  const outScenario = scenario.line.outputStation ?? scenario.line.stations[scenario.line.stations.length - 1]?.id;
  if (outConfig !== outScenario)
    issues.push(`line ${line.id}: output station ${outConfig} in the config, ${outScenario} in the scenario`);

  issues.push(...compareProducts(config, scenario, line));

  for (const device of config.devices) {
    const plc = scenario.plcs.find((p) => p.id === device.id);
    if (plc === undefined) {
      issues.push(`device ${device.id}: no PLC "${device.id}" in the scenario`);
      continue;
    }
    const protocol = plc.transport === 'rtu' ? 'modbus-rtu' : 'modbus-tcp';
    if (device.protocol !== protocol)
      issues.push(`device ${device.id}: protocol ${device.protocol}, scenario PLC is ${protocol}`);
    if (device.unitId !== plc.unitId)
      issues.push(`device ${device.id}: unit id ${device.unitId}, scenario PLC has ${plc.unitId}`);
    if (device.protocol === 'modbus-tcp' && plc.port !== 0 && device.port !== plc.port)
      issues.push(`device ${device.id}: port ${device.port}, scenario PLC listens on ${plc.port}`);
  }

  for (const station of line.stations) {
    const spec = scenario.line.stations.find((s) => s.id === station.id);
    if (spec === undefined) continue;
    const where = `station ${station.id}`;
    if (station.idealCycleTime !== spec.idealCycleTime)
      issues.push(`${where}: idealCycleTime ${station.idealCycleTime} ms, scenario ${spec.idealCycleTime} ms`);
    if (station.microStopThreshold !== spec.microStopThreshold)
      issues.push(
        `${where}: microStopThreshold ${station.microStopThreshold} ms, scenario ${spec.microStopThreshold} ms`,
      );
    if (station.stoppedAfterIdealCycles !== spec.stoppedAfterIdealCycles)
      issues.push(
        `${where}: stoppedAfterIdealCycles ${station.stoppedAfterIdealCycles}, scenario ${spec.stoppedAfterIdealCycles}`,
      );
    if (station.signals.running !== undefined && station.trustRunningBit !== spec.trustRunningBit)
      issues.push(`${where}: trustRunningBit ${station.trustRunningBit}, scenario ${spec.trustRunningBit}`);
    const reasons = faultReasons(scenario, station.id);
    for (const [code, reason] of reasons) {
      if (station.faultReasons[String(code)] !== reason)
        issues.push(
          `${where}: fault code ${code} is "${reason}" in the scenario, "${station.faultReasons[String(code)] ?? '(unmapped)'}" in the config`,
        );
    }
    for (const [key, ref] of Object.entries(station.signals)) {
      if (ref === undefined) continue;
      if (key === 'cyclePulse') {
        const input = config.gpio.inputs.find((g) => `gpio.${g.name}` === ref);
        const sim = input !== undefined ? scenario.gpio.inputs.find((g) => g.pin === input.pin) : undefined;
        if (input === undefined || sim === undefined)
          issues.push(`${where}: cyclePulse ${ref} is not a pin the scenario drives`);
        else {
          if (sim.station !== station.id)
            issues.push(`${where}: cyclePulse pin ${input.pin} senses station ${sim.station} in the scenario`);
          if (sim.activeLow !== input.activeLow)
            issues.push(`${where}: pin ${input.pin} activeLow ${input.activeLow}, scenario ${sim.activeLow}`);
        }
        continue;
      }
      const name = SIGNAL_NAMES[key];
      if (name !== undefined)
        checkTag(config, scenario, `${where} signals.${key}`, ref, (sig) => sig === `${station.id}.${name}`, issues);
    }
    for (const condition of station.conditions) {
      const entry = checkTag(
        config,
        scenario,
        `${where} condition ${condition.tag}`,
        condition.tag,
        (sig) => sig.startsWith(`${station.id}.condition.`),
        issues,
      );
      const simName = entry?.signal?.split('.')[2];
      const sim = spec.conditions.find((c) => c.name === simName);
      if (sim !== undefined && sim.kind !== condition.kind)
        issues.push(`${where} condition ${condition.tag}: kind ${condition.kind}, scenario ${sim.kind}`);
    }
  }

  const cal = config.shifts;
  if (cal.timezone !== scenario.shifts.timezone)
    issues.push(`shifts.timezone ${cal.timezone}, scenario ${scenario.shifts.timezone}`);
  const norm = (
    shifts: readonly {
      name: string;
      start: string;
      end: string;
      days: readonly string[];
      breaks: readonly { start: string; duration: number }[];
      target?: number;
    }[],
  ) =>
    JSON.stringify(
      shifts.map((s) => [
        s.name,
        s.start,
        s.end,
        [...s.days].sort(),
        s.breaks.map((b) => [b.start, b.duration]),
        s.target ?? null,
      ]),
    );
  if (norm(cal.shifts) !== norm(scenario.shifts.shifts))
    issues.push('shifts: the config calendar differs from the scenario calendar');
  return issues;
}

/** Checks that `ref` resolves where the scenario puts a signal accepted by `matches`. */
function checkTag(
  config: LinesideConfig,
  scenario: Scenario,
  where: string,
  ref: string,
  matches: (signal: string) => boolean,
  issues: string[],
): RegisterEntry | undefined {
  const dot = ref.indexOf('.');
  const device = config.devices.find((d) => d.id === ref.slice(0, dot));
  const tag = device?.tags.find((t) => t.name === ref.slice(dot + 1));
  const plc = scenario.plcs.find((p) => p.id === device?.id);
  if (device === undefined || tag === undefined || plc === undefined) {
    issues.push(`${where}: ${ref} is not a tag of a simulated PLC`);
    return undefined;
  }
  const resolved = resolveAddress(tag, device);
  if (typeof resolved === 'string') {
    issues.push(`${where}: ${resolved}`);
    return undefined;
  }
  const entry = plc.registers.find(
    (e) =>
      e.signal !== undefined &&
      matches(e.signal) &&
      e.area === resolved.area &&
      e.address === resolved.offset &&
      (tag.type !== 'bit' || e.bit === tag.bit),
  );
  if (entry === undefined) {
    const expected = plc.registers
      .filter((e) => e.signal !== undefined && matches(e.signal))
      .map((e) => `${e.signal} at ${e.area} ${e.address}${e.bit !== undefined ? `.${e.bit}` : ''}`);
    issues.push(
      `${where}: ${ref} reads ${resolved.area} ${resolved.offset}${tag.bit !== undefined ? `.${tag.bit}` : ''} but the scenario has ${expected.join(', ') || 'no such signal on ' + plc.id}`,
    );
    return undefined;
  }
  compareTypes(where, ref, tag, device, entry, issues);
  return entry;
}

function compareTypes(
  where: string,
  ref: string,
  tag: ModbusTag,
  device: Device,
  entry: RegisterEntry,
  issues: string[],
): void {
  const bitArea = entry.area === 'coil' || entry.area === 'discrete';
  const simType = entry.type ?? (bitArea ? 'bool' : 'uint16');
  if (tag.type !== simType) issues.push(`${where}: ${ref} is ${tag.type}, the scenario writes ${simType}`);
  const order = tag.order ?? device.order;
  if (MULTI_WORD.has(simType) && order !== entry.order)
    issues.push(`${where}: ${ref} order ${order}, the scenario writes ${entry.order}`);
  if (tag.scale !== entry.scale || tag.offset !== entry.offset)
    issues.push(
      `${where}: ${ref} scale/offset ${tag.scale}/${tag.offset}, the scenario ${entry.scale}/${entry.offset}`,
    );
  if (simType === 'string' && tag.length !== entry.length)
    issues.push(`${where}: ${ref} length ${tag.length}, the scenario ${entry.length}`);
}

/** Products: the same ids, codes, ideal cycle times per station and targets; changeovers booked alike. */
function compareProducts(config: LinesideConfig, scenario: Scenario, line: LinesideConfig['lines'][number]): string[] {
  const issues: string[] = [];
  const planned = scenario.productRuns?.planned ?? false;
  if (scenario.productRuns !== undefined && line.changeovers.planned !== planned)
    issues.push(`line ${line.id}: changeovers.planned ${line.changeovers.planned}, scenario ${planned}`);
  for (const sp of scenario.products) {
    const cp = config.products.find((p) => p.id === sp.id);
    if (cp === undefined) {
      issues.push(`product ${sp.id}: not in the config's products`);
      continue;
    }
    if (cp.code === undefined || String(cp.code) !== String(sp.code))
      issues.push(`product ${sp.id}: code ${String(cp.code)} in the config, ${String(sp.code)} in the scenario`);
    if (cp.changeoverTarget !== sp.changeoverTarget)
      issues.push(
        `product ${sp.id}: changeoverTarget ${String(cp.changeoverTarget)} ms, scenario ${String(sp.changeoverTarget)} ms`,
      );
    for (const station of scenario.line.stations) {
      const sim = productIdealAt(sp, station.id, station.idealCycleTime);
      const cfg = productIdeal(cp, station.id) ?? line.stations.find((s) => s.id === station.id)?.idealCycleTime;
      if (cfg !== sim)
        issues.push(
          `product ${sp.id} at ${station.id}: ideal ${String(cfg)} ms in the config, ${sim} ms in the scenario`,
        );
    }
  }
  return issues;
}
