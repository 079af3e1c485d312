/**
 * The simulated line: stations coupled through finite buffers, the shift calendar, changeovers,
 * degradation episodes and comms faults, all on one deterministic event queue, plus the truth
 * bookkeeping that watches it. `advanceTo(monoMs)` processes every event up to that virtual time;
 * nothing here sleeps, reads the real clock or does I/O, so the same seed and scenario always
 * give the same truth records.
 */
import { sampleMs } from '../random/distributions.js';
import { PrngStreams } from '../random/prng.js';
import type { Scenario } from '../scenario-schema.js';
import type { ShiftCalendar, ShiftInstance } from '../time/calendar.js';
import { scenarioCalendar } from '../time/live-start.js';
import { parseLocalDateTime } from '../time/zoned.js';
import { ShiftLedger } from '../truth/ledger.js';
import { StationObserver } from '../truth/observer.js';
import { runRecord } from '../truth/run-record.js';
import { iso, type CommsKind, type TruthRecord } from '../truth/records.js';
import { EventQueue } from './event-queue.js';
import { SimGpio, type VirtualGpio } from './gpio.js';
import { observations } from './observation.js';
import { scheduleChangeovers, scheduleCommsFault, firstEpisodeMono } from './schedules.js';
import { conditionValueAt } from './wear.js';
import { SimStation, type BreakdownDone, type CycleDone, type PartBuffer, type StationHost } from './station.js';

/** A comms fault starting or ending, for the PLC servers (from the scenario or injected). */
export interface CommsEvent {
  readonly plc: string;
  readonly kind: CommsKind;
  readonly phase: 'start' | 'end';
  readonly delayMs?: number;
  readonly exceptionCode?: number;
}

export interface SimLineOptions {
  readonly seed?: number;
  /** Wall time of virtual time 0; default from the scenario's `start` (a fixed Monday 00:00). */
  readonly startWallMs?: number;
  /** Receives every truth record in order (e.g. a TruthWriter). */
  readonly onTruth?: (record: TruthRecord) => void;
}

export interface SimLine {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly startWallMs: number;
  readonly gpio: VirtualGpio;
  /** Virtual time the line has been advanced to, ms since the run start. */
  readonly nowMs: number;
  readonly finished: boolean;
  /** Events processed so far (for benchmarks). */
  readonly eventsProcessed: number;
  readonly stations: ReadonlyMap<string, SimStation>;
  advanceTo(monoMs: number): void;
  /** Closes every open interval and shift at `monoMs` (default: now) and writes the end record. */
  finish(monoMs?: number): void;
  /** Current value of a station's condition signal at `monoMs` (default: now). */
  conditionValue(station: string, name: string, monoMs?: number): number;
  onComms(listener: (event: CommsEvent) => void): () => void;
  /**
   * Breaks a station down now (tests, a REPL): its fault register shows `faultCode` until it is
   * repaired `repairMs` later. The reason is the scenario's for that code, else "injected".
   * Throws on an unknown station or one that is stopped already.
   */
  injectBreakdown(station: string, faultCode: number, repairMs: number): void;
  /** Records a comms fault injected from outside the scenario (tests, the faults handle). */
  recordInjectedComms(
    plc: string,
    kind: CommsKind,
    durationMs: number | undefined,
    extra?: { delayMs?: number; exceptionCode?: number },
  ): void;
}

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
  readonly stations = new Map<string, SimStation>();
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
  private readonly pendingEpisodes = new Map<string, (() => void)[]>();
  private readonly episodeCounts = new Map<string, number>();
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
      const gap = o.stopDetection === 'cycle-gap' ? (o.stoppedAfterIdealCycles + 1) * o.idealCycleTimeMs : 0;
      delay = Math.max(delay, o.microStopThresholdMs + gap + 1);
    }
    this.finalizeDelayMs = delay;

    let previous: SimStation | undefined;
    let buffer: PartBuffer | undefined;
    for (const spec of stationSpecs) {
      const station = new SimStation(spec, this, this.streams);
      this.stations.set(spec.id, station);
      if (buffer !== undefined) {
        station.input = buffer;
        buffer.downstream = station;
      }
      if (spec.outputBuffer !== undefined) {
        buffer = { capacity: spec.outputBuffer.capacity, count: spec.outputBuffer.initial, upstream: station };
        station.output = buffer;
      } else {
        buffer = undefined;
      }
      previous = station;
    }
    void previous;

    this.emit(runRecord(scenario, this.seed, this.startWallMs, outputStation, obs));

    this.applyCalendar(0);
    scheduleChangeovers(scenario, this.queue, this.startWallMs, (ids, name, active) =>
      this.applyChangeover(ids, name, active),
    );
    scenario.degradation.forEach((d) => {
      const first = firstEpisodeMono(d, this.streams);
      if (first !== undefined) this.queue.schedule(first, () => this.startEpisode(d.id));
    });
    scenario.commsFaults.forEach((spec, i) =>
      scheduleCommsFault(spec, i, this.queue, this.streams, (occ, phase) => {
        if (phase === 'start') {
          this.emit({
            type: 'comms',
            plc: spec.plc,
            kind: spec.kind,
            origin: 'scenario',
            start: iso(this.wall(occ.startMono)),
            startMs: this.wall(occ.startMono),
            end: iso(this.wall(occ.endMono)),
            endMs: this.wall(occ.endMono),
            ...(spec.delay !== undefined ? { delayMs: spec.delay } : {}),
            ...(spec.exceptionCode !== undefined ? { exceptionCode: spec.exceptionCode } : {}),
          });
        }
        if (spec.kind === 'drop' && phase === 'end') return;
        this.notifyComms({
          plc: spec.plc,
          kind: spec.kind,
          phase,
          ...(spec.delay !== undefined ? { delayMs: spec.delay } : {}),
          ...(spec.exceptionCode !== undefined ? { exceptionCode: spec.exceptionCode } : {}),
        });
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
        running: station.processing,
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

  // ---- calendar, changeovers, episodes ---------------------------------------------------------

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

  private applyChangeover(ids: readonly string[], name: string, active: boolean): void {
    for (const id of ids) {
      const depth = (this.changeoverDepth.get(id) ?? 0) + (active ? 1 : -1);
      this.changeoverDepth.set(id, Math.max(0, depth));
      this.stations.get(id)?.setChangeover(depth > 0 ? name : undefined);
    }
  }

  private startEpisode(degradationId: string): void {
    const spec = this.scenario.degradation.find((d) => d.id === degradationId);
    const station = spec !== undefined ? this.stations.get(spec.station) : undefined;
    if (spec === undefined || station === undefined) return;
    if (station.episode !== undefined) {
      // One wear process at a time per station: this one starts when the current one is repaired.
      const queue = this.pendingEpisodes.get(station.id) ?? [];
      queue.push(() => this.startEpisode(degradationId));
      this.pendingEpisodes.set(station.id, queue);
      return;
    }
    const n = (this.episodeCounts.get(spec.id) ?? 0) + 1;
    this.episodeCounts.set(spec.id, n);
    const startMs = this.wall(this.nowMono);
    const episode = station.startEpisode({ id: `${spec.id}#${n}`, spec, startMs });
    this.emit({
      type: 'episode',
      station: station.id,
      id: episode.id,
      degradation: spec.id,
      start: iso(startMs),
      startMs,
      rampMs: spec.ramp,
      cycleTimeIncrease: spec.cycleTimeIncrease,
      microStopRateFactor: spec.microStopRateFactor,
      conditions: spec.conditions,
      faultCode: spec.fault.code,
    });
  }

  // ---- station callbacks -----------------------------------------------------------------------

  cycleDone(station: SimStation, cycle: CycleDone): void {
    const endMs = this.wall(cycle.endMono);
    const shift = this.ledger.addCycle(station.id, endMs, cycle.good);
    this.observers.get(station.id)?.cycleEnded(endMs);
    const startMs = this.wall(cycle.startMono);
    this.emit({
      type: 'cycle',
      station: station.id,
      seq: cycle.seq,
      start: iso(startMs),
      startMs,
      end: iso(endMs),
      endMs,
      cycleTimeMs: cycle.endMono - cycle.startMono,
      processMs: cycle.processMs,
      good: cycle.good,
      counter: cycle.counter,
      shift: shift?.key ?? null,
    });
    for (const input of this.gpio.inputsFor(station.id)) this.gpio.partSeen(input, cycle.endMono);
  }

  breakdownDone(station: SimStation, b: BreakdownDone): void {
    const ep = b.episode;
    this.emit({
      type: 'breakdown',
      station: station.id,
      faultCode: b.faultCode,
      reason: b.reason,
      origin: b.origin,
      start: iso(this.wall(b.startMono)),
      startMs: this.wall(b.startMono),
      end: iso(this.wall(b.endMono)),
      endMs: this.wall(b.endMono),
      repairMs: b.endMono - b.startMono,
      operatingMsSinceRepair: b.operatingMsSinceRepair,
      episode:
        ep !== undefined
          ? { id: ep.id, degradation: ep.spec.id, start: iso(ep.startMs), startMs: ep.startMs, rampMs: ep.spec.ramp }
          : null,
    });
    if (b.origin === 'wear' && ep !== undefined) {
      const next = this.pendingEpisodes.get(station.id)?.shift();
      if (next !== undefined) next();
      else if (ep.spec.every !== undefined) {
        const every = ep.spec.every;
        this.queue.schedule(this.nowMono + sampleMs(every, this.streams.stream(`episode/${ep.id}`), 1), () =>
          this.startEpisode(ep.spec.id),
        );
      }
    }
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
    const startMs = this.wall(this.nowMono);
    const endMs = durationMs !== undefined ? startMs + durationMs : kind === 'drop' ? startMs : null;
    this.emit({
      type: 'comms',
      plc,
      kind,
      origin: 'injected',
      start: iso(startMs),
      startMs,
      end: endMs !== null ? iso(endMs) : null,
      endMs,
      ...extra,
    });
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
