import { resolveAddress } from './addresses.js';
import type { LinesideConfig, TagType } from './schema.js';

/** What the agent knows about a tag id, whichever source produces it. */
export interface TagInfo {
  readonly id: string;
  readonly source: 'modbus' | 'gpio';
  /** Device id for Modbus tags, "gpio" for GPIO inputs. */
  readonly device: string;
  readonly type: TagType | 'count';
  readonly unit?: string;
  /** For counters read from the PLC: the value at which the counter wraps to 0 (2^16, 2^32). */
  readonly counterModulus?: number;
  readonly numeric: boolean;
}

const MODULUS: Partial<Record<TagType, number>> = { uint16: 2 ** 16, int16: 2 ** 16, uint32: 2 ** 32, int32: 2 ** 32 };

/** Every tag id the config defines: "<device>.<tag>", "gpio.<input>" and "gpio.<input>.level". */
export function tagCatalogue(config: Pick<LinesideConfig, 'devices' | 'gpio'>): Map<string, TagInfo> {
  const tags = new Map<string, TagInfo>();
  for (const device of config.devices) {
    for (const tag of device.tags) {
      const id = `${device.id}.${tag.name}`;
      const resolved = resolveAddress(tag, device);
      const isBit = typeof resolved !== 'string' && (resolved.area === 'coil' || resolved.area === 'discrete');
      const modulus = tag.scale === 1 && tag.offset === 0 ? MODULUS[tag.type] : undefined;
      tags.set(id, {
        id,
        source: 'modbus',
        device: device.id,
        type: isBit ? 'bool' : tag.type,
        ...(tag.unit !== undefined ? { unit: tag.unit } : {}),
        ...(modulus !== undefined ? { counterModulus: modulus } : {}),
        numeric: tag.type !== 'string',
      });
    }
  }
  for (const input of config.gpio.inputs) {
    tags.set(`gpio.${input.name}`, {
      id: `gpio.${input.name}`,
      source: 'gpio',
      device: 'gpio',
      type: 'count',
      numeric: true,
    });
    tags.set(`gpio.${input.name}.level`, {
      id: `gpio.${input.name}.level`,
      source: 'gpio',
      device: 'gpio',
      type: 'bool',
      numeric: true,
    });
  }
  return tags;
}
