import { z } from 'zod';
import { duration, Id, LossCategory, TimeOfDay, Weekday } from './schema-primitives.js';

/** Names a tag "<device>.<tag>" or "gpio.<input>". Checked against the devices after parsing. */
const TagRef = z.string().min(3).describe('a tag id, "<device>.<tag>" or "gpio.<input>"');

export const Signals = z
  .strictObject({
    cycleCounter: TagRef.optional().describe('part counter register; wrap-around and resets are recognised'),
    cycleEdge: TagRef.optional().describe('cycle-complete bit: each rising edge is one cycle'),
    cyclePulse: TagRef.optional().describe('GPIO pulse count ("gpio.<input>"): each pulse is one cycle'),
    running: TagRef.optional().describe('running bit from the PLC'),
    faultCode: TagRef.optional().describe('fault code register; non-zero means down, mapped through faultReasons'),
    goodCount: TagRef.optional().describe(
      'good part counter; without it, every cycle is good unless rejectCount says otherwise',
    ),
    rejectCount: TagRef.optional().describe('reject counter'),
    starved: TagRef.optional().describe('bit: waiting for parts from upstream'),
    blocked: TagRef.optional().describe('bit: cannot pass parts downstream'),
    plannedStop: TagRef.optional().describe('bit: changeover / planned maintenance signalled by the PLC'),
    productCode: TagRef.optional().describe(
      "register holding the code of the product the station runs (products[].code); overrides the line's productCode",
    ),
    changeover: TagRef.optional().describe(
      'bit: a changeover is under way (instead of: from a product change to the first good part)',
    ),
  })
  .describe('which tags mean what for this station; exactly one of cycleCounter, cycleEdge, cyclePulse');
export type Signals = z.output<typeof Signals>;

export const ConditionSignal = z.strictObject({
  tag: TagRef,
  kind: z.enum(['vibration', 'temperature', 'current', 'pressure', 'other']).default('other'),
  warning: z.number().optional().describe('warning limit in the tag unit'),
  alarm: z.number().optional().describe('alarm limit: the value at which failure is expected'),
  direction: z
    .enum(['above', 'below'])
    .default('above')
    .describe('above: trouble when the value rises past the limits'),
});
export type ConditionSignal = z.output<typeof ConditionSignal>;

export const StationPredict = z.strictObject({
  cycleDrift: z.boolean().default(true),
  microStopRate: z.boolean().default(true),
  faultRecurrence: z.boolean().default(true),
  condition: z.boolean().default(true),
  mtbfRisk: z.boolean().default(true),
});

export const Station = z.strictObject({
  id: Id,
  name: z.string().optional().describe('display name; defaults to the id'),
  idealCycleTime: duration(
    '10ms',
    '24h',
    'the fastest sustainable cycle; performance is measured against it; 10ms to 24h',
  ),
  microStopThreshold: duration(
    '100ms',
    '24h',
    'stops shorter than this are small stops, longer ones downtime from their start; longer than idealCycleTime, at most 24h',
  ).prefault('2m'),
  stoppedAfterIdealCycles: z
    .number()
    .min(1.5)
    .max(100)
    .default(3)
    .describe(
      'no cycle for this many ideal cycle times means stopped (whatever a running bit says, unless trustRunningBit)',
    ),
  trustRunningBit: z
    .boolean()
    .default(false)
    .describe(
      'with a running bit: true = the bit alone says running; false = also stopped when no part completes for stoppedAfterIdealCycles x idealCycleTime while the bit is on',
    ),
  signals: Signals,
  faultReasons: z
    .record(z.string().regex(/^\d+$/, 'fault codes are integers'), Id)
    .default({})
    .describe('PLC fault code -> reason id from the reasons list'),
  scrapCounts: z
    .record(Id, TagRef)
    .default({})
    .describe(
      'reject counter per scrap reason (scrapReasons[].id -> tag); without signals.rejectCount their sum is the reject count',
    ),
  conditions: z.array(ConditionSignal).default([]).describe('condition signals watched by the predictors'),
  predict: StationPredict.prefault({}),
});
export type Station = z.output<typeof Station>;

export const Line = z.strictObject({
  id: Id,
  name: z.string().optional(),
  outputStation: Id.optional().describe(
    "the station whose good parts are the line's output; default: the last station",
  ),
  productCode: TagRef.optional().describe(
    'register holding the code of the product the whole line runs (products[].code)',
  ),
  changeovers: z
    .strictObject({
      planned: z
        .boolean()
        .default(false)
        .describe('true: changeovers are planned stops (outside availability); false: setup downtime'),
      startup: z
        .strictObject({
          goodParts: z
            .number()
            .int()
            .min(1)
            .max(1_000_000)
            .optional()
            .describe('start-up ends with this many good parts after the changeover'),
          duration: duration('1m', '24h', 'start-up ends this long after the changeover; 1m to 24h').optional(),
        })
        .optional()
        .describe(
          'rejects from a changeover until goodParts good parts or duration after it (the first to come) are start-up rejects',
        ),
    })
    .prefault({})
    .describe('how a product change is counted (docs/oee.md#changeovers)'),
  stations: z.array(Station).min(1),
});
export type Line = z.output<typeof Line>;

/** A reason a part is scrapped (rejects by reason, docs/oee.md#scrap-reasons). */
export const ScrapReason = z.strictObject({
  id: Id,
  label: z.string().min(1),
});
export type ScrapReason = z.output<typeof ScrapReason>;

export const Reason = z.strictObject({
  id: Id,
  label: z.string().min(1),
  category: LossCategory.default('breakdown'),
});
export type Reason = z.output<typeof Reason>;

export const Break = z.strictObject({
  name: z.string().default('break'),
  start: TimeOfDay,
  duration: duration('1m', '12h', 'planned stop inside the shift; 1m to 12h'),
});

export const Shift = z.strictObject({
  name: Id,
  start: TimeOfDay,
  end: TimeOfDay.describe('an end before the start means the shift crosses midnight'),
  days: z
    .array(Weekday)
    .min(1)
    .default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
    .describe('days the shift starts on'),
  breaks: z.array(Break).default([]),
  target: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('output-station parts per shift; default: planned time / ideal cycle time'),
});
export type Shift = z.output<typeof Shift>;

export const ShiftCalendar = z.strictObject({
  timezone: z.string().default('UTC').describe('IANA time zone, e.g. Europe/Berlin; shifts follow DST'),
  shifts: z.array(Shift).default([]).describe('no shifts: the line is always in production'),
});
