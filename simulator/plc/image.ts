/**
 * A virtual PLC's memory as a Modbus master sees it: the scenario's register map evaluated
 * against the simulated line at the moment of the read. Values are computed on demand (nothing
 * is copied per tick), and a multi-register value is computed once per request so its words are
 * always consistent. Reading never changes the simulation, with one documented exception: the
 * cycle-complete bit stays high until it has been read once (see README).
 */
import type { SimLine } from '../engine/line.js';
import type { SimStation } from '../engine/station.js';
import type { PlcSpec } from '../scenario-schema.js';
import { encodeWords, toRaw, type WordOrderName } from './encode.js';
import { entryWordCount, parseSignal, type RegisterTypeName, type SignalRef } from './signals.js';
import { testBlockEntries } from './test-block.js';

export type Area = 'holding' | 'input' | 'coil' | 'discrete';

/** Modbus exception codes the image raises. */
export const ILLEGAL_FUNCTION = 1;
export const ILLEGAL_DATA_ADDRESS = 2;
export const ILLEGAL_DATA_VALUE = 3;

export class ModbusException extends Error {
  constructor(
    readonly modbusErrorCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  readonly area: Area;
  readonly address: number;
  readonly words: number;
  readonly type: RegisterTypeName;
  readonly order: WordOrderName;
  readonly length: number;
  readonly bit: number | undefined;
  readonly scale: number;
  readonly offset: number;
  readonly value: () => number | string | boolean;
}

interface CounterBase {
  part: number;
  good: number;
  reject: number;
}

/** Cycle-complete pulse length: 1 s of simulated time, or half the ideal cycle if shorter. */
function pulseMs(station: SimStation): number {
  return Math.min(1000, station.spec.idealCycleTime / 2);
}

export class PlcImage {
  readonly id: string;
  private readonly byArea = new Map<Area, Map<number, Entry[]>>();
  /** After a simulated PLC restart, counters count from 0 again. */
  private readonly counterBase = new Map<string, CounterBase>();
  private restartedAtMono = 0;
  private readonly cycleBitReadFor = new Map<string, number>();

  constructor(
    readonly spec: PlcSpec,
    private readonly line: SimLine,
  ) {
    this.id = spec.id;
    for (const area of ['holding', 'input', 'coil', 'discrete'] as const) this.byArea.set(area, new Map());
    for (const r of spec.registers) {
      const bitArea = r.area === 'coil' || r.area === 'discrete';
      const type = r.type ?? (bitArea ? 'bool' : 'uint16');
      const value =
        r.signal !== undefined
          ? this.getter(parseSignal(r.signal) as SignalRef)
          : () => r.value as number | string | boolean;
      this.add({
        area: r.area,
        address: r.address,
        words: bitArea ? 1 : entryWordCount(type, r.length),
        type,
        order: r.order,
        length: r.length ?? 1,
        bit: r.bit,
        scale: r.scale,
        offset: r.offset,
        value,
      });
    }
    if (spec.testBlock !== undefined) {
      for (const e of testBlockEntries(spec.testBlock.area, spec.testBlock.address)) {
        this.add({
          area: e.area,
          address: e.address,
          words: entryWordCount(e.type, e.length),
          type: e.type,
          order: e.order,
          length: e.length ?? 1,
          bit: undefined,
          scale: 1,
          offset: 0,
          value: () => e.value,
        });
      }
    }
  }

  private add(entry: Entry): void {
    const map = this.byArea.get(entry.area) as Map<number, Entry[]>;
    for (let a = entry.address; a < entry.address + entry.words; a++) {
      const list = map.get(a) ?? [];
      list.push(entry);
      map.set(a, list);
    }
  }

  private station(id: string): SimStation {
    return this.line.stations.get(id) as SimStation;
  }

  private base(id: string): CounterBase {
    let b = this.counterBase.get(id);
    if (b === undefined) {
      const c = this.station(id).spec.counters;
      // Before any restart the base is minus the scenario's start values, so counter = start + made.
      b = { part: -c.partStart, good: -c.goodStart, reject: -c.rejectStart };
      this.counterBase.set(id, b);
    }
    return b;
  }

  private getter(sig: SignalRef): () => number | string | boolean {
    if (sig.kind === 'identity') return () => this.spec.identity;
    if (sig.kind === 'heartbeat') return () => Math.floor((this.line.nowMs - this.restartedAtMono) / 1000);
    const id = sig.station;
    switch (sig.signal) {
      case 'partCount':
        return () => this.station(id).total - this.base(id).part;
      case 'goodCount':
        return () => this.station(id).good - this.base(id).good;
      case 'rejectCount':
        return () => this.station(id).reject - this.base(id).reject;
      case 'running':
        return () => this.station(id).runningBit;
      case 'faultCode':
        return () => this.station(id).faultCode;
      case 'starved':
        return () => this.station(id).starved;
      case 'blocked':
        return () => this.station(id).blocked;
      case 'plannedStop':
        return () => this.station(id).plannedBit;
      case 'lastCycleTimeMs':
        return () => this.station(id).lastCycleTimeMs;
      case 'productCode':
        return () => this.station(id).product?.code ?? 0;
      case 'cycleComplete':
        return () => this.cycleBit(id);
      case 'condition': {
        const name = sig.condition;
        return () => this.line.conditionValue(id, name);
      }
    }
  }

  /** High for the pulse after each cycle end, and until it has been read once while high. */
  private cycleBit(id: string): boolean {
    const s = this.station(id);
    const end = s.lastCycleEndMono;
    if (end === undefined) return false;
    const high = this.line.nowMs - end < pulseMs(s) || this.cycleBitReadFor.get(id) !== end;
    if (high) this.cycleBitReadFor.set(id, end);
    return high;
  }

  /** Simulates a PLC restart: its counters start again from 0 and its heartbeat restarts. */
  restart(): void {
    for (const station of this.line.stations.values()) {
      this.counterBase.set(station.id, { part: station.total, good: station.good, reject: station.reject });
    }
    this.restartedAtMono = this.line.nowMs;
  }

  /**
   * Reads `count` registers (holding/input: 16-bit words) or bits (coil/discrete: 0/1) starting
   * at the 0-based `address`. Throws ModbusException 2 past the PLC's memory, 3 for a bad count.
   */
  read(area: Area, address: number, count: number): number[] {
    const bitArea = area === 'coil' || area === 'discrete';
    const max = bitArea ? 2000 : 125;
    if (count < 1 || count > max)
      throw new ModbusException(ILLEGAL_DATA_VALUE, `${this.id}: ${count} ${area}s requested; 1..${max} allowed`);
    const size = this.spec.memory[area];
    if (address + count > size)
      throw new ModbusException(
        ILLEGAL_DATA_ADDRESS,
        `${this.id}: ${area} ${address}..${address + count - 1} is past the ${size}-${bitArea ? 'bit' : 'register'} memory`,
      );
    const map = this.byArea.get(area) as Map<number, Entry[]>;
    const cache = new Map<Entry, number[]>();
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const a = address + i;
      const entries = map.get(a);
      let word = 0;
      if (entries !== undefined) {
        for (const e of entries) {
          let words = cache.get(e);
          if (words === undefined) {
            words = this.encode(e);
            cache.set(e, words);
          }
          word |= words[a - e.address] ?? 0;
        }
      }
      out[i] = word;
    }
    return out;
  }

  private encode(e: Entry): number[] {
    const v = e.value();
    if (e.area === 'coil' || e.area === 'discrete') return [v === true || (typeof v === 'number' && v !== 0) ? 1 : 0];
    if (e.type === 'bit') return [(v === true || (typeof v === 'number' && v !== 0) ? 1 : 0) << (e.bit ?? 0)];
    if (e.type === 'string') return encodeWords('string', String(v), e.order, e.length);
    const num = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    return encodeWords(e.type, toRaw(num, e.scale, e.offset), e.order, e.length);
  }
}
