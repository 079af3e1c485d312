/**
 * Binds tag ids to meaning, once at start-up: which station a tag belongs to and what it is
 * (cycle counter, running bit, fault code, ...). The sample path then needs one Map lookup per
 * sample. Tags the stations do not use (condition signals, identity strings) are not bound; the
 * predictors read those.
 */
import { tagCatalogue } from '../config/catalogue.js';
import { productCodeKey, productIdealsAt } from '../config/schema-products.js';
import type { LinesideConfig, LossCategory, Station } from '../config/schema.js';

export const R_CYCLE_COUNTER = 0;
export const R_CYCLE_EDGE = 1;
export const R_CYCLE_PULSE = 2;
export const R_RUNNING = 3;
export const R_FAULT = 4;
export const R_GOOD = 5;
export const R_REJECT = 6;
export const R_STARVED = 7;
export const R_BLOCKED = 8;
export const R_PLANNED = 9;
export const R_PRODUCT = 10;
export const R_CHANGEOVER = 11;
/** Per-reason reject counters (scrapCounts) take roles from here: R_SCRAP + their index. */
export const R_SCRAP = 100;

/** The reason a changeover is booked under (category "setup" unless the config's reasons say otherwise). */
export const CHANGEOVER_REASON = 'changeover';

const ROLE_OF_SIGNAL: Record<keyof Station['signals'], number> = {
  cycleCounter: R_CYCLE_COUNTER,
  cycleEdge: R_CYCLE_EDGE,
  cyclePulse: R_CYCLE_PULSE,
  running: R_RUNNING,
  faultCode: R_FAULT,
  goodCount: R_GOOD,
  rejectCount: R_REJECT,
  starved: R_STARVED,
  blocked: R_BLOCKED,
  plannedStop: R_PLANNED,
  productCode: R_PRODUCT,
  changeover: R_CHANGEOVER,
};

export const ROLE_NAMES = [
  'cycleCounter',
  'cycleEdge',
  'cyclePulse',
  'running',
  'faultCode',
  'goodCount',
  'rejectCount',
  'starved',
  'blocked',
  'plannedStop',
  'productCode',
  'changeover',
] as const;

/** What the core needs to know about one station, derived from the config. */
export interface StationSpec {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  /** The station's own ideal cycle time: used while no product (or one without its own) runs. */
  readonly idealCycleTimeMs: number;
  /** Ideal cycle time per product id, for the products that set one for this station. */
  readonly idealByProduct: ReadonlyMap<string, number>;
  /** The fastest ideal of any product here: what a counter may plausibly do. */
  readonly minIdealMs: number;
  readonly microStopThresholdMs: number;
  /** No cycle for this many ideal cycle times means stopped, when gapDetection is on. */
  readonly stoppedAfterIdealCycles: number;
  readonly cycleSource: 'counter' | 'edge' | 'pulse';
  /** Stops are also inferred from gaps between cycles: without a running bit, or one not trusted. */
  readonly gapDetection: boolean;
  /** A PLC bit says when a changeover runs (else: from a product change to the first good part). */
  readonly hasChangeoverBit: boolean;
  /** Changeovers are planned stops (the line's changeovers.planned), else setup downtime. */
  readonly changeoverPlanned: boolean;
  /** Wrap modulus per counter role (cycle, good, reject), when the tag type has one. */
  readonly modulus: { readonly cycle?: number; readonly good?: number; readonly reject?: number };
  readonly hasGoodCount: boolean;
  /** A reject counter register, or per-reason reject counters (their sum is then the reject count). */
  readonly hasRejectCount: boolean;
  /** Scrap reason id per per-reason counter (role R_SCRAP + index), in config order. */
  readonly scrapReasons: readonly string[];
  /** Wrap modulus per per-reason counter, when its tag type has one. */
  readonly scrapModulus: readonly (number | undefined)[];
  /** The reject counter register itself (else the per-reason counters make the reject count). */
  readonly hasRejectRegister: boolean;
  /** Start-up window after a changeover (the line's changeovers.startup), if configured. */
  readonly startup?: { readonly goodParts?: number; readonly durationMs?: number };
  readonly faultReasons: ReadonlyMap<number, string>;
  /** Devices whose comms this station depends on ("plc1", "gpio"). */
  readonly devices: readonly string[];
  /** Tag id per role, for diagnostics. */
  readonly tags: Readonly<Partial<Record<(typeof ROLE_NAMES)[number], string>>>;
}

/** The products of the config, as the core looks them up. */
export interface ProductCatalogue {
  /** Product id by its PLC code (numbers as their decimal text). */
  readonly byCode: ReadonlyMap<string, string>;
  readonly ids: ReadonlySet<string>;
  /** Target duration of a changeover to a product, ms, where configured. */
  readonly changeoverTargetMs: ReadonlyMap<string, number>;
}

export interface LineSpec {
  readonly id: string;
  readonly name: string;
  readonly outputStation: string;
  readonly stations: readonly StationSpec[];
}

export interface TagBinding {
  readonly stationIndex: number;
  readonly role: number;
  readonly deviceIndex: number;
  /** Another station using the same tag (rare: a shared planned-stop bit). */
  next: TagBinding | undefined;
}

export interface Bindings {
  readonly lines: readonly LineSpec[];
  readonly stations: readonly StationSpec[];
  readonly devices: readonly string[];
  readonly byTag: ReadonlyMap<string, TagBinding>;
  readonly categoryOf: (reason: string) => LossCategory;
  readonly reasonIds: ReadonlySet<string>;
  readonly scrapReasonIds: ReadonlySet<string>;
  readonly products: ProductCatalogue;
}

export function buildBindings(config: LinesideConfig): Bindings {
  const catalogue = tagCatalogue(config);
  const devices: string[] = [];
  const deviceIndex = (device: string): number => {
    let i = devices.indexOf(device);
    if (i < 0) i = devices.push(device) - 1;
    return i;
  };
  const byTag = new Map<string, TagBinding>();
  const stations: StationSpec[] = [];
  const lines: LineSpec[] = [];
  for (const line of config.lines) {
    const specs: StationSpec[] = [];
    for (const station of line.stations) {
      const s = station.signals;
      const stationIndex = stations.length;
      const stationDevices = new Set<string>();
      const tags: Partial<Record<(typeof ROLE_NAMES)[number], string>> = {};
      // A station without its own product code register follows the line's.
      const signals = { ...s, productCode: s.productCode ?? line.productCode };
      const bind = (tag: string, role: number, stopsStation: boolean): void => {
        const info = catalogue.get(tag);
        const device = info?.device ?? tag.split('.')[0] ?? tag;
        if (stopsStation) stationDevices.add(device);
        const binding: TagBinding = { stationIndex, role, deviceIndex: deviceIndex(device), next: undefined };
        const existing = byTag.get(tag);
        if (existing === undefined) byTag.set(tag, binding);
        else {
          let last = existing;
          while (last.next !== undefined) last = last.next;
          last.next = binding;
        }
      };
      for (const [key, tag] of Object.entries(signals) as [keyof Station['signals'], string | undefined][]) {
        if (tag === undefined) continue;
        tags[key] = tag;
        // Losing the product code's device leaves the last product in place; it does not stop the station.
        bind(tag, ROLE_OF_SIGNAL[key], key !== 'productCode');
      }
      const scrap = Object.entries(station.scrapCounts);
      scrap.forEach(([, tag], i) => bind(tag, R_SCRAP + i, true));
      const idealByProduct = productIdealsAt(config.products, station.id);
      const modulusOf = (tag: string | undefined): number | undefined =>
        tag !== undefined ? catalogue.get(tag)?.counterModulus : undefined;
      const spec: StationSpec = {
        id: station.id,
        name: station.name ?? station.id,
        line: line.id,
        idealCycleTimeMs: station.idealCycleTime,
        idealByProduct,
        minIdealMs: Math.min(station.idealCycleTime, ...idealByProduct.values()),
        microStopThresholdMs: station.microStopThreshold,
        stoppedAfterIdealCycles: station.stoppedAfterIdealCycles,
        cycleSource: s.cycleCounter !== undefined ? 'counter' : s.cycleEdge !== undefined ? 'edge' : 'pulse',
        gapDetection: s.running === undefined || !station.trustRunningBit,
        hasChangeoverBit: s.changeover !== undefined,
        changeoverPlanned: line.changeovers.planned,
        modulus: {
          ...(modulusOf(s.cycleCounter) !== undefined ? { cycle: modulusOf(s.cycleCounter) } : {}),
          ...(modulusOf(s.goodCount) !== undefined ? { good: modulusOf(s.goodCount) } : {}),
          ...(modulusOf(s.rejectCount) !== undefined ? { reject: modulusOf(s.rejectCount) } : {}),
        },
        hasGoodCount: s.goodCount !== undefined,
        hasRejectCount: s.rejectCount !== undefined || scrap.length > 0,
        hasRejectRegister: s.rejectCount !== undefined,
        scrapReasons: scrap.map(([reason]) => reason),
        scrapModulus: scrap.map(([, tag]) => modulusOf(tag)),
        ...(line.changeovers.startup !== undefined
          ? {
              startup: {
                ...(line.changeovers.startup.goodParts !== undefined
                  ? { goodParts: line.changeovers.startup.goodParts }
                  : {}),
                ...(line.changeovers.startup.duration !== undefined
                  ? { durationMs: line.changeovers.startup.duration }
                  : {}),
              },
            }
          : {}),
        faultReasons: new Map(Object.entries(station.faultReasons).map(([code, reason]) => [Number(code), reason])),
        devices: [...stationDevices],
        tags,
      };
      stations.push(spec);
      specs.push(spec);
    }
    const last = line.stations[line.stations.length - 1];
    lines.push({
      id: line.id,
      name: line.name ?? line.id,
      outputStation: line.outputStation ?? last?.id ?? '',
      stations: specs,
    });
  }
  const categories = new Map<string, LossCategory>([[CHANGEOVER_REASON, 'setup']]);
  for (const r of config.reasons) categories.set(r.id, r.category);
  return {
    lines,
    stations,
    devices,
    byTag,
    categoryOf: (reason) => categories.get(reason) ?? 'breakdown',
    reasonIds: new Set(config.reasons.map((r) => r.id)),
    scrapReasonIds: new Set(config.scrapReasons.map((r) => r.id)),
    products: {
      byCode: new Map(config.products.flatMap((p) => (p.code !== undefined ? [[productCodeKey(p.code), p.id]] : []))),
      ids: new Set(config.products.map((p) => p.id)),
      changeoverTargetMs: new Map(
        config.products.flatMap((p) => (p.changeoverTarget !== undefined ? [[p.id, p.changeoverTarget]] : [])),
      ),
    },
  };
}
