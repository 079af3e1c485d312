/**
 * Register map -> read plan: the fewest requests that read every tag of a device. Pure.
 *
 * Rules (docs/modbus.md, "Read planning"):
 * - a tag is never split across two requests;
 * - one request reads one area, at most `maxRegistersPerRequest` registers (FC3/FC4, <= 125) or
 *   `maxBitsPerRequest` bits (FC1/FC2, <= 2000);
 * - inside one request, at most `maxGap` unused registers lie between two tags (for coils and
 *   discrete inputs `maxGap * 16` bits: a register's worth of bits per register of gap), so a PLC
 *   that rejects reads of unmapped addresses can be served with `maxGap: 0`;
 * - among plans with the fewest requests, the one reading the fewest registers wins.
 * Tags are sorted by address and grouped into consecutive runs by dynamic programming, which is
 * optimal for that grouping (greedy "extend while it fits" is not, once long tags overlap short ones).
 */
import { resolveAddress } from '../../config/addresses.js';
import type { Device, ModbusTag, RegisterArea } from '../../config/schema.js';
import type { DecodeSpec } from './codec.js';

/** Modbus protocol limits per request (Modbus Application Protocol v1.1b3, 6.1-6.4). */
export const PROTOCOL_MAX_REGISTERS = 125;
export const PROTOCOL_MAX_BITS = 2000;

export type PlannerDevice = Pick<
  Device,
  'id' | 'addressBase' | 'order' | 'maxGap' | 'maxRegistersPerRequest' | 'maxBitsPerRequest' | 'tags'
>;

/** One tag, resolved to where it lives on the wire and how to decode it. */
export interface PlannedTag {
  /** "<device>.<tag>", the Sample tag id. */
  readonly id: string;
  readonly name: string;
  readonly area: RegisterArea;
  /** 0-based protocol address of the first register or bit. */
  readonly offset: number;
  /** Registers (holding/input) or bits (coil/discrete). */
  readonly count: number;
  readonly decode: DecodeSpec;
  readonly deadband: number;
  readonly unit?: string;
  /** As configured, for messages: "40101" or "holding 100". */
  readonly configuredAddress: string;
}

/** One request: `count` registers or bits of `area` from protocol address `start`. */
export interface PlannedRead {
  readonly area: RegisterArea;
  readonly start: number;
  readonly count: number;
  /** Sorted by address. */
  readonly tags: readonly PlannedTag[];
}

export interface ReadPlan {
  readonly device: string;
  readonly reads: readonly PlannedRead[];
  /** Tags that cannot be read at all (bad address, too long for the device's cap). */
  readonly invalid: readonly { readonly tag: string; readonly message: string }[];
}

const AREA_ORDER: readonly RegisterArea[] = ['holding', 'input', 'coil', 'discrete'];

function isBits(area: RegisterArea): boolean {
  return area === 'coil' || area === 'discrete';
}

/** The per-request cap and gap allowance for an area of this device. */
export function limitsFor(device: PlannerDevice, area: RegisterArea): { readonly cap: number; readonly gap: number } {
  if (isBits(area)) {
    return { cap: Math.min(device.maxBitsPerRequest, PROTOCOL_MAX_BITS), gap: device.maxGap * 16 };
  }
  return { cap: Math.min(device.maxRegistersPerRequest, PROTOCOL_MAX_REGISTERS), gap: device.maxGap };
}

/** Resolves one configured tag; a string explains why it cannot be read. */
export function planTag(
  device: Pick<PlannerDevice, 'id' | 'addressBase' | 'order'>,
  tag: ModbusTag,
): PlannedTag | string {
  const resolved = resolveAddress(tag, device);
  if (typeof resolved === 'string') return resolved;
  const configuredAddress = typeof tag.address === 'string' ? tag.address : `${resolved.area} ${tag.address}`;
  return {
    id: `${device.id}.${tag.name}`,
    name: tag.name,
    area: resolved.area,
    offset: resolved.offset,
    count: resolved.count,
    decode: {
      type: isBits(resolved.area) ? 'bool' : tag.type,
      order: tag.order ?? device.order,
      scale: tag.scale,
      offset: tag.offset,
      ...(tag.bit !== undefined ? { bit: tag.bit } : {}),
      ...(tag.length !== undefined ? { length: tag.length } : {}),
    },
    deadband: tag.deadband,
    ...(tag.unit !== undefined ? { unit: tag.unit } : {}),
    configuredAddress,
  };
}

/** Plans the reads of a device. Never throws: unreadable tags are listed in `invalid`. */
export function planReads(device: PlannerDevice): ReadPlan {
  const byArea = new Map<RegisterArea, PlannedTag[]>();
  const invalid: { tag: string; message: string }[] = [];
  for (const tag of device.tags) {
    const planned = planTag(device, tag);
    if (typeof planned === 'string') {
      invalid.push({ tag: `${device.id}.${tag.name}`, message: planned });
      continue;
    }
    const { cap } = limitsFor(device, planned.area);
    if (planned.count > cap) {
      invalid.push({
        tag: planned.id,
        message: `needs ${planned.count} ${isBits(planned.area) ? 'bits' : 'registers'} but the device reads at most ${cap} per request`,
      });
      continue;
    }
    const list = byArea.get(planned.area) ?? [];
    list.push(planned);
    byArea.set(planned.area, list);
  }
  const reads: PlannedRead[] = [];
  for (const area of AREA_ORDER) {
    const tags = byArea.get(area);
    if (tags === undefined) continue;
    tags.sort((a, b) => a.offset - b.offset || b.count - a.count || a.name.localeCompare(b.name));
    reads.push(...groupArea(area, tags, limitsFor(device, area)));
  }
  return { device: device.id, reads, invalid };
}

/**
 * Optimal split of address-sorted tags into consecutive groups, by dynamic programming from the
 * end: best[i] is the cheapest cover of tags[i..n-1]. Feasibility of group i..j is monotone in j
 * (the span only grows, and a later tag cannot fill a gap before its own start), so each start
 * i extends until the first infeasible j. Cost: requests, then registers read; on a full tie the
 * longer first group wins, so plans read front-loaded ("0..124, 125..129") like a person would.
 */
function groupArea(
  area: RegisterArea,
  tags: readonly PlannedTag[],
  limits: { cap: number; gap: number },
): PlannedRead[] {
  const n = tags.length;
  const bestRequests = new Array<number>(n + 1).fill(0);
  const bestRegisters = new Array<number>(n + 1).fill(0);
  /** next[i]: index after the first group of the best cover of tags[i..]. */
  const next = new Array<number>(n + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    const first = tags[i] as PlannedTag;
    const start = first.offset;
    let end = start + first.count - 1;
    let chosenRequests = Number.POSITIVE_INFINITY;
    let chosenRegisters = Number.POSITIVE_INFINITY;
    for (let j = i; j < n; j++) {
      const tag = tags[j] as PlannedTag;
      if (j > i) {
        if (tag.offset - (end + 1) > limits.gap) break;
        end = Math.max(end, tag.offset + tag.count - 1);
      }
      const span = end - start + 1;
      if (span > limits.cap) break;
      const requests = 1 + (bestRequests[j + 1] as number);
      const registers = span + (bestRegisters[j + 1] as number);
      if (requests < chosenRequests || (requests === chosenRequests && registers <= chosenRegisters)) {
        chosenRequests = requests;
        chosenRegisters = registers;
        next[i] = j + 1;
      }
    }
    bestRequests[i] = chosenRequests;
    bestRegisters[i] = chosenRegisters;
  }
  const groups: PlannedRead[] = [];
  for (let i = 0; i < n; ) {
    const k = next[i] as number;
    const members = tags.slice(i, k);
    const start = (members[0] as PlannedTag).offset;
    const end = Math.max(...members.map((t) => t.offset + t.count - 1));
    groups.push({ area, start, count: end - start + 1, tags: members });
    i = k;
  }
  return groups;
}

/** Requests a naive poller would send: one per tag. For the benchmark and the docs. */
export function naiveRequestCount(device: PlannerDevice): number {
  return device.tags.filter((t) => typeof resolveAddress(t, device) !== 'string').length;
}
