/**
 * The stations' condition signals (vibration, temperature, current, ...) as Sparkplug metrics
 * (pure): `Condition/<tag name>` (the device too when two devices' tags share a name), a Double,
 * with the tag's engineering unit and the signal's limits as properties, so a SCADA screen can
 * label and colour it without its own configuration.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Property } from './payload.js';
import type { ConditionMetric } from './session.js';

export function conditionMetrics(config: Readonly<LinesideConfig>): Record<string, ConditionMetric[]> {
  const units = new Map<string, string>();
  for (const device of config.devices)
    for (const tag of device.tags) if (tag.unit !== undefined) units.set(`${device.id}.${tag.name}`, tag.unit);
  const out: Record<string, ConditionMetric[]> = {};
  for (const line of config.lines) {
    for (const station of line.stations) {
      const names = station.conditions.map((c) => c.tag.slice(c.tag.indexOf('.') + 1));
      out[station.id] = station.conditions.map((c, i) => {
        const short = names[i] ?? c.tag;
        const name = names.filter((n) => n === short).length > 1 ? c.tag : short;
        const unit = units.get(c.tag);
        const properties: Record<string, Property> = {
          kind: { type: 'String', value: c.kind },
          ...(unit === undefined ? {} : { engUnit: { type: 'String', value: unit } }),
          ...(c.warning === undefined ? {} : { warning: { type: 'Double', value: c.warning } }),
          ...(c.alarm === undefined ? {} : { alarm: { type: 'Double', value: c.alarm } }),
        };
        return { tag: c.tag, name: `Condition/${name}`, properties };
      });
    }
  }
  return out;
}
