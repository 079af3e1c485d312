import { resolveAddress } from './addresses.js';
import { tagCatalogue, type TagInfo } from './catalogue.js';
import type { ConfigIssue } from './issues.js';
import type { LinesideConfig } from './schema.js';
import { didYouMean } from './suggest.js';

type Path = (string | number)[];

/** Checks that span fields: unique ids, references to tags and reasons, addresses, buses. */
export function crossCheck(config: LinesideConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: Path, message: string) => issues.push({ path, message });
  const tags = tagCatalogue(config);

  checkDevices(config, add);
  checkGpio(config, add);
  unique(config.reasons.map((r, i) => [r.id, ['reasons', i, 'id']]), 'reason', add);
  const reasonIds = new Set(config.reasons.map((r) => r.id));

  unique(config.lines.map((l, i) => [l.id, ['lines', i, 'id']]), 'line', add);
  unique(
    config.lines.flatMap((l, li) => l.stations.map((s, si) => [s.id, ['lines', li, 'stations', si, 'id']] as const)),
    'station (station ids are unique across lines: they name dashboard routes)',
    add,
  );
  config.lines.forEach((line, li) => {
    const stationIds = line.stations.map((s) => s.id);
    if (line.outputStation !== undefined && !stationIds.includes(line.outputStation)) {
      add(['lines', li, 'outputStation'], `no station "${line.outputStation}" in line "${line.id}"${didYouMean(line.outputStation, stationIds)}`);
    }
    line.stations.forEach((station, si) => {
      const base: Path = ['lines', li, 'stations', si];
      const s = station.signals;
      const cycleSources = (['cycleCounter', 'cycleEdge', 'cyclePulse'] as const).filter((k) => s[k] !== undefined);
      if (cycleSources.length === 0) add([...base, 'signals'], 'needs one cycle source: cycleCounter, cycleEdge or cyclePulse');
      if (cycleSources.length > 1) add([...base, 'signals', cycleSources[1] as string], `only one cycle source allowed, found ${cycleSources.join(' and ')}`);
      for (const [key, ref] of Object.entries(s)) {
        if (ref === undefined) continue;
        const info = checkTagRef(ref, [...base, 'signals', key], tags, add);
        if (info === undefined) continue;
        if ((key === 'cycleCounter' || key === 'goodCount' || key === 'rejectCount' || key === 'faultCode') && !isInteger(info)) {
          add([...base, 'signals', key], `tag "${ref}" is ${info.type}; ${key} needs an integer tag`);
        }
        if (key === 'cyclePulse' && info.source !== 'gpio') add([...base, 'signals', key], `cyclePulse takes a GPIO input ("gpio.<input>"), not "${ref}"; use cycleCounter or cycleEdge for PLC tags`);
        if (key === 'cycleCounter' && info.source === 'gpio') add([...base, 'signals', key], `"${ref}" is a GPIO input; use cyclePulse`);
      }
      for (const [code, reason] of Object.entries(station.faultReasons)) {
        if (!reasonIds.has(reason)) add([...base, 'faultReasons', code], `no reason "${reason}" in reasons${didYouMean(reason, reasonIds)}`);
      }
      station.conditions.forEach((c, ci) => {
        const info = checkTagRef(c.tag, [...base, 'conditions', ci, 'tag'], tags, add);
        if (info !== undefined && !info.numeric) add([...base, 'conditions', ci, 'tag'], `tag "${c.tag}" is a string; condition signals must be numeric`);
        if (c.warning !== undefined && c.alarm !== undefined) {
          const ordered = c.direction === 'above' ? c.warning < c.alarm : c.warning > c.alarm;
          if (!ordered) add([...base, 'conditions', ci, 'warning'], `warning ${c.warning} must come before alarm ${c.alarm} when direction is "${c.direction}"`);
        }
      });
      if (station.microStopThreshold <= station.idealCycleTime) {
        add([...base, 'microStopThreshold'], 'must be longer than idealCycleTime');
      }
    });
  });
  checkShifts(config, add);
  checkOutputs(config, add);
  return issues;
}

function isInteger(info: TagInfo): boolean {
  return ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'count', 'bool', 'bit'].includes(info.type);
}

function checkTagRef(ref: string, path: Path, tags: Map<string, TagInfo>, add: (p: Path, m: string) => void): TagInfo | undefined {
  const info = tags.get(ref);
  if (info === undefined) add(path, `no tag "${ref}"${didYouMean(ref, tags.keys())}`);
  return info;
}

function unique(entries: readonly (readonly [string, Path])[], what: string, add: (p: Path, m: string) => void): void {
  const seen = new Map<string, Path>();
  for (const [id, path] of entries) {
    if (seen.has(id)) add(path, `duplicate ${what} id "${id}"`);
    else seen.set(id, path);
  }
}

function checkDevices(config: LinesideConfig, add: (p: Path, m: string) => void): void {
  unique(config.devices.map((d, i) => [d.id, ['devices', i, 'id']]), 'device', add);
  const endpoints = new Map<string, { unitIds: Set<number>; serial?: string; index: number }>();
  config.devices.forEach((device, di) => {
    if (device.id === 'gpio') add(['devices', di, 'id'], '"gpio" is reserved for GPIO inputs');
    unique(device.tags.map((t, ti) => [t.name, ['devices', di, 'tags', ti, 'name']]), `tag (in device "${device.id}")`, add);
    device.tags.forEach((tag, ti) => {
      const resolved = resolveAddress(tag, device);
      if (typeof resolved === 'string') add(['devices', di, 'tags', ti, 'address'], resolved);
    });
    const key = device.protocol === 'modbus-rtu' ? `serial:${device.serial.path}` : `${device.protocol}://${device.host}:${device.port}`;
    const serial = device.protocol === 'modbus-rtu' ? JSON.stringify({ ...device.serial }) : undefined;
    const seen = endpoints.get(key);
    if (seen === undefined) {
      endpoints.set(key, { unitIds: new Set([device.unitId]), ...(serial !== undefined ? { serial } : {}), index: di });
      return;
    }
    if (seen.unitIds.has(device.unitId)) add(['devices', di, 'unitId'], `unit id ${device.unitId} is already used on ${key} by devices[${seen.index}]`);
    seen.unitIds.add(device.unitId);
    if (serial !== undefined && seen.serial !== serial) {
      add(['devices', di, 'serial'], `devices on ${device.protocol === 'modbus-rtu' ? device.serial.path : key} share one bus and must use the same baud rate, parity, data and stop bits as devices[${seen.index}]`);
    }
  });
}

function checkGpio(config: LinesideConfig, add: (p: Path, m: string) => void): void {
  unique(config.gpio.inputs.map((g, i) => [g.name, ['gpio', 'inputs', i, 'name']]), 'GPIO input', add);
  unique(config.gpio.inputs.map((g, i) => [String(g.pin), ['gpio', 'inputs', i, 'pin']]), 'GPIO pin', add);
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function checkShifts(config: LinesideConfig, add: (p: Path, m: string) => void): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.shifts.timezone });
  } catch {
    add(['shifts', 'timezone'], `unknown IANA time zone "${config.shifts.timezone}" (e.g. "Europe/Berlin", "America/Chicago", "UTC")`);
  }
  unique(config.shifts.shifts.map((s, i) => [s.name, ['shifts', 'shifts', i, 'name']]), 'shift', add);
  config.shifts.shifts.forEach((shift, si) => {
    const start = minutesOf(shift.start);
    let end = minutesOf(shift.end);
    if (end === start) add(['shifts', 'shifts', si, 'end'], 'a shift cannot end when it starts');
    if (end <= start) end += 24 * 60;
    shift.breaks.forEach((b, bi) => {
      let bStart = minutesOf(b.start);
      if (bStart < start) bStart += 24 * 60;
      if (bStart + b.duration / 60_000 > end) {
        add(['shifts', 'shifts', si, 'breaks', bi], `break ${b.start} + ${b.duration / 60_000} min is not inside shift ${shift.start}-${shift.end}`);
      }
    });
  });
}

function checkOutputs(config: LinesideConfig, add: (p: Path, m: string) => void): void {
  const { mqtt, influx } = config;
  if (mqtt.url !== 'embedded') {
    let url: URL | undefined;
    try {
      url = new URL(mqtt.url);
    } catch {
      add(['mqtt', 'url'], `"${mqtt.url}" is not a URL; use "embedded" or mqtt://host:1883, mqtts://host:8883`);
    }
    if (url !== undefined && !['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) {
      add(['mqtt', 'url'], `unsupported scheme "${url.protocol}"; use mqtt://, mqtts://, ws:// or wss://`);
    }
  } else if (mqtt.protocolVersion === 5) {
    // The embedded broker (aedes) speaks MQTT 3.1.1 only; the agent adapts, nothing to report.
  }
  try {
    const url = new URL(influx.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') add(['influx', 'url'], `use http:// or https://, not "${url.protocol}"`);
  } catch {
    add(['influx', 'url'], `"${influx.url}" is not a URL`);
  }
}
