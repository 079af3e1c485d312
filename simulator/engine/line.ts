/**
 * The simulated line: stations coupled through finite buffers, the shift calendar, changeovers,
 * degradation episodes and comms faults, all on one deterministic event queue, plus the truth
 * bookkeeping that watches it. `advanceTo(monoMs)` processes every event up to that virtual time;
 * nothing here sleeps, reads the real clock or does I/O, so the same seed and scenario always
 * give the same truth records. Its interface is in sim-line.ts, the records it writes are built in
 * line-records.ts, degradation episodes are scheduled by episodes.ts.
 */
import { PrngStreams } from '../random/prng.js';
import type { ProductSpec, Scenario } from '../scenario-schema.js';
import type { ShiftCalendar, ShiftInstance } from '../time/calendar.js';
import { scenarioCalendar } from '../time/live-start.js';
import { parseLocalDateTime } from '../time/zoned.js';
import { ShiftLedger } from '../truth/ledger.js';
import { StationObserver } from '../truth/observer.js';
import { runRecord } from '../truth/run-record.js';
import { iso, type CommsKind, type TruthRecord } from '../truth/records.js';
import { Episodes } from './episodes.js';
import { EventQueue } from './event-queue.js';
import { SimGpio } from './gpio.js';
import {
  breakdownRecord,
  cycleRecord,
  injectedCommsRecord,
  orderRecord,
  scenarioCommsEvent,
  scenarioCommsRecord,
} from './line-records.js';
import { observations } from './observation.js';
import { productIdealAt, scheduleProductRuns, type ProductRunsControl } from './product-runs.js';
import { scheduleChangeovers, scheduleCommsFault } from './schedules.js';
import type { CommsEvent, SimLine, SimLineOptions } from './sim-line.js';
import { conditionValueAt } from './wear.js';
import type { BreakdownDone, CycleDone, SimStation, StationHost } from './station.js';
import { buildStations } from './stations.js';

export type { CommsEvent, SimLine, SimLineOptions } from './sim-line.js';

/** 2025-01-06 is a Monday: the default start, midnight in the scenario's time zone. */
export const DEFAULT_START_LOCAL = '2025-01-06T00:00';

export function scenarioStartWallMs(scenario: Scenario, nowWallMs?: number): number {
  if (scenario.start === 'now') return nowWallMs ?? Date.now();
  return parseLocalDateTime(scenario.start ?? DEFAULT_START_LOCAL, scenario.shifts.timezone) as number;
}

export function createSimLine(scenario: Scenario, options: SimLineOptions = {}): SimLine {
  return new Line(scenario, options);
}

class Line implements SimLine, StationHost {
  readonly queue = new EventQueue();
  readonly seed: number;
  readonly startWallMs: number;
  readonly gpio: SimGpio;
  readonly stations: Map<string, SimStation>;
  finished = false;
  eventsProcessed = 0;
  private nowMono = 0;
  private readonly streams: PrngStreams;
  private readonly emit: (record: TruthRecord) => void;
  private readonly calendar: ShiftCalendar;
  private readonly ledger: ShiftLedger;
  private readonly observers = new Map<string, StationObserver>();
  private readonly toSettle = new Set<SimStation>();
  private readonly dirty = new Set<SimStation>();
  private readonly commsListeners = new Set<(event: CommsEvent) => void>();
  private readonly changeoverDepth = new Map<string, number>();
  private readonly outputStation: string;
  private readonly productRuns: ProductRunsControl;
  private readonly episodes: Episodes;
  private readonly finalizeDelayMs: number;

  constructor(
    readonly scenario: Scenario,
    options: SimLineOptions,
  ) {
    this.seed = (options.seed ?? scenario.seed ?? 1) >>> 0;
    this.startWallMs = options.startWallMs ?? scenarioStartWallMs(scenario);
    this.streams = new PrngStreams(this.seed);
    this.emit = options.onTruth ?? (() => undefined);
    this.calendar = scenarioCalendar(scenario, this.startWallMs);
    const stationSpecs = scenario.line.stations;
    const outputStation =
      scenario.line.outputStation ?? (stationSpecs[stationSpecs.length - 1] as (typeof stationSpecs)[number]).id;
    this.ledger = new ShiftLedger(
      this.calendar,
      stationSpecs.map((s) => ({ id: s.id, idealCycleTimeMs: s.idealCycleTime })),
      outputStation,
      this.startWallMs,
      (r) => this.emit(r),
    );
    this.gpio = new SimGpio(scenario.gpio.inputs, this.queue, this.streams);

    const obs = observations(scenario);
    let delay = 1;
    for (const o of obs) {
      this.observers.set(o.station, new StationObserver(o, this.ledger, (r) => this.emit(r), this.startWallMs));
      const ideal = Math.max(
        o.idealCycleTimeMs,
        ...scenario.products.map((p) => productIdealAt(p, o.station, o.idealCycleTimeMs)),
      );
      const gap = o.stopDetection !== 'running-bit' ? (o.stoppedAfterIdealCycles + 1) * ideal : 0;
      // A changeover's end is certain one ideal cycle after it is seen.
      delay = Math.max(delay, o.microStopThresholdMs + gap + ideal + 1);
    }
    this.finalizeDelayMs = delay;

    this.stations = buildStations(stationSpecs, this, this.streams);
    this.episodes = new Episodes(
      scenario,
      this.queue,
      this.streams,
      this.stations,
      this.startWallMs,
      () => this.nowMono,
      (r) => this.emit(r),
    );

    this.outputStation = outputStation;
    this.emit(runRecord(scenario, this.seed, this.startWallMs, outputStation, obs));

    this.applyCalendar(0);
    this.productRuns = scheduleProductRuns(scenario, this.queue, this.streams, {
      started: (p) => this.startProduct(p),
      changed: (from, to) => this.changeProduct(from, to),
      setupDone: () => {
        for (const station of this.stations.values()) station.endSetup();
      },
      orderStarted: (order) => this.emit(orderRecord(order, undefined, this.startWallMs)),
      orderCompleted: (order, endMono) => this.emit(orderRecord(order, endMono, this.startWallMs)),
    });
    scheduleChangeovers(scenario, this.queue, this.startWallMs, (ids, name, active) =>
      this.applyChangeover(ids, name, active),
    );
    this.episodes.scheduleFirst();
    scenario.commsFaults.forEach((spec, i) =>
      scheduleCommsFault(spec, i, this.queue, this.streams, (occ, phase) => {
        if (phase === 'start') this.emit(scenarioCommsRecord(spec, occ, this.startWallMs));
        if (spec.kind === 'drop' && phase === 'end') return;
        this.notifyComms(scenarioCommsEvent(spec, phase));
      }),
    );
    for (const station of this.stations.values()) this.touched(station);
    this.drain();
    this.commit();
  }

  get nowMs(): number {
    return this.nowMono;
  }

  now(): number {
    return this.nowMono;
  }

  private wall(mono: number): number {
    return this.startWallMs + mono;
  }

  // ---- the event loop --------------------------------------------------------------------------

  advanceTo(monoMs: number): void {
    if (this.finished) return;
    while (this.queue.peekTime() <= monoMs) {
      this.nowMono = this.queue.peekTime();
      while (this.queue.peekTime() === this.nowMono) {
        const run = this.queue.pop() as () => void;
        run();
        this.eventsProcessed++;
        this.drain();
      }
      this.commit();
    }
    if (monoMs > this.nowMono) this.nowMono = monoMs;
  }

  touched(station: SimStation): void {
    this.toSettle.add(station);
    this.dirty.add(station);
  }

  private drain(): void {
    while (this.toSettle.size > 0) {
      const station = this.toSettle.values().next().value as SimStation;
      this.toSettle.delete(station);
      station.settle();
    }
  }

  /** Reports the signals of every station that changed at this instant to the truth. */
  private commit(): void {
    if (this.dirty.size === 0) return;
    const t = this.wall(this.nowMono);
    const calendar = this.calendar.stateAt(t);
    for (const station of this.stations.values()) {
      if (!this.dirty.has(station)) continue;
      this.observers.get(station.id)?.signals(t, {
        running: station.runningBit,
        faultCode: station.faultCode,
        starved: station.starved,
        blocked: station.blocked,
        plannedBit: station.plannedBit,
        calendarPlanned: calendar.plannedReason,
        cause: station.cause,
        episode: station.episodeId,
      });
    }
    this.dirty.clear();
  }

  // ---- calendar, changeovers ---------------------------------------------------------

  private applyCalendar(mono: number): void {
    const t = this.wall(mono);
    const state = this.calendar.stateAt(t);
    for (const station of this.stations.values()) {
      station.setCalendarPlanned(state.plannedReason);
      this.dirty.add(station);
    }
    for (const shift of this.calendar.overlapping(t - 1, t)) {
      if (shift.endMs === t) this.queue.schedule(mono + this.finalizeDelayMs, () => this.finalizeShift(shift));
    }
    const next = this.calendar.nextChangeAfter(t);
    this.queue.schedule(next - this.startWallMs, () => this.applyCalendar(next - this.startWallMs));
  }

  private finalizeShift(shift: ShiftInstance): void {
    const t = this.wall(this.nowMono);
    for (const o of this.observers.values()) o.flush(t);
    this.ledger.close(shift);
    this.calendar.forget(t - 2 * 86_400_000);
  }

  // ---- products -----------------------------------------------------------------------------

  private startProduct(p: ProductSpec): void {
    for (const station of this.stations.values()) {
      station.startProduct(p);
      this.observers.get(station.id)?.setProduct(station.idealCycleTimeMs);
    }
  }

  /** A changeover: every station stops for setup and then makes `to` (scheduleProductRuns ends the setup). */
  private changeProduct(from: ProductSpec, to: ProductSpec): void {
    const t = this.wall(this.nowMono);
    for (const station of this.stations.values()) {
      station.beginSetup(to);
      this.observers.get(station.id)?.productChanged(t, from.id, to.id, station.idealCycleTimeMs);
      this.dirty.add(station);
    }
  }

  private applyChangeover(ids: readonly string[], name: string, active: boolean): void {
    for (const id of ids) {
      const depth = (this.changeoverDepth.get(id) ?? 0) + (active ? 1 : -1);
      this.changeoverDepth.set(id, Math.max(0, depth));
      this.stations.get(id)?.setChangeover(depth > 0 ? name : undefined);
    }
  }

  // ---- station callbacks -----------------------------------------------------------------------

  cycleDone(station: SimStation, cycle: CycleDone): void {
    const endMs = this.wall(cycle.endMono);
    const ideal = station.idealCycleTimeMs;
    const shift = this.ledger.addCycle(station.id, endMs, cycle.good, ideal);
    this.observers.get(station.id)?.cycleEnded(endMs, cycle.good, ideal);
    this.emit(cycleRecord(station.id, cycle, this.startWallMs, shift?.key ?? null));
    for (const input of this.gpio.inputsFor(station.id)) this.gpio.partSeen(input, cycle.endMono);
    if (station.id === this.outputStation) this.productRuns.outputPart(cycle.good, cycle.endMono);
  }

  breakdownDone(station: SimStation, b: BreakdownDone): void {
    this.emit(breakdownRecord(station.id, b, this.startWallMs));
    if (b.origin === 'wear' && b.episode !== undefined) this.episodes.repaired(station, b.episode);
  }

  // ---- conditions, comms, end --------------------------------------------------------------------

  conditionValue(stationId: string, name: string, monoMs: number = this.nowMono): number {
    const station = this.stations.get(stationId);
    return station !== undefined ? conditionValueAt(station, name, monoMs, this.streams) : Number.NaN;
  }

  onComms(listener: (event: CommsEvent) => void): () => void {
    this.commsListeners.add(listener);
    return () => this.commsListeners.delete(listener);
  }

  private notifyComms(event: CommsEvent): void {
    for (const listener of [...this.commsListeners]) {
      try {
        listener(event);
      } catch {
        // A server's failure to apply a fault must not stop the line; servers log their own errors.
      }
    }
  }

  injectBreakdown(stationId: string, faultCode: number, repairMs: number): void {
    const station = this.stations.get(stationId);
    if (station === undefined)
      throw new RangeError(`no station "${stationId}" (stations: ${[...this.stations.keys()].join(', ')})`);
    if (!(Number.isInteger(faultCode) && faultCode >= 1 && faultCode <= 65535))
      throw new RangeError(`fault code must be 1..65535, got ${faultCode}`);
    if (!(repairMs > 0)) throw new RangeError(`repair time must be > 0 ms, got ${repairMs}`);
    const reason = station.spec.breakdowns?.faults.find((f) => f.code === faultCode)?.reason ?? 'injected';
    if (!station.injectBreakdown(faultCode, reason, repairMs))
      throw new Error(`station "${stationId}" is stopped already`);
    // Settle the neighbours and report the new signals at this instant, as the event loop does.
    this.drain();
    this.commit();
  }

  recordInjectedComms(
    plc: string,
    kind: CommsKind,
    durationMs: number | undefined,
    extra: { delayMs?: number; exceptionCode?: number } = {},
  ): void {
    this.emit(injectedCommsRecord(plc, kind, this.wall(this.nowMono), durationMs, extra));
  }

  finish(monoMs: number = this.nowMono): void {
    if (this.finished) return;
    this.advanceTo(monoMs);
    const t = this.wall(this.nowMono);
    for (const o of this.observers.values()) o.finish(t);
    for (const shift of this.ledger.openShifts()) this.ledger.close(shift, t);
    this.finished = true;
    const cycles: Record<string, number> = {};
    for (const s of this.stations.values()) cycles[s.id] = s.total;
    this.emit({ type: 'end', end: iso(t), endMs: t, cycles });
  }
}
