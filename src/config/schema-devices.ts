import { z } from 'zod';
import { duration, Id, WordOrder } from './schema-primitives.js';

export const RegisterArea = z.enum(['holding', 'input', 'coil', 'discrete']);
export type RegisterArea = z.infer<typeof RegisterArea>;

export const TagType = z.enum([
  'bool',
  'bit',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
]);
export type TagType = z.infer<typeof TagType>;

export const ModbusTag = z
  .strictObject({
    name: Id.describe('tag name; the full tag id is "<device>.<name>"'),
    area: RegisterArea.optional().describe(
      'register area; inferred from a Modicon address such as "40001", else holding',
    ),
    address: z
      .union([
        z.number().int().min(0).max(65536),
        z.string().regex(/^[0-4]\d{4,5}$/, 'expected a number or a Modicon address such as "40001"'),
      ])
      .describe('register or bit address (see the device addressBase), or a Modicon "40001"-style address'),
    type: TagType.default('uint16'),
    bit: z.number().int().min(0).max(15).optional().describe('bit index 0..15 for type "bit"'),
    length: z.number().int().min(1).max(125).optional().describe('registers for type "string" (2 characters each)'),
    order: WordOrder.optional().describe('byte/word order; defaults to the device order'),
    scale: z
      .number()
      .refine((v) => v !== 0, 'must not be 0: every value would read as the offset')
      .default(1)
      .describe('value = raw * scale + offset; not 0'),
    offset: z.number().default(0),
    unit: z.string().max(16).optional().describe('engineering unit shown in probe, dashboard and InfluxDB'),
    deadband: z
      .number()
      .min(0)
      .default(0)
      .describe('report by exception: re-emit only when the value moves by more than this'),
  })
  .describe('one value read from the device');
export type ModbusTag = z.output<typeof ModbusTag>;

const modbusCommon = {
  id: Id.describe('device id; tags are named "<id>.<tag>"'),
  unitId: z.number().int().min(0).max(255).default(1).describe('Modbus unit (slave) id'),
  pollInterval: duration(
    '10ms',
    '1h',
    'time between polls, planned from the schedule (drift-free); 10ms to 1h',
  ).prefault('1s'),
  timeout: duration(
    '10ms',
    '1m',
    'per-request timeout, shorter than pollInterval; after one the connection is discarded and reopened; 10ms to 1m',
  ).prefault('500ms'),
  addressBase: z
    .union([z.literal(0), z.literal(1)])
    .default(0)
    .describe('1 if the PLC manual numbers registers from 1'),
  order: WordOrder.default('ABCD').describe('default byte/word order for multi-register values'),
  maxGap: z.number().int().min(0).max(124).default(10).describe('unused registers allowed inside one coalesced read'),
  maxRegistersPerRequest: z.number().int().min(1).max(125).default(125).describe('lower for quirky PLCs'),
  maxBitsPerRequest: z.number().int().min(1).max(2000).default(2000),
  interRequestDelay: duration('0ms', '1s', 'pause between requests, for slow serial devices; 0ms to 1s').prefault(
    '0ms',
  ),
  // The 1s floor is a loader check (cross-checks-timing.ts): tests drive the Device schema with shorter caps.
  backoffMax: duration('0ms', '1h', 'cap of the exponential reconnect backoff; 1s to 1h').prefault('30s'),
  exceptionGrace: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe(
      'polls in a row answered only with Modbus exceptions (no data) after which the device is down (its stations comms_lost)',
    ),
  tags: z.array(ModbusTag).min(1),
};

export const ModbusTcpDevice = z.strictObject({
  protocol: z.literal('modbus-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  ...modbusCommon,
});

export const SerialSettings = z.strictObject({
  path: z.string().min(1).describe('serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...'),
  baudRate: z.number().int().positive().default(9600),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const ModbusRtuDevice = z.strictObject({
  protocol: z.literal('modbus-rtu'),
  serial: SerialSettings.describe('devices on the same path share one RS-485 bus and one request queue'),
  ...modbusCommon,
});

export const ModbusRtuOverTcpDevice = z.strictObject({
  protocol: z.literal('modbus-rtu-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  ...modbusCommon,
});

export const Device = z.discriminatedUnion('protocol', [ModbusTcpDevice, ModbusRtuDevice, ModbusRtuOverTcpDevice]);
export type Device = z.output<typeof Device>;
export type ModbusTcpDevice = z.output<typeof ModbusTcpDevice>;
export type ModbusRtuDevice = z.output<typeof ModbusRtuDevice>;

export const GpioInput = z.strictObject({
  name: Id.describe('input name; its tags are "gpio.<name>" (pulse count) and "gpio.<name>.level"'),
  pin: z.number().int().min(0).max(53).describe('BCM pin number (GPIO17 is 17), never the sysfs number'),
  edge: z.enum(['rising', 'falling', 'both']).default('rising').describe('which edge counts as a pulse'),
  activeLow: z.boolean().default(false).describe('true when the sensor pulls the pin low when active'),
  debounce: duration('0ms', '1s', 'stable-state debounce: a level must hold this long to count; 0ms to 1s').prefault(
    '1ms',
  ),
  glitchFilter: duration('0ms', '1s', 'ignore pulses shorter than this (after debounce); 0ms to 1s').prefault('0ms'),
});
export type GpioInput = z.output<typeof GpioInput>;

export const Gpio = z.strictObject({
  driver: z
    .enum(['auto', 'sysfs', 'chardev', 'sim'])
    .default('auto')
    .describe('auto tries chardev (libgpiod tools), then sysfs'),
  chipLabel: z
    .string()
    .optional()
    .describe('GPIO controller label; default: the SoC controller (pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835)'),
  inputs: z.array(GpioInput).default([]),
});
