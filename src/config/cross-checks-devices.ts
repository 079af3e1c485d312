/**
 * The tag sources: Modbus devices (ids, tag names, addresses, register overlaps, timing, units
 * and settings shared on one bus or gateway) and GPIO inputs (names, pins).
 */
import { unique, type Add, type Config, type Path } from './cross-checks-common.js';
import { addressOf, checkOverlaps, type Span } from './cross-checks-registers.js';
import { checkTiming } from './cross-checks-timing.js';
import type { TagType } from './schema.js';
import { isPartial } from './tolerant.js';

export function checkDevices(config: Config, add: Add, written: unknown): void {
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

export function checkGpio(config: Config, add: Add): void {
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
