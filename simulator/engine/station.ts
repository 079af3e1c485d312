/**
 * One simulated station: takes a part from its input buffer, processes it for a drawn cycle
 * time, pushes it to its output buffer, and repeats. Micro-stops and breakdowns strike during
 * processing (hazards measured in processing time); planned stops pause it; an empty input makes
 * it starved and a full output blocked. All times are integer ms of virtual time since the run
 * start ("mono"). The station never schedules more than one pending timer: a version number
 * invalidates stale ones. State and signals: station-state.ts; when micro-stops and random
 * breakdowns strike: stop-hazards.ts.
 */
import { sampleMs } from '../random/distributions.js';
import type { Prng, PrngStreams } from '../random/prng.js';
import type { ProductSpec, StationSpec } from '../scenario-schema.js';
import type { BreakdownOrigin } from '../truth/records.js';
import type { EventQueue } from './event-queue.js';
import { StationState, type Part } from './station-state.js';
import { productIdealAt } from './product-runs.js';
import { StopHazards } from './stop-hazards.js';
import { CycleNoise } from './cycle-noise.js';
import { episodeEndOpMs, type ActiveEpisode } from './wear.js';

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

export class SimStation extends StationState {
  readonly id: string;
  protected readonly runningBitMode: 'processing' | 'auto';
  input: PartBuffer | undefined;
  output: PartBuffer | undefined;

  private lastRepairOpMs = 0;
  private readonly hazards: StopHazards;
  private startupRejectsLeft = 0;
  private timerVersion = 0;

  /** Parts made (good + reject), and the split, since the run start. */
  total = 0;
  good = 0;
  reject = 0;
  lastCycleEndMono: number | undefined;
  lastCycleTimeMs = 0;

  private readonly rCycle: Prng;
  private readonly rBreak: Prng;
  private readonly rReject: Prng;
  private readonly cycleNoise: CycleNoise | undefined;

  constructor(
    readonly spec: StationSpec,
    private readonly host: StationHost,
    streams: PrngStreams,
  ) {
    super();
    this.id = spec.id;
    this.runningBitMode = spec.runningBit;
    this.rCycle = streams.stream(`${spec.id}/cycle`);
    this.rBreak = streams.stream(`${spec.id}/breakdown`);
    this.rReject = streams.stream(`${spec.id}/reject`);
    this.cycleNoise =
      spec.cycleNoise !== undefined
        ? new CycleNoise(spec.cycleNoise, streams.stream(`${spec.id}/cycle-noise`))
        : undefined;
    this.hazards = new StopHazards(spec, streams.stream(`${spec.id}/micro`), this.rBreak);
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

  /** The product the station makes from now on (the run's first: no setup). */
  startProduct(product: ProductSpec): void {
    this.product = product;
  }

  /** A product changeover: the station pauses for its setup, then makes `product`. */
  beginSetup(product: ProductSpec): void {
    this.sync();
    this.product = product;
    this.setup = true;
    this.host.touched(this);
  }

  endSetup(): void {
    if (!this.setup) return;
    this.sync();
    this.setup = false;
    if (!this.planned) this.armStartupRejects();
    this.host.touched(this);
  }

  /** Ideal cycle time now: the product's at this station, else the station's own. */
  get idealCycleTimeMs(): number {
    return productIdealAt(this.product, this.id, this.spec.idealCycleTime);
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
    this.hazards.elapse(elapsed);
    this.processingSince = now;
  }

  private drawCycleMs(now: number): number {
    const times = this.product?.stations[this.id];
    const dist = times !== undefined ? times.cycleTime : this.spec.cycleTime;
    const drawn = dist !== undefined ? sampleMs(dist, this.rCycle, 1) : this.idealCycleTimeMs;
    const base = this.cycleNoise !== undefined ? Math.max(1, Math.round(drawn * this.cycleNoise.next())) : drawn;
    const inc = this.episode?.spec.cycleTimeIncrease ?? 0;
    return inc > 0 ? Math.max(1, Math.round(base * (1 + inc * this.wearAt(now)))) : base;
  }

  private armStartupRejects(): void {
    this.startupRejectsLeft = this.spec.startupRejects?.cycles ?? 0;
  }

  private reschedule(now: number): void {
    const version = ++this.timerVersion;
    if (!this.processing || this.part === undefined) {
      this.hazards.idle();
      return;
    }
    const episode = this.episode;
    const rateFactor = (): number =>
      episode !== undefined ? 1 + (episode.spec.microStopRateFactor - 1) * this.wearAt(now) : 1;
    let dt = Math.min(this.part.remainingMs, this.hazards.untilNext(this.opMs, rateFactor));
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
    } else if (this.hazards.breakdownDue(this.opMs)) {
      const fault = this.hazards.drawBreakdown();
      if (fault !== undefined) this.beginBreakdown(now, fault.code, fault.reason, 'random', fault.repairMs);
    } else if (this.hazards.microDue(this.opMs)) {
      const durationMs = this.hazards.drawMicro(this.opMs);
      if (durationMs !== undefined) {
        this.stop = { kind: 'micro', startMono: now };
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
      if (stop.origin === 'random') this.hazards.repaired(this.opMs);
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
