import type { Device, ModbusTag, RegisterArea, TagType } from './schema.js';

/** Where a tag lives on the wire: protocol address (0-based offset) and size. */
export interface ResolvedAddress {
  readonly area: RegisterArea;
  /** 0-based protocol address as sent in the request PDU. */
  readonly offset: number;
  /** Registers (holding/input) or bits (coil/discrete) the tag occupies. */
  readonly count: number;
}

const MODICON_AREA: Record<string, RegisterArea> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

export function isBitArea(area: RegisterArea): boolean {
  return area === 'coil' || area === 'discrete';
}

/** Registers a value of this type occupies (1 bit for coils and discrete inputs). */
export function registerCount(type: TagType, length: number | undefined): number | undefined {
  switch (type) {
    case 'bool':
    case 'bit':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return length;
  }
}

/**
 * Resolves a tag's configured address into a protocol offset. "40001"-style (Modicon) addresses
 * are always 1-based and carry their area in the first digit; plain numbers follow the device's
 * addressBase. Returns a message naming the problem instead of throwing, for the config check.
 */
export function resolveAddress(
  tag: Pick<ModbusTag, 'area' | 'address' | 'type' | 'bit' | 'length'>,
  device: Pick<Device, 'addressBase'>,
): ResolvedAddress | string {
  let area: RegisterArea = tag.area ?? 'holding';
  let offset: number;
  if (typeof tag.address === 'string') {
    const modiconArea = MODICON_AREA[tag.address[0] as string];
    if (modiconArea === undefined) return `"${tag.address}" is not a Modicon address (first digit 0, 1, 3 or 4)`;
    if (tag.area !== undefined && tag.area !== modiconArea) {
      return `address "${tag.address}" is in the ${modiconArea} area but area says "${tag.area}"`;
    }
    area = modiconArea;
    const n = Number(tag.address.slice(1));
    if (n < 1) return `"${tag.address}": Modicon addresses start at ${tag.address[0]}0001`;
    offset = n - 1;
  } else {
    offset = tag.address - device.addressBase;
    if (offset < 0) return `address ${tag.address} is below the device's addressBase ${device.addressBase}`;
  }
  if (isBitArea(area) && tag.type !== 'bool') {
    return `type "${tag.type}" cannot be read from ${area}s; ${area}s hold single bits (use type bool)`;
  }
  if (tag.type === 'bit' && tag.bit === undefined) return 'type "bit" needs "bit" (0..15): which bit of the register';
  if (tag.type !== 'bit' && tag.bit !== undefined) return `"bit" only applies to type "bit", not "${tag.type}"`;
  if (tag.type === 'string' && tag.length === undefined)
    return 'type "string" needs "length" (registers, 2 characters each)';
  const count = isBitArea(area) ? 1 : (registerCount(tag.type, tag.length) as number);
  if (offset + count - 1 > 65535) {
    return `address ${offset}..${offset + count - 1} runs past the last register 65535`;
  }
  return { area, offset, count };
}
