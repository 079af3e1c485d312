/**
 * The scenario file: a virtual production line, its failure modes, its PLCs' register maps and
 * its comms faults. Validated with zod like the Lineside config; unknown keys are errors with
 * their path. Cross-field checks (references, overlapping registers) are in scenario-checks.ts.
 */
import { z } from 'zod';
import {
  Days,
  Duration,
  Id,
  PositiveDuration,
  ShiftCalendarSchema,
  TimeDistSchema,
  TimeOfDay,
} from './scenario-schema-parts.js';

const Probability = z.number().min(0).max(1);

export const ConditionSpec = z.strictObject({
  name: Id.describe('signal name; bound in a register map as "<station>.condition.<name>"'),
  kind: z.enum(['vibration', 'temperature', 'current', 'pressure', 'other']).default('other'),
  unit: z.string().max(16).optional(),
  base: z.number().describe('value while stopped and healthy'),
  whenRunning: z.number().default(0).describe('added while the station is processing'),
  noise: z.number().min(0).default(0).describe('standard deviation of Gaussian noise, in the unit'),
  sampleEvery: PositiveDuration.prefault('1s').describe('noise changes at this interval (simulated time)'),
  dropouts: z
    .strictObject({
      share: Probability.describe('share of time blocks in which the sensor is dead'),
      duration: PositiveDuration.describe('length of one block: a dropout lasts this long'),
      value: z.number().default(0).describe('what the register reads while the sensor is dead'),
    })
    .optional()
    .describe('sensor dropouts: a dead sensor (broken wire, unplugged) reads `value` instead of the signal'),
});

export const StationSpec = z.strictObject({
  id: Id,
  name: z.string().optional(),
  idealCycleTime: PositiveDuration,
  cycleTime: TimeDistSchema.optional().describe('processing time per part; default: always the ideal cycle time'),
  cycleNoise: z
    .strictObject({
      cv: z.number().min(0).max(0.5).describe('standard deviation of the factor, as a share of the cycle time'),
      phi: z.number().min(0).max(0.99).default(0).describe('lag-1 correlation from one cycle to the next'),
    })
    .optional()
    .describe('autocorrelated noise: every drawn cycle time x (1 + e), e an AR(1) process (material, temperature)'),
  microStopThreshold: PositiveDuration.prefault('2m').describe(
    'as in the Lineside config: shorter unexplained stops are small stops',
  ),
  stoppedAfterIdealCycles: z.number().min(1.5).max(100).default(3),
  trustRunningBit: z.boolean().default(false).describe('as in the Lineside config'),
  runningBit: z
    .enum(['processing', 'auto'])
    .default('processing')
    .describe(
      'what the PLC\'s running bit says: "processing" = a part is being worked on; "auto" = in automatic mode (on unless broken down or in a planned stop), held on while waiting for parts, blocked or in a micro-stop',
    ),
  rejectRate: Probability.default(0),
  startupRejects: z
    .strictObject({ cycles: z.number().int().min(1), rate: Probability })
    .optional()
    .describe('the first cycles after a breakdown or planned stop are rejected at this rate'),
  microStops: z
    .strictObject({
      ratePerHour: z.number().positive().optional().describe('Poisson rate per hour of processing time'),
      interval: TimeDistSchema.optional().describe('processing time between micro-stops (instead of ratePerHour)'),
      duration: TimeDistSchema,
    })
    .refine(
      (m) => (m.ratePerHour === undefined) !== (m.interval === undefined),
      'give exactly one of ratePerHour or interval',
    )
    .optional(),
  breakdowns: z
    .strictObject({
      mtbf: TimeDistSchema.describe('processing time between random breakdowns'),
      mttr: TimeDistSchema.describe('repair time (wall time: repairs go on through breaks)'),
      faults: z
        .array(
          z.strictObject({
            code: z.number().int().min(1).max(65535),
            reason: Id,
            weight: z.number().positive().default(1),
            mttr: TimeDistSchema.optional(),
          }),
        )
        .min(1),
    })
    .optional(),
  conditions: z.array(ConditionSpec).default([]),
  outputBuffer: z
    .strictObject({ capacity: z.number().int().min(1).max(100_000), initial: z.number().int().min(0).default(0) })
    .optional()
    .describe('parts buffer to the next station (required except on the last station)'),
  counters: z
    .strictObject({
      partStart: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('initial part counter (e.g. near 65535 to see a wrap soon)'),
      goodStart: z.number().int().min(0).default(0),
      rejectStart: z.number().int().min(0).default(0),
    })
    .prefault({}),
});
export type StationSpec = z.output<typeof StationSpec>;

export const LineSpec = z.strictObject({
  id: Id,
  name: z.string().optional(),
  outputStation: Id.optional().describe('default: the last station'),
  stations: z.array(StationSpec).min(1).describe('in flow order; parts move from each station to the next'),
});

export const Changeover = z.strictObject({
  name: Id.default('changeover'),
  stations: z.array(Id).optional().describe('default: every station'),
  start: TimeOfDay,
  duration: PositiveDuration,
  days: Days,
});

/** A product the line runs: its PLC code and, per station, its ideal and processing times. */
export const ProductSpec = z.strictObject({
  id: Id,
  name: z.string().optional(),
  code: z.union([z.number().int().min(0).max(65535), z.string().min(1).max(64)]).describe('the PLC product code'),
  stations: z
    .record(
      Id,
      z.strictObject({
        idealCycleTime: PositiveDuration,
        cycleTime: TimeDistSchema.optional().describe('processing time per part; default: the ideal'),
      }),
    )
    .default({})
    .describe("station id -> times while this product runs; default: the station's own"),
  changeoverTarget: PositiveDuration.optional().describe('as in the Lineside config'),
});
export type ProductSpec = z.output<typeof ProductSpec>;

/** Good parts of an order: a fixed number, or uniform between min and max. */
const OrderQuantity = z.union([
  z.number().int().min(1).max(1_000_000),
  z
    .strictObject({ min: z.number().int().min(1).max(1_000_000), max: z.number().int().min(1).max(1_000_000) })
    .refine((q) => q.min <= q.max, 'min must not exceed max'),
]);

/**
 * Product runs: the line makes each product of `sequence` in turn, with a setup between two. A
 * run lasts `runLength` of wall time, or, with `orders`, until the output station made the
 * order's quantity of good parts (each run is then an order, started at the product change).
 */
export const ProductRuns = z
  .strictObject({
    sequence: z.array(Id).min(1).describe('product ids, repeated in this order'),
    runLength: TimeDistSchema.optional().describe('wall time one product runs before the next changeover'),
    orders: z
      .strictObject({
        quantity: OrderQuantity.describe('good parts of the output station per order'),
        prefix: z.string().min(1).max(32).default('SIM-').describe('order ids: prefix + number from 1'),
      })
      .optional()
      .describe('each run is an order: it ends when the output station made its quantity of good parts'),
    setup: TimeDistSchema.describe('setup time of a changeover: every station pauses this long'),
    planned: z.boolean().default(false).describe("as the Lineside config's lines[].changeovers.planned"),
  })
  .refine((r) => (r.runLength === undefined) !== (r.orders === undefined), 'give runLength or orders (one of them)');

export const DegradationSpec = z
  .strictObject({
    id: Id,
    station: Id,
    at: Duration.optional().describe('first episode starts this long after the run start'),
    every: TimeDistSchema.optional().describe('next episode starts this long after the previous repair'),
    ramp: PositiveDuration.describe('processing time from first wear to breakdown'),
    shape: z.number().positive().max(10).default(2).describe('wear = (elapsed / ramp) ^ shape'),
    cycleTimeIncrease: z.number().min(0).max(10).default(0).describe('cycle time x (1 + this x wear)'),
    microStopRateFactor: z.number().min(1).max(100).default(1).describe('micro-stop rate x (1 + (this - 1) x wear)'),
    conditions: z.record(Id, z.number()).default({}).describe('condition name -> increase at full wear'),
    fault: z.strictObject({ code: z.number().int().min(1).max(65535), reason: Id, mttr: TimeDistSchema }),
  })
  .refine((d) => d.at !== undefined || d.every !== undefined, 'give "at", "every" or both');

export const CommsFaultSpec = z
  .strictObject({
    plc: Id,
    kind: z.enum(['drop', 'delay', 'exception', 'silent', 'gone', 'restart']),
    at: Duration.optional().describe('first occurrence, after the run start'),
    every: TimeDistSchema.optional().describe('then again this long after the previous one ended'),
    count: z.number().int().min(1).optional().describe('stop after this many occurrences'),
    duration: Duration.prefault('0s').describe('simulated time the fault lasts (drop is instant)'),
    delay: Duration.optional().describe(
      'kind delay: each reply is held this long (real time, to pass the client timeout)',
    ),
    exceptionCode: z
      .number()
      .int()
      .min(1)
      .max(255)
      .optional()
      .describe('kind exception: Modbus exception code (e.g. 2, 6, 11)'),
  })
  .refine((c) => c.at !== undefined || c.every !== undefined, 'give "at", "every" or both');

export const RegisterArea = z.enum(['holding', 'input', 'coil', 'discrete']);
export const RegisterType = z.enum([
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
export const WordOrder = z.enum(['ABCD', 'DCBA', 'BADC', 'CDAB']);

export const RegisterEntry = z.strictObject({
  signal: z.string().optional().describe('"<station>.<signal>", "identity" or "heartbeat"'),
  value: z.union([z.number(), z.string(), z.boolean()]).optional().describe('a fixed value instead of a signal'),
  area: RegisterArea.default('holding'),
  address: z.number().int().min(0).max(65535).describe('0-based protocol address as sent on the wire'),
  type: RegisterType.optional().describe('default: bool on coils/discrete inputs, else uint16'),
  bit: z.number().int().min(0).max(15).optional(),
  length: z.number().int().min(1).max(125).optional().describe('registers for type string'),
  order: WordOrder.default('ABCD'),
  scale: z
    .number()
    .refine((s) => s !== 0, 'must not be 0')
    .default(1)
    .describe('raw = (value - offset) / scale'),
  offset: z.number().default(0),
});
export type RegisterEntry = z.output<typeof RegisterEntry>;

export const PlcSpec = z.strictObject({
  id: Id,
  transport: z.enum(['tcp', 'rtu']).default('tcp'),
  port: z.number().int().min(0).max(65535).default(0).describe('TCP port; 0 = any free port'),
  serial: z
    .strictObject({
      path: z.string().min(1),
      baudRate: z.number().int().positive().default(9600),
      parity: z.enum(['none', 'even', 'odd']).default('none'),
      dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
      stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    })
    .optional()
    .describe('transport rtu: the serial port (PLCs with the same path share one bus)'),
  unitId: z.number().int().min(0).max(255).default(1),
  identity: z.string().max(250).default('LS-SIM-1').describe('the "identity" string signal'),
  memory: z
    .strictObject({
      holding: z.number().int().min(1).max(65536).default(10_000),
      input: z.number().int().min(1).max(65536).default(10_000),
      coil: z.number().int().min(1).max(65536).default(10_000),
      discrete: z.number().int().min(1).max(65536).default(10_000),
    })
    .prefault({})
    .describe('size of each area; reads past it get exception 2 (illegal data address)'),
  registers: z.array(RegisterEntry).default([]),
  testBlock: z
    .strictObject({
      area: z.enum(['holding', 'input']).default('holding'),
      address: z
        .number()
        .int()
        .min(0)
        .max(65535 - 99),
    })
    .optional()
    .describe('fixed test values of every type in all four word orders (layout in simulator/README.md)'),
});
export type PlcSpec = z.output<typeof PlcSpec>;

export const GpioInputSpec = z.strictObject({
  pin: z.number().int().min(0).max(53).describe('BCM pin number'),
  station: Id,
  activeLow: z.boolean().default(false),
  pulse: PositiveDuration.prefault('200ms').describe('how long the part sensor stays active per part'),
  bounce: z
    .strictObject({ count: z.number().int().min(0).max(20).default(0), width: PositiveDuration.prefault('1ms') })
    .prefault({})
    .describe('contact bounce: up to `count` extra short toggles of up to `width` on each edge'),
});

export const ScenarioSchema = z.strictObject({
  name: Id,
  description: z.string().optional(),
  seed: z.number().int().min(0).max(4294967295).optional().describe('default seed when none is given'),
  start: z
    .string()
    .optional()
    .describe(
      '"2025-01-06T06:00" local in shifts.timezone, an ISO instant, or "now"; default Monday 2025-01-06 00:00 local',
    ),
  duration: PositiveDuration.optional().describe('default run length for `lineside simulate`'),
  shifts: ShiftCalendarSchema.prefault({}),
  line: LineSpec,
  changeovers: z.array(Changeover).default([]),
  products: z.array(ProductSpec).default([]),
  productRuns: ProductRuns.optional().describe('none: the line runs no product (each station its own times)'),
  degradation: z.array(DegradationSpec).default([]),
  commsFaults: z.array(CommsFaultSpec).default([]),
  plcs: z.array(PlcSpec).default([]),
  gpio: z.strictObject({ inputs: z.array(GpioInputSpec).default([]) }).prefault({}),
});

/** A validated scenario (durations in ms, distributions normalised). */
export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type PlcSpecOut = PlcSpec;
export type DegradationSpec = z.output<typeof DegradationSpec>;
export type CommsFaultSpec = z.output<typeof CommsFaultSpec>;
export type ChangeoverSpec = z.output<typeof Changeover>;
export type GpioInputSpec = z.output<typeof GpioInputSpec>;
export type ConditionSpec = z.output<typeof ConditionSpec>;
