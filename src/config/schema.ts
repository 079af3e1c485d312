import { z } from 'zod';
import { Device, Gpio } from './schema-devices.js';
import { Line, Reason, ScrapReason, ShiftCalendar } from './schema-line.js';
import { Product } from './schema-products.js';
import { Reports } from './schema-reports.js';
import { Agent, Alerts, Influx, Logging, Mqtt, Server, Storage } from './schema-outputs.js';
import { Id } from './schema-primitives.js';

/**
 * The single source of truth for Lineside's configuration: TypeScript types, validation,
 * defaults and the generated config/lineside.schema.json all come from here.
 */
export const ConfigSchema = z
  .strictObject({
    site: z.strictObject({
      enterprise: Id.describe('first level of the MQTT namespace unless mqtt.topicRoot is set'),
      site: Id.describe('plant / site id, second topic level'),
      area: Id.optional(),
    }),
    agent: Agent.prefault({}),
    logging: Logging.prefault({}),
    devices: z.array(Device).default([]),
    gpio: Gpio.prefault({}),
    reasons: z.array(Reason).default([]).describe('downtime reasons operators choose from; fault codes map onto them'),
    scrapReasons: z
      .array(ScrapReason)
      .default([])
      .describe('why parts are scrapped: per-reason reject counters (stations[].scrapCounts) and operator entries'),
    products: z
      .array(Product)
      .default([])
      .describe('products the lines run, each with its ideal cycle times; none: every station keeps its own'),
    shifts: ShiftCalendar.prefault({}),
    lines: z.array(Line).min(1),
    mqtt: Mqtt.prefault({}),
    influx: Influx.prefault({}),
    server: Server.prefault({}),
    storage: Storage.prefault({}),
    alerts: Alerts.prefault({}),
    reports: Reports.prefault({}),
  })
  .describe('Lineside agent configuration');

/** Validated configuration, as the rest of the agent sees it (durations in ms). */
export type LinesideConfig = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export type { Device, GpioInput, ModbusTag, RegisterArea, TagType } from './schema-devices.js';
export type { ConditionSignal, Line, Reason, Shift, Signals, Station } from './schema-line.js';
export type { LossCategory, WordOrder } from './schema-primitives.js';
export type { Product } from './schema-products.js';
