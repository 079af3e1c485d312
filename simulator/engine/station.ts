/**
 * One simulated station: takes a part from its input buffer, processes it for a drawn cycle
 * time, pushes it to its output buffer, and repeats. Micro-stops and breakdowns strike during
 * processing (hazards measured in processing time); planned stops pause it; an empty input makes
 * it starved and a full output blocked. All times are integer ms of virtual time since the run
 * start ("mono"). The station never schedules more than one pending timer: a version number
 * invalidates stale ones.
 */
import { sampleMs } from '../random/distributions.js';
import type { Prng, PrngStreams } from '../random/prng.js';
import type { StationSpec } from '../scenario-schema.js';
import type { BreakdownOrigin, Cause } from '../truth/records.js';
import type { EventQueue } from './event-queue.js';
import { episodeEndOpMs, wearAt, type ActiveEpisode } from './wear.js';

export interface PartBuffer {
  readonly capacity: number;
  count: number;
  upstream?: SimStation;
  downstream?: SimStation;
}

export interface CycleDone {
  readonly startMono: number;
  readonly endMono: number;
  readonly processMs: number;
  readonly good: boolean;
  readonly seq: number;
  readonly counter: number;
}

export interface BreakdownDone {
  readonly faultCode: number;
  readonly reason: string;
  readonly origin: BreakdownOrigin;
  readonly startMono: number;
  readonly endMono: number;
  readonly operatingMsSinceRepair: number;
  readonly episode: ActiveEpisode | undefined;
}

/** What a station needs from its line. */
export interface StationHost {
  readonly queue: EventQueue;
  now(): number;
  /** The station changed: re-settle neighbours and report signals at the end of this instant. */
  touched(station: SimStation): void;
  cycleDone(station: SimStation, cycle: CycleDone): void;
  breakdownDone(station: SimStation, breakdown: BreakdownDone): void;
}

interface Part {
  readonly startMono: number;
  readonly processMs: number;
  remainingMs: number;
}

type Stop =
  | { readonly kind: 'micro'; readonly startMono: number }
  | {
      readonly kind: 'breakdown';
      readonly startMono: number;
      readonly faultCode: number;
      readonly reason: string;
      readonly origin: BreakdownOrigin;
      readonly episode: ActiveEpisode | undefined;
      readonly opSinceRepair: number;
    };

const MS_PER_HOUR = 3_600_000;

export class SimStation {
  readonly id: string;
  input: PartBuffer | undefined;
  output: PartBuffer | undefined;

  private part: Part | undefined;
  private holdingFinished = false;
  private stop: Stop | undefined;
  private calendarPlanned: string | undefined;
  private changeover: string | undefined;
  private processingSince: number | undefined;
  /** Total processing time so far, ms. */
  opMs = 0;
  private lastRepairOpMs = 0;
  private nextBreakdownOpMs = Infinity;
  /** Micro-stops: remaining Exp(1) hazard (ratePerHour) or processing time of the next one (interval). */
  private microBudget = Infinity;
  private microRatePerMs = 0;
  private nextMicroOpMs = Infinity;
  episode: ActiveEpisode | undefined;
  private startupRejectsLeft = 0;
  private timerVersion = 0;

  /** Parts made (good + reject), and the split, since the run start. */
  total = 0;
  good = 0;
  reject = 0;
  lastCycleEndMono: number | undefined;
  lastCycleTimeMs = 0;

  private readonly rCycle: Prng;
  private readonly rMicro: Prng;
  private readonly rBreak: Prng;
  private readonly rReject: Prng;

  constructor(
    readonly spec: StationSpec,
    private readonly host: StationHost,
    streams: PrngStreams,
  ) {
    this.id = spec.id;
    this.rCycle = streams.stream(`${spec.id}/cycle`);
    this.rMicro = streams.stream(`${spec.id}/micro`);
    this.rBreak = streams.stream(`${spec.id}/breakdown`);
    this.rReject = streams.stream(`${spec.id}/reject`);
    if (spec.breakdowns !== undefined) this.nextBreakdownOpMs = sampleMs(spec.breakdowns.mtbf, this.rBreak, 1);
    this.resetMicro();
  }

  // ---- signals -------------------------------------------------------------------------------

  get planned(): boolean {
    return this.calendarPlanned !== undefined || this.changeover !== undefined;
  }

  get processing(): boolean {
    return this.part !== undefined && !this.holdingFinished && this.stop === undefined && !this.planned;
  }

  get faultCode(): number {
    return this.stop?.kind === 'breakdown' ? this.stop.faultCode : 0;
  }

  get starved(): boolean {
    return !this.planned && this.stop === undefined && this.part === undefined && !this.holdingFinished;
  }

  get blocked(): boolean {
    return !this.planned && this.stop === undefined && this.holdingFinished;
  }

  get plannedBit(): boolean {
    return this.changeover !== undefined;
  }

  get cause(): Cause {
    if (this.changeover !== undefined) return 'changeover';
    if (this.calendarPlanned !== undefined) return this.calendarPlanned === 'off_shift' ? 'off_shift' : 'break';
    if (this.stop !== undefined) return this.stop.kind === 'micro' ? 'micro_stop' : 'breakdown';
    if (this.holdingFinished) return 'blocked';
    if (this.part === undefined) return 'starved';
    return 'processing';
  }

  /** Episode id while a wear breakdown is being repaired or wear is active. */
  get episodeId(): string | undefined {
    if (this.stop?.kind === 'breakdown') return this.stop.episode?.id;
    return undefined;
  }

  /** Processing time at `mono`, counting the stretch in progress. */
  opMsAt(mono: number): number {
    return this.opMs + (this.processingSince !== undefined ? Math.max(0, mono - this.processingSince) : 0);
  }

  /** Wear 0..1 of the active episode at `mono` (0 without one). */
  wearAt(mono: number): number {
    return this.episode !== undefined ? wearAt(this.episode, this.opMsAt(mono)) : 0;
  }

  // ---- inputs from the line --------------------------------------------------------------------

  setCalendarPlanned(reason: string | undefined): void {
    if (reason === this.calendarPlanned) return;
    this.sync();
    const ended = this.calendarPlanned !== undefined && reason === undefined;
    this.calendarPlanned = reason;
    if (ended && !this.planned) this.armStartupRejects();
    this.host.touched(this);
  }

  setChangeover(name: string | undefined): void {
    if (name === this.changeover) return;
    this.sync();
    const ended = this.changeover !== undefined && name === undefined;
    this.changeover = name;
    if (ended && !this.planned) this.armStartupRejects();
    this.host.touched(this);
  }

  /**
   * A breakdown from outside the scenario (a test, a REPL): the station stops now with `faultCode`
   * on its fault register and is repaired `repairMs` later. Refused (false) while it is stopped.
   */
  injectBreakdown(faultCode: number, reason: string, repairMs: number): boolean {
    if (this.stop !== undefined) return false;
    this.sync();
    this.beginBreakdown(this.host.now(), faultCode, reason, 'injected', repairMs);
    this.host.touched(this);
    return true;
  }

  startEpisode(episode: Omit<ActiveEpisode, 'startOpMs'>): ActiveEpisode {
    this.sync();
    const active: ActiveEpisode = { ...episode, startOpMs: this.opMs };
    this.episode = active;
    this.host.touched(this);
    return active;
  }

  /** Moves parts when possible and (re)schedules the station's timer. Called by the line. */
  settle(): void {
    // A neighbour may settle us at any moment: book the processing time up to now first, so the
    // timer below is planned from the true remaining time.
    this.sync();
    const now = this.host.now();
    for (let moved = true; moved; ) {
      moved = false;
      if (
        this.holdingFinished &&
        this.stop === undefined &&
        (this.output === undefined || this.output.count < this.output.capacity)
      ) {
        this.holdingFinished = false;
        if (this.output !== undefined) {
          this.output.count++;
          if (this.output.downstream !== undefined) this.host.touched(this.output.downstream);
        }
        moved = true;
      }
      if (
        this.part === undefined &&
        !this.holdingFinished &&
        this.stop === undefined &&
        !this.planned &&
        (this.input === undefined || this.input.count > 0)
      ) {
        if (this.input !== undefined) {
          this.input.count--;
          if (this.input.upstream !== undefined) this.host.touched(this.input.upstream);
        }
        const processMs = this.drawCycleMs(now);
        this.part = { startMono: now, processMs, remainingMs: processMs };
        moved = true;
      }
    }
    if (this.processing) {
      if (this.processingSince === undefined) this.processingSince = now;
    } else {
      this.processingSince = undefined;
    }
    this.reschedule(now);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Books processing time up to now (before any change of state). */
  private sync(): void {
    const now = this.host.now();
    if (this.processingSince === undefined) return;
    const elapsed = now - this.processingSince;
    if (elapsed <= 0) return;
    this.opMs += elapsed;
    if (this.part !== undefined) this.part.remainingMs -= elapsed;
    this.microBudget -= this.microRatePerMs * elapsed;
    this.processingSince = now;
  }

  private drawCycleMs(now: number): number {
    const base =
      this.spec.cycleTime !== undefined ? sampleMs(this.spec.cycleTime, this.rCycle, 1) : this.spec.idealCycleTime;
    const inc = this.episode?.spec.cycleTimeIncrease ?? 0;
    return inc > 0 ? Math.max(1, Math.round(base * (1 + inc * this.wearAt(now)))) : base;
  }

  private resetMicro(): void {
    const m = this.spec.microStops;
    if (m === undefined) return;
    if (m.ratePerHour !== undefined) this.microBudget = -Math.log(this.rMicro.nextOpen());
    else if (m.interval !== undefined) this.nextMicroOpMs = this.opMs + sampleMs(m.interval, this.rMicro, 1);
  }

  private armStartupRejects(): void {
    this.startupRejectsLeft = this.spec.startupRejects?.cycles ?? 0;
  }

  private reschedule(now: number): void {
    const version = ++this.timerVersion;
    if (!this.processing || this.part === undefined) {
      this.microRatePerMs = 0;
      return;
    }
    let dt = this.part.remainingMs;
    const m = this.spec.microStops;
    if (m?.ratePerHour !== undefined) {
      const factor =
        this.episode !== undefined ? 1 + (this.episode.spec.microStopRateFactor - 1) * this.wearAt(now) : 1;
      this.microRatePerMs = (m.ratePerHour * factor) / MS_PER_HOUR;
      dt = Math.min(dt, Math.max(1, Math.ceil(this.microBudget / this.microRatePerMs)));
    } else {
      dt = Math.min(dt, this.nextMicroOpMs - this.opMs);
    }
    dt = Math.min(dt, this.nextBreakdownOpMs - this.opMs);
    if (this.episode !== undefined) dt = Math.min(dt, episodeEndOpMs(this.episode) - this.opMs);
    this.host.queue.schedule(now + Math.max(0, dt), () => this.onTimer(version));
  }

  private onTimer(version: number): void {
    if (version !== this.timerVersion) return;
    this.sync();
    const now = this.host.now();
    const part = this.part as Part;
    if (this.episode !== undefined && this.opMs >= episodeEndOpMs(this.episode)) {
      const d = this.episode.spec;
      this.beginBreakdown(now, d.fault.code, d.fault.reason, 'wear', sampleMs(d.fault.mttr, this.rBreak, 1));
    } else if (this.opMs >= this.nextBreakdownOpMs) {
      const b = this.spec.breakdowns;
      if (b !== undefined) {
        const fault = b.faults[this.rBreak.pickWeighted(b.faults.map((f) => f.weight))] as (typeof b.faults)[number];
        this.beginBreakdown(now, fault.code, fault.reason, 'random', sampleMs(fault.mttr ?? b.mttr, this.rBreak, 1));
      }
      this.nextBreakdownOpMs = Infinity;
    } else if (this.microBudget <= 1e-9 || this.opMs >= this.nextMicroOpMs) {
      const m = this.spec.microStops;
      if (m !== undefined) {
        this.stop = { kind: 'micro', startMono: now };
        const durationMs = sampleMs(m.duration, this.rMicro, 1);
        this.resetMicro();
        this.host.queue.schedule(now + durationMs, () => this.endStop());
      }
    } else if (part.remainingMs <= 0) {
      this.completeCycle(now, part);
    }
    this.host.touched(this);
  }

  private beginBreakdown(
    now: number,
    faultCode: number,
    reason: string,
    origin: BreakdownOrigin,
    repairMs: number,
  ): void {
    this.stop = {
      kind: 'breakdown',
      startMono: now,
      faultCode,
      reason,
      origin,
      episode: origin === 'wear' ? this.episode : undefined,
      opSinceRepair: this.opMs - this.lastRepairOpMs,
    };
    this.host.queue.schedule(now + repairMs, () => this.endStop());
  }

  private endStop(): void {
    const stop = this.stop;
    if (stop === undefined) return;
    const now = this.host.now();
    this.stop = undefined;
    if (stop.kind === 'breakdown') {
      this.lastRepairOpMs = this.opMs;
      if (stop.origin === 'random' && this.spec.breakdowns !== undefined) {
        this.nextBreakdownOpMs = this.opMs + sampleMs(this.spec.breakdowns.mtbf, this.rBreak, 1);
      }
      if (stop.origin === 'wear') this.episode = undefined;
      this.armStartupRejects();
      this.host.breakdownDone(this, {
        faultCode: stop.faultCode,
        reason: stop.reason,
        origin: stop.origin,
        startMono: stop.startMono,
        endMono: now,
        operatingMsSinceRepair: stop.opSinceRepair,
        episode: stop.episode,
      });
    }
    this.host.touched(this);
  }

  private completeCycle(now: number, part: Part): void {
    const rate =
      this.startupRejectsLeft > 0
        ? Math.max(this.spec.startupRejects?.rate ?? 0, this.spec.rejectRate)
        : this.spec.rejectRate;
    if (this.startupRejectsLeft > 0) this.startupRejectsLeft--;
    const good = !this.rReject.chance(rate);
    this.total++;
    if (good) this.good++;
    else this.reject++;
    this.lastCycleTimeMs = now - part.startMono;
    this.lastCycleEndMono = now;
    this.part = undefined;
    this.holdingFinished = true;
    this.host.cycleDone(this, {
      startMono: part.startMono,
      endMono: now,
      processMs: part.processMs,
      good,
      seq: this.total,
      counter: this.spec.counters.partStart + this.total,
    });
  }
}
