/**
 * The tag ids a config defines, as far as it parsed, for checking references to them; kept apart
 * from catalogue.ts because it must work on a partly invalid config and know what may be missing.
 */
import { isBitArea } from './addresses.js';
import type { Add, Config, Path } from './cross-checks-common.js';
import { addressOf } from './cross-checks-registers.js';
import type { TagType } from './schema.js';
import { didYouMean } from './suggest.js';

/** What a tag reference resolves to; `type` is unknown when the tag's type did not validate. */
export interface TagRefInfo {
  readonly source: 'modbus' | 'gpio';
  readonly type?: TagType | 'count';
}

/** The tags the config defines, and whether an unknown reference is surely a wrong one. */
export interface TagRefs {
  readonly tags: Map<string, TagRefInfo>;
  /** False when the device (or GPIO input) the reference names may be among the parts that did not validate. */
  surelyMissing(ref: string): boolean;
}

/** Every tag id the config defines ("<device>.<tag>", "gpio.<input>", "gpio.<input>.level"), as far as it parsed. */
export function tagRefs(config: Config): TagRefs {
  const tags = new Map<string, TagRefInfo>();
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

export function checkTagRef(ref: string, path: Path, tags: TagRefs, add: Add): TagRefInfo | undefined {
  const info = tags.tags.get(ref);
  if (info === undefined && tags.surelyMissing(ref)) add(path, `no tag "${ref}"${didYouMean(ref, tags.tags.keys())}`);
  return info;
}

export function isInteger(info: TagRefInfo): boolean {
  return ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'count', 'bool', 'bit'].includes(
    info.type as string,
  );
}
