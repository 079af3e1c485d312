/**
 * When micro-stops and random breakdowns strike a station, in its processing time: micro-stops
 * at a rate (an Exp(1) hazard budget spent at the current rate, which wear raises) or at drawn
 * intervals; random breakdowns after a drawn time between failures, counted from the last repair.
 */
import { sampleMs } from '../random/distributions.js';
import type { Prng } from '../random/prng.js';
import type { StationSpec } from '../scenario-schema.js';

const MS_PER_HOUR = 3_600_000;

export class StopHazards {
  private nextBreakdownOpMs = Infinity;
  /** Micro-stops: remaining Exp(1) hazard (ratePerHour) or processing time of the next one (interval). */
  private microBudget = Infinity;
  private microRatePerMs = 0;
  private nextMicroOpMs = Infinity;

  constructor(
    private readonly spec: StationSpec,
    private readonly rMicro: Prng,
    private readonly rBreak: Prng,
  ) {
    if (spec.breakdowns !== undefined) this.nextBreakdownOpMs = sampleMs(spec.breakdowns.mtbf, rBreak, 1);
    this.resetMicro(0);
  }

  /** `elapsedMs` of processing went by at the current micro-stop rate. */
  elapse(elapsedMs: number): void {
    this.microBudget -= this.microRatePerMs * elapsedMs;
  }

  /** Not processing: the micro-stop hazard stands still. */
  idle(): void {
    this.microRatePerMs = 0;
  }

  /**
   * Processing from `opMs` on, the micro-stop rate times `rateFactor()` (wear): processing time
   * until the next micro-stop or random breakdown is due.
   */
  untilNext(opMs: number, rateFactor: () => number): number {
    let dt: number;
    const m = this.spec.microStops;
    if (m?.ratePerHour !== undefined) {
      this.microRatePerMs = (m.ratePerHour * rateFactor()) / MS_PER_HOUR;
      dt = Math.max(1, Math.ceil(this.microBudget / this.microRatePerMs));
    } else {
      dt = this.nextMicroOpMs - opMs;
    }
    return Math.min(dt, this.nextBreakdownOpMs - opMs);
  }

  breakdownDue(opMs: number): boolean {
    return opMs >= this.nextBreakdownOpMs;
  }

  /** A random breakdown strikes: its fault and repair time. The next is drawn after the repair. */
  drawBreakdown(): { readonly code: number; readonly reason: string; readonly repairMs: number } | undefined {
    const b = this.spec.breakdowns;
    let drawn: { code: number; reason: string; repairMs: number } | undefined;
    if (b !== undefined) {
      const fault = b.faults[this.rBreak.pickWeighted(b.faults.map((f) => f.weight))] as (typeof b.faults)[number];
      drawn = { code: fault.code, reason: fault.reason, repairMs: sampleMs(fault.mttr ?? b.mttr, this.rBreak, 1) };
    }
    this.nextBreakdownOpMs = Infinity;
    return drawn;
  }

  /** Repaired after a random breakdown at processing time `opMs`: the next one is drawn. */
  repaired(opMs: number): void {
    if (this.spec.breakdowns !== undefined) {
      this.nextBreakdownOpMs = opMs + sampleMs(this.spec.breakdowns.mtbf, this.rBreak, 1);
    }
  }

  microDue(opMs: number): boolean {
    return this.microBudget <= 1e-9 || opMs >= this.nextMicroOpMs;
  }

  /** A micro-stop strikes at processing time `opMs`: its duration; the next one is drawn. */
  drawMicro(opMs: number): number | undefined {
    const m = this.spec.microStops;
    if (m === undefined) return undefined;
    const durationMs = sampleMs(m.duration, this.rMicro, 1);
    this.resetMicro(opMs);
    return durationMs;
  }

  private resetMicro(opMs: number): void {
    const m = this.spec.microStops;
    if (m === undefined) return;
    if (m.ratePerHour !== undefined) this.microBudget = -Math.log(this.rMicro.nextOpen());
    else if (m.interval !== undefined) this.nextMicroOpMs = opMs + sampleMs(m.interval, this.rMicro, 1);
  }
}
