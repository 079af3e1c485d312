import { isBitArea, resolveAddress, type ResolvedAddress } from './addresses.js';
import { formatDurationMs } from './duration.js';
import type { ConfigIssue } from './issues.js';
import type { Device, LinesideConfig, ModbusTag, RegisterArea, Signals, TagType } from './schema.js';
import { didYouMean } from './suggest.js';
import { isPartial, type Loose } from './tolerant.js';

type Path = (string | number)[];
type Add = (path: Path, message: string) => void;
type Config = Loose<LinesideConfig>;
type LooseDevice = Loose<Device>;
type LooseTag = Loose<ModbusTag>;
type LooseSignals = Loose<Signals>;
type LooseShifts = NonNullable<NonNullable<Config['shifts']>['shifts']>;

/** What a tag reference resolves to; `type` is unknown when the tag's type did not validate. */
interface TagInfo {
  readonly source: 'modbus' | 'gpio';
  readonly type?: TagType | 'count';
}

/** The tags the config defines, and whether an unknown reference is surely a wrong one. */
interface Catalogue {
  readonly tags: Map<string, TagInfo>;
  /** False when the device (or GPIO input) the reference names may be among the parts that did not validate. */
  surelyMissing(ref: string): boolean;
}

const CYCLE_SOURCES = ['cycleCounter', 'cycleEdge', 'cyclePulse'] as const;
const MIN_BACKOFF_MAX_MS = 1_000;

/**
 * Checks that span fields: unique ids, references to tags and reasons, addresses and register
 * overlaps, buses, timing that depends on two fields, shifts. Runs on a fully parsed config or,
 * when the schema found problems, on whatever did parse (`parseTolerantly`), so every problem is
 * reported at once: each check skips what is missing, and a check that concludes from an absence
 * ("no tag", "needs a cycle source") runs only where nothing was lost. `written` is the config as
 * written (before defaults), so a problem with a default names the field the user did set.
 */
export function crossCheck(config: Config, written?: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add: Add = (path, message) => issues.push({ path, message });
  const tags = catalogue(config);

  checkDevices(config, add, written);
  checkGpio(config, add);
  const reasons = config.reasons ?? [];
  unique(
    reasons.map((r, i) => [r?.id, ['reasons', i, 'id']]),
    'reason',
    add,
  );
  const reasonIds = new Set(reasons.flatMap((r) => (r?.id === undefined ? [] : [r.id])));
  const reasonsKnown = config.reasons !== undefined && reasons.every((r) => r?.id !== undefined);

  const lines = config.lines ?? [];
  unique(
    lines.map((l, i) => [l?.id, ['lines', i, 'id']]),
    'line',
    add,
  );
  unique(
    lines.flatMap((l, li) => (l?.stations ?? []).map((s, si) => [s?.id, ['lines', li, 'stations', si, 'id']] as const)),
    'station (station ids are unique across lines: they name dashboard routes)',
    add,
  );
  const cycleOwners = new Map<string, { station: string; path: Path }>();
  lines.forEach((line, li) => {
    if (line === undefined) return;
    const stations = line.stations ?? [];
    const stationIds = stations.flatMap((s) => (s?.id === undefined ? [] : [s.id]));
    const stationsKnown = line.stations !== undefined && stations.every((s) => s?.id !== undefined);
    if (line.outputStation !== undefined && stationsKnown && !stationIds.includes(line.outputStation)) {
      add(
        ['lines', li, 'outputStation'],
        `no station "${line.outputStation}" in line "${line.id ?? li}"${didYouMean(line.outputStation, stationIds)}`,
      );
    }
    stations.forEach((station, si) => {
      if (station === undefined) return;
      const base: Path = ['lines', li, 'stations', si];
      const s = station.signals;
      if (s !== undefined) {
        const cycleSources = CYCLE_SOURCES.filter((k) => s[k] !== undefined);
        if (cycleSources.length === 0 && !isPartial(s))
          add([...base, 'signals'], 'needs one cycle source: cycleCounter, cycleEdge or cyclePulse');
        if (cycleSources.length > 1)
          add(
            [...base, 'signals', cycleSources[1] as string],
            `only one cycle source allowed, found ${cycleSources.join(' and ')}`,
          );
        checkSignals(s, base, station.id ?? `${si}`, tags, cycleOwners, add);
      }
      for (const [code, reason] of Object.entries(station.faultReasons ?? {})) {
        if (reason !== undefined && reasonsKnown && !reasonIds.has(reason)) {
          add([...base, 'faultReasons', code], `no reason "${reason}" in reasons${didYouMean(reason, reasonIds)}`);
        }
      }
      (station.conditions ?? []).forEach((c, ci) => {
        if (c === undefined) return;
        const info =
          c.tag === undefined ? undefined : checkTagRef(c.tag, [...base, 'conditions', ci, 'tag'], tags, add);
        if (info?.type === 'string')
          add([...base, 'conditions', ci, 'tag'], `tag "${c.tag}" is a string; condition signals must be numeric`);
        if (c.warning !== undefined && c.alarm !== undefined && c.direction !== undefined) {
          const ordered = c.direction === 'above' ? c.warning < c.alarm : c.warning > c.alarm;
          if (!ordered)
            add(
              [...base, 'conditions', ci, 'warning'],
              `warning ${c.warning} must come before alarm ${c.alarm} when direction is "${c.direction}"`,
            );
        }
      });
      if (
        station.microStopThreshold !== undefined &&
        station.idealCycleTime !== undefined &&
        station.microStopThreshold <= station.idealCycleTime
      ) {
        add([...base, 'microStopThreshold'], 'must be longer than idealCycleTime');
      }
    });
  });
  checkShifts(config, add);
  checkOutputs(config, add);
  return issues;
}

/** One station's signals: tag references, the tag types each role needs, one role per tag, one station per cycle source. */
function checkSignals(
  s: LooseSignals,
  base: Path,
  stationId: string,
  tags: Catalogue,
  cycleOwners: Map<string, { station: string; path: Path }>,
  add: Add,
): void {
  const roles = new Map<string, string>();
  for (const [key, ref] of Object.entries(s)) {
    if (ref === undefined) continue;
    const path = [...base, 'signals', key];
    const role = roles.get(ref);
    if (role !== undefined) add(path, `"${ref}" is already this station's ${role}; one tag cannot also be its ${key}`);
    else roles.set(ref, key);
    if ((CYCLE_SOURCES as readonly string[]).includes(key)) {
      const owner = cycleOwners.get(ref);
      if (owner !== undefined)
        add(
          path,
          `"${ref}" is already the cycle source of station "${owner.station}" (${pathText(owner.path)}); each station needs its own, or both count every part`,
        );
      else cycleOwners.set(ref, { station: stationId, path });
    }
    const info = checkTagRef(ref, path, tags, add);
    if (info?.type === undefined) continue;
    if (
      (key === 'cycleCounter' || key === 'goodCount' || key === 'rejectCount' || key === 'faultCode') &&
      !isInteger(info)
    ) {
      add(path, `tag "${ref}" is ${info.type}; ${key} needs an integer tag`);
    }
    if (key === 'cyclePulse' && info.source !== 'gpio')
      add(
        path,
        `cyclePulse takes a GPIO input ("gpio.<input>"), not "${ref}"; use cycleCounter or cycleEdge for PLC tags`,
      );
    if (key === 'cycleCounter' && info.source === 'gpio') add(path, `"${ref}" is a GPIO input; use cyclePulse`);
  }
}

function pathText(path: Path): string {
  return path
    .slice(0, 4)
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function isInteger(info: TagInfo): boolean {
  return ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'count', 'bool', 'bit'].includes(
    info.type as string,
  );
}

function checkTagRef(ref: string, path: Path, tags: Catalogue, add: Add): TagInfo | undefined {
  const info = tags.tags.get(ref);
  if (info === undefined && tags.surelyMissing(ref)) add(path, `no tag "${ref}"${didYouMean(ref, tags.tags.keys())}`);
  return info;
}

function unique(entries: readonly (readonly [string | undefined, Path])[], what: string, add: Add): void {
  const seen = new Set<string>();
  for (const [id, path] of entries) {
    if (id === undefined) continue;
    if (seen.has(id)) add(path, `duplicate ${what} id "${id}"`);
    else seen.add(id);
  }
}

/** A tag's place on the wire, once the fields it depends on are known; a message when it has none. */
function addressOf(tag: LooseTag, device: LooseDevice): ResolvedAddress | string | undefined {
  const { address, type } = tag;
  if (address === undefined || type === undefined || device.addressBase === undefined) return undefined;
  return resolveAddress({ ...tag, address, type }, { addressBase: device.addressBase });
}

/** Every tag id the config defines ("<device>.<tag>", "gpio.<input>", "gpio.<input>.level"), as far as it parsed. */
function catalogue(config: Config): Catalogue {
  const tags = new Map<string, TagInfo>();
  const devices = config.devices ?? [];
  const deviceComplete = new Map<string, boolean>();
  const allDevicesKnown = config.devices !== undefined && devices.every((d) => d?.id !== undefined);
  for (const device of devices) {
    if (device?.id === undefined) continue;
    const list = device.tags ?? [];
    const complete = device.tags !== undefined && list.every((t) => t?.name !== undefined);
    deviceComplete.set(device.id, (deviceComplete.get(device.id) ?? true) && complete);
    for (const tag of list) {
      if (tag?.name === undefined) continue;
      const resolved = addressOf(tag, device);
      const isBit = typeof resolved === 'object' && isBitArea(resolved.area);
      const type = isBit ? 'bool' : tag.type;
      tags.set(`${device.id}.${tag.name}`, { source: 'modbus', ...(type !== undefined ? { type } : {}) });
    }
  }
  const inputs = config.gpio?.inputs ?? [];
  const gpioKnown = config.gpio?.inputs !== undefined && inputs.every((g) => g?.name !== undefined);
  for (const input of inputs) {
    if (input?.name === undefined) continue;
    tags.set(`gpio.${input.name}`, { source: 'gpio', type: 'count' });
    tags.set(`gpio.${input.name}.level`, { source: 'gpio', type: 'bool' });
  }
  return {
    tags,
    surelyMissing: (ref) => {
      const prefix = ref.split('.')[0] as string;
      if (prefix === 'gpio') return gpioKnown;
      return deviceComplete.get(prefix) ?? allDevicesKnown;
    },
  };
}

/** The text a field was written with, else its parsed value formatted ("0s"). */
function writtenDuration(written: unknown, path: Path, ms: number): string {
  const text = valueAt(written, path);
  return typeof text === 'string' ? text.trim() : formatDurationMs(ms);
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function checkDevices(config: Config, add: Add, written: unknown): void {
  const devices = config.devices ?? [];
  unique(
    devices.map((d, i) => [d?.id, ['devices', i, 'id']]),
    'device',
    add,
  );
  const endpoints = new Map<string, { unitIds: Set<number>; serial?: string; index: number }>();
  devices.forEach((device, di) => {
    if (device === undefined) return;
    const base: Path = ['devices', di];
    if (device.id === 'gpio') add([...base, 'id'], '"gpio" is reserved for GPIO inputs');
    const tags = device.tags ?? [];
    unique(
      tags.map((t, ti) => [t?.name, [...base, 'tags', ti, 'name']]),
      `tag (in device "${device.id ?? di}")`,
      add,
    );
    const spans: Span[] = [];
    tags.forEach((tag, ti) => {
      if (tag === undefined) return;
      const resolved = addressOf(tag, device);
      if (typeof resolved === 'string') add([...base, 'tags', ti, 'address'], resolved);
      else if (resolved !== undefined)
        spans.push({ ...resolved, index: ti, name: tag.name ?? `#${ti}`, type: tag.type as TagType });
    });
    checkOverlaps(spans, base, add);
    checkTiming(device, base, add, written);

    let key: string | undefined;
    if (device.protocol === 'modbus-rtu') {
      if (device.serial?.path !== undefined) key = `serial:${device.serial.path}`;
    } else if (device.protocol === 'modbus-tcp' || device.protocol === 'modbus-rtu-tcp') {
      if (device.host !== undefined && device.port !== undefined)
        key = `${device.protocol}://${device.host}:${device.port}`;
    }
    if (key === undefined || device.unitId === undefined) return;
    const serial =
      device.protocol === 'modbus-rtu' && device.serial !== undefined && !isPartial(device.serial)
        ? JSON.stringify({ ...device.serial })
        : undefined;
    const seen = endpoints.get(key);
    if (seen === undefined) {
      endpoints.set(key, { unitIds: new Set([device.unitId]), ...(serial !== undefined ? { serial } : {}), index: di });
      return;
    }
    if (seen.unitIds.has(device.unitId))
      add([...base, 'unitId'], `unit id ${device.unitId} is already used on ${key} by devices[${seen.index}]`);
    seen.unitIds.add(device.unitId);
    if (serial !== undefined && seen.serial !== undefined && seen.serial !== serial) {
      add(
        [...base, 'serial'],
        `devices on ${device.protocol === 'modbus-rtu' ? device.serial?.path : key} share one bus and must use the same baud rate, parity, data and stop bits as devices[${seen.index}]`,
      );
    }
  });
}

/** Durations whose sane range depends on another field, or that tests drive below the production floor. */
function checkTiming(device: LooseDevice, base: Path, add: Add, written: unknown): void {
  const { pollInterval, timeout, backoffMax } = device;
  if (pollInterval !== undefined && timeout !== undefined && timeout >= pollInterval) {
    const poll = writtenDuration(written, [...base, 'pollInterval'], pollInterval);
    const time = writtenDuration(written, [...base, 'timeout'], timeout);
    if (written === undefined || valueAt(written, [...base, 'timeout']) !== undefined) {
      add(
        [...base, 'timeout'],
        `must be shorter than pollInterval (${poll}); got ${time}: a request that times out would overrun the next poll`,
      );
    } else {
      add(
        [...base, 'pollInterval'],
        `must be longer than timeout (${time}, the default); set a shorter timeout or poll less often`,
      );
    }
  }
  if (backoffMax !== undefined && backoffMax < MIN_BACKOFF_MAX_MS) {
    add(
      [...base, 'backoffMax'],
      `must be at least ${formatDurationMs(MIN_BACKOFF_MAX_MS)}; got ${writtenDuration(written, [...base, 'backoffMax'], backoffMax)}: a shorter cap reconnects to a dead device several times a second`,
    );
  }
}

interface Span extends ResolvedAddress {
  readonly index: number;
  readonly name: string;
  readonly type: TagType;
}

function spanText(s: Span): string {
  const last = s.offset + s.count - 1;
  return `${s.type} at ${s.area} ${last === s.offset ? s.offset : `${s.offset}..${last}`}`;
}

/**
 * Tags of one device whose registers overlap. Single-register tags may share a register (bit
 * views of a status word, a bool on a coil); a multi-register value (float32, uint32, string...)
 * sharing a register with any other tag reads or is read wrong, so that is an error, reported
 * at the tag further down the list. Sort and sweep: fine for thousands of tags.
 */
function checkOverlaps(spans: readonly Span[], base: Path, add: Add): void {
  const byArea = new Map<RegisterArea, Span[]>();
  for (const s of spans) {
    const list = byArea.get(s.area);
    if (list === undefined) byArea.set(s.area, [s]);
    else list.push(s);
  }
  const reported = new Set<number>();
  for (const list of byArea.values()) {
    list.sort((a, b) => a.offset - b.offset || a.index - b.index);
    const end = (s: Span) => s.offset + s.count - 1;
    let farthest: Span | undefined; // the multi-register span reaching farthest so far
    let lastSingle: Span | undefined; // the single-register span with the highest offset so far
    for (const s of list) {
      let other: Span | undefined;
      if (farthest !== undefined && end(farthest) >= s.offset) other = farthest;
      else if (s.count > 1 && lastSingle !== undefined && lastSingle.offset === s.offset) other = lastSingle;
      if (other !== undefined) {
        const [first, later] = other.index < s.index ? [other, s] : [s, other];
        if (!reported.has(later.index)) {
          reported.add(later.index);
          add(
            [...base, 'tags', later.index, 'address'],
            `${spanText(later)} overlaps tag "${first.name}" (tags[${first.index}], ${spanText(first)}); a multi-register value must not share registers with another tag`,
          );
        }
      }
      if (s.count > 1) {
        if (farthest === undefined || end(s) > end(farthest)) farthest = s;
      } else {
        lastSingle = s;
      }
    }
  }
}

function checkGpio(config: Config, add: Add): void {
  const inputs = config.gpio?.inputs ?? [];
  unique(
    inputs.map((g, i) => [g?.name, ['gpio', 'inputs', i, 'name']]),
    'GPIO input',
    add,
  );
  unique(
    inputs.map((g, i) => [g?.pin === undefined ? undefined : String(g.pin), ['gpio', 'inputs', i, 'pin']]),
    'GPIO pin',
    add,
  );
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

const DAY = 24 * 60;
const WEEK = 7 * DAY;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function checkShifts(config: Config, add: Add): void {
  const timezone = config.shifts?.timezone;
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      add(
        ['shifts', 'timezone'],
        `unknown IANA time zone "${timezone}" (e.g. "Europe/Berlin", "America/Chicago", "UTC")`,
      );
    }
  }
  const shifts = config.shifts?.shifts ?? [];
  unique(
    shifts.map((s, i) => [s?.name, ['shifts', 'shifts', i, 'name']]),
    'shift',
    add,
  );
  shifts.forEach((shift, si) => {
    if (shift?.start === undefined || shift.end === undefined) return;
    const start = minutesOf(shift.start);
    let end = minutesOf(shift.end);
    if (end === start) add(['shifts', 'shifts', si, 'end'], 'a shift cannot end when it starts');
    if (end <= start) end += 24 * 60;
    (shift.breaks ?? []).forEach((b, bi) => {
      if (b?.start === undefined || b.duration === undefined) return;
      let bStart = minutesOf(b.start);
      if (bStart < start) bStart += 24 * 60;
      if (bStart + b.duration / 60_000 > end) {
        add(
          ['shifts', 'shifts', si, 'breaks', bi],
          `break ${b.start} + ${b.duration / 60_000} min is not inside shift ${shift.start}-${shift.end}`,
        );
      }
    });
  });
  checkShiftOverlaps(shifts, add);
}

/**
 * Shifts that are on at the same time on some weekday: their parts would count in both. Each
 * shift is laid on a week (minutes from Monday 00:00) on each of its days, an overnight shift
 * running into the next day and Sunday's into Monday; sort and sweep.
 */
function checkShiftOverlaps(shifts: LooseShifts, add: Add): void {
  const spans: { start: number; end: number; index: number }[] = [];
  shifts.forEach((shift, index) => {
    if (shift?.start === undefined || shift.end === undefined || shift.days === undefined) return;
    const start = minutesOf(shift.start);
    const end = minutesOf(shift.end);
    if (end === start) return;
    const length = end > start ? end - start : end + DAY - start;
    for (const day of new Set(shift.days)) {
      if (day === undefined) continue;
      const from = WEEKDAYS.indexOf(day) * DAY + start;
      if (from + length <= WEEK) spans.push({ start: from, end: from + length, index });
      else spans.push({ start: from, end: WEEK, index }, { start: 0, end: from + length - WEEK, index });
    }
  });
  spans.sort((a, b) => a.start - b.start || a.index - b.index);
  const reported = new Set<number>();
  let farthest: (typeof spans)[number] | undefined;
  for (const span of spans) {
    if (farthest !== undefined && farthest.end > span.start && farthest.index !== span.index) {
      const [first, later] = farthest.index < span.index ? [farthest.index, span.index] : [span.index, farthest.index];
      if (!reported.has(later)) {
        reported.add(later);
        const a = shifts[later];
        const b = shifts[first];
        const day = WEEKDAYS[Math.floor(span.start / DAY)];
        add(
          ['shifts', 'shifts', later],
          `${a?.start}-${a?.end} overlaps shift "${b?.name ?? first}" (${b?.start}-${b?.end}) on ${day}; shifts must not overlap (a part would count in both)`,
        );
      }
    }
    if (farthest === undefined || span.end > farthest.end) farthest = span;
  }
}

function checkOutputs(config: Config, add: Add): void {
  const { mqtt, influx } = config;
  if (mqtt?.url !== undefined && mqtt.url !== 'embedded') {
    let url: URL | undefined;
    try {
      url = new URL(mqtt.url);
    } catch {
      add(['mqtt', 'url'], `"${mqtt.url}" is not a URL; use "embedded" or mqtt://host:1883, mqtts://host:8883`);
    }
    if (url !== undefined && !['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) {
      add(['mqtt', 'url'], `unsupported scheme "${url.protocol}"; use mqtt://, mqtts://, ws:// or wss://`);
    }
  }
  if (mqtt?.reconnectMin !== undefined && mqtt.reconnectMax !== undefined && mqtt.reconnectMax < mqtt.reconnectMin) {
    add(
      ['mqtt', 'reconnectMax'],
      `must be at least reconnectMin (${formatDurationMs(mqtt.reconnectMin)}); got ${formatDurationMs(mqtt.reconnectMax)}`,
    );
  }
  if (influx?.url !== undefined) {
    try {
      const url = new URL(influx.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        add(['influx', 'url'], `use http:// or https://, not "${url.protocol}"`);
    } catch {
      add(['influx', 'url'], `"${influx.url}" is not a URL`);
    }
  }
}
