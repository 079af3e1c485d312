/**
 * Cross-field checks of a scenario: references between stations, PLCs, faults and signals, and
 * register maps that would put two values on the same register. Each issue names its path.
 */
import type { Scenario } from './scenario-schema.js';
import { isValidTimeZone, minutesOfDay, parseLocalDateTime } from './time/zoned.js';
import { entryWordCount, parseSignal, STATION_SIGNALS } from './plc/signals.js';
import { testBlockEntries } from './plc/test-block.js';

export interface ScenarioIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

type Path = (string | number)[];

export function checkScenario(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: Path, message: string) => issues.push({ path, message });
  const stationIds = s.line.stations.map((st) => st.id);
  const stations = new Map(s.line.stations.map((st) => [st.id, st]));

  if (!isValidTimeZone(s.shifts.timezone)) add(['shifts', 'timezone'], `unknown IANA time zone "${s.shifts.timezone}"`);
  else if (s.start !== undefined && s.start !== 'now' && parseLocalDateTime(s.start, s.shifts.timezone) === undefined) {
    add(['start'], `"${s.start}" is not "now", a local date-time such as "2025-01-06T06:00" or an ISO instant`);
  }
  s.shifts.shifts.forEach((shift, si) => {
    const start = minutesOfDay(shift.start);
    let end = minutesOfDay(shift.end);
    if (end <= start) end += 24 * 60;
    shift.breaks.forEach((b, bi) => {
      let bStart = minutesOfDay(b.start);
      if (bStart < start) bStart += 24 * 60;
      if (bStart + b.duration / 60_000 > end)
        add(['shifts', 'shifts', si, 'breaks', bi], `break ${b.start} is not inside shift ${shift.start}-${shift.end}`);
    });
  });

  const seen = new Set<string>();
  s.line.stations.forEach((st, i) => {
    const base: Path = ['line', 'stations', i];
    if (seen.has(st.id)) add([...base, 'id'], `duplicate station id "${st.id}"`);
    seen.add(st.id);
    const last = i === s.line.stations.length - 1;
    if (!last && st.outputBuffer === undefined)
      add([...base, 'outputBuffer'], 'required on every station but the last (parts buffer to the next station)');
    if (last && st.outputBuffer !== undefined)
      add([...base, 'outputBuffer'], 'the last station has no next station to buffer for');
    if (st.outputBuffer !== undefined && st.outputBuffer.initial > st.outputBuffer.capacity)
      add([...base, 'outputBuffer', 'initial'], 'must not exceed capacity');
    if (st.microStopThreshold <= st.idealCycleTime)
      add([...base, 'microStopThreshold'], 'must be longer than idealCycleTime');
    const names = new Set<string>();
    st.conditions.forEach((c, ci) => {
      if (names.has(c.name)) add([...base, 'conditions', ci, 'name'], `duplicate condition "${c.name}"`);
      names.add(c.name);
    });
  });
  if (s.line.outputStation !== undefined && !stations.has(s.line.outputStation)) {
    add(['line', 'outputStation'], `no station "${s.line.outputStation}" (stations: ${stationIds.join(', ')})`);
  }
  s.changeovers.forEach((c, ci) =>
    (c.stations ?? []).forEach((id, i) => {
      if (!stations.has(id)) add(['changeovers', ci, 'stations', i], `no station "${id}"`);
    }),
  );
  const productIds = new Set<string>();
  const codes = new Set<string>();
  s.products.forEach((p, pi) => {
    if (productIds.has(p.id)) add(['products', pi, 'id'], `duplicate product "${p.id}"`);
    productIds.add(p.id);
    const code = String(p.code);
    if (codes.has(code)) add(['products', pi, 'code'], `duplicate product code ${JSON.stringify(p.code)}`);
    codes.add(code);
    for (const id of Object.keys(p.stations))
      if (!stations.has(id)) add(['products', pi, 'stations', id], `no station "${id}"`);
  });
  s.productRuns?.sequence.forEach((id, i) => {
    if (!productIds.has(id)) add(['productRuns', 'sequence', i], `no product "${id}" in products`);
  });
  s.degradation.forEach((d, di) => {
    const st = stations.get(d.station);
    if (st === undefined) return add(['degradation', di, 'station'], `no station "${d.station}"`);
    for (const name of Object.keys(d.conditions)) {
      if (!st.conditions.some((c) => c.name === name))
        add(['degradation', di, 'conditions', name], `station "${d.station}" has no condition "${name}"`);
    }
  });
  const plcIds = new Set(s.plcs.map((p) => p.id));
  s.commsFaults.forEach((c, ci) => {
    if (!plcIds.has(c.plc)) add(['commsFaults', ci, 'plc'], `no PLC "${c.plc}"`);
    if (c.kind === 'delay' && c.delay === undefined)
      add(['commsFaults', ci, 'delay'], 'kind delay needs "delay" (how long each reply is held)');
    if (c.kind === 'exception' && c.exceptionCode === undefined)
      add(['commsFaults', ci, 'exceptionCode'], 'kind exception needs "exceptionCode"');
    if (c.kind !== 'drop' && c.duration <= 0) add(['commsFaults', ci, 'duration'], `kind ${c.kind} needs a duration`);
  });
  checkPlcs(s, stations, add);
  const pins = new Set<number>();
  s.gpio.inputs.forEach((g, gi) => {
    if (!stations.has(g.station)) add(['gpio', 'inputs', gi, 'station'], `no station "${g.station}"`);
    if (pins.has(g.pin)) add(['gpio', 'inputs', gi, 'pin'], `pin ${g.pin} is used twice`);
    pins.add(g.pin);
  });
  return issues;
}

function checkPlcs(
  s: Scenario,
  stations: Map<string, Scenario['line']['stations'][number]>,
  add: (p: Path, m: string) => void,
): void {
  const endpoints = new Map<string, number>();
  s.plcs.forEach((plc, pi) => {
    const base: Path = ['plcs', pi];
    if (s.plcs.findIndex((p) => p.id === plc.id) !== pi) add([...base, 'id'], `duplicate PLC id "${plc.id}"`);
    if (plc.transport === 'rtu' && plc.serial === undefined)
      add([...base, 'serial'], 'transport rtu needs serial.path');
    if (plc.transport === 'tcp' && plc.serial !== undefined)
      add([...base, 'serial'], 'serial only applies to transport rtu');
    const endpoint =
      plc.transport === 'rtu' ? `rtu:${plc.serial?.path}` : plc.port === 0 ? `tcp:any:${plc.id}` : `tcp:${plc.port}`;
    const key = `${endpoint}#${plc.unitId}`;
    if (endpoints.has(key))
      add(
        [...base, 'unitId'],
        `unit id ${plc.unitId} is already used on the same endpoint by plcs[${endpoints.get(key)}]`,
      );
    endpoints.set(key, pi);

    // Occupancy: area:address -> owner, bits of shared status words tracked per bit.
    const owner = new Map<string, string>();
    const claim = (path: Path, area: string, address: number, words: number, bit: number | undefined, who: string) => {
      const size = plc.memory[area as keyof typeof plc.memory];
      if (address + words > size)
        add(path, `${area} ${address}..${address + words - 1} runs past the PLC's ${area} memory of ${size}`);
      for (let a = address; a < address + words; a++) {
        const k = `${area}:${a}${bit !== undefined ? `.${bit}` : ''}`;
        const whole = `${area}:${a}`;
        const clash =
          owner.get(k) ??
          (bit === undefined ? [...owner.entries()].find(([o]) => o.startsWith(`${whole}.`))?.[1] : owner.get(whole));
        if (clash !== undefined) add(path, `${area} ${a} is already used by ${clash}`);
        owner.set(k, who);
      }
    };
    plc.registers.forEach((r, ri) => {
      const path: Path = [...base, 'registers', ri];
      if ((r.signal === undefined) === (r.value === undefined))
        return add(path, 'give exactly one of "signal" or "value"');
      const bitArea = r.area === 'coil' || r.area === 'discrete';
      const type = r.type ?? (bitArea ? 'bool' : 'uint16');
      if (bitArea && type !== 'bool') return add([...path, 'type'], `${r.area}s hold single bits: use type bool`);
      if (type === 'bit' && r.bit === undefined) return add([...path, 'bit'], 'type bit needs "bit" (0..15)');
      if (type !== 'bit' && r.bit !== undefined) add([...path, 'bit'], '"bit" only applies to type bit');
      if (type === 'string' && r.length === undefined)
        return add([...path, 'length'], 'type string needs "length" (registers)');
      if (r.signal !== undefined) {
        const sig = parseSignal(r.signal);
        if (sig === undefined)
          return add(
            [...path, 'signal'],
            `"${r.signal}" is not a signal; use "<station>.<${STATION_SIGNALS.join('|')}>", "<station>.condition.<name>", "identity" or "heartbeat"`,
          );
        if (sig.kind === 'station') {
          const st = stations.get(sig.station);
          if (st === undefined) return add([...path, 'signal'], `no station "${sig.station}"`);
          if (sig.signal === 'condition' && !st.conditions.some((c) => c.name === sig.condition)) {
            return add([...path, 'signal'], `station "${sig.station}" has no condition "${sig.condition}"`);
          }
        }
        if (sig.kind === 'identity' && type !== 'string')
          add([...path, 'type'], 'identity is a string signal: use type string');
        if (sig.kind !== 'identity' && type === 'string')
          add([...path, 'type'], `"${r.signal}" is numeric; type string only fits identity`);
      }
      if (typeof r.value === 'string' && type !== 'string') add([...path, 'type'], 'a text value needs type string');
      claim(
        path,
        r.area,
        r.address,
        bitArea ? 1 : entryWordCount(type, r.length),
        type === 'bit' ? r.bit : undefined,
        `plcs[${pi}].registers[${ri}]`,
      );
    });
    if (plc.testBlock !== undefined) {
      for (const e of testBlockEntries(plc.testBlock.area, plc.testBlock.address)) {
        claim(
          [...base, 'testBlock'],
          e.area,
          e.address,
          entryWordCount(e.type, e.length),
          undefined,
          `the testBlock (${e.label})`,
        );
      }
    }
  });
}
