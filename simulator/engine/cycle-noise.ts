/**
 * Autocorrelated cycle-time noise (station `cycleNoise`): real cycle times wander with material
 * batches, temperature and hydraulic oil, so neighbouring cycles are alike rather than
 * independent. Each drawn cycle time is multiplied by (1 + e), e an AR(1) process
 * e' = phi e + sqrt(1 - phi^2) cv z, stationary with standard deviation cv from the first cycle.
 * It draws from its own stream, so stations without it run exactly as before.
 */
import type { Prng } from '../random/prng.js';

export interface CycleNoiseSpec {
  readonly cv: number;
  readonly phi: number;
}

export class CycleNoise {
  private e: number;
  private readonly innovation: number;

  constructor(
    private readonly spec: CycleNoiseSpec,
    private readonly rng: Prng,
  ) {
    this.e = spec.cv * rng.nextNormal();
    this.innovation = spec.cv * Math.sqrt(1 - spec.phi * spec.phi);
  }

  /** The factor for the next cycle (never below 0.5: a cycle does not run twice as fast). */
  next(): number {
    this.e = this.spec.phi * this.e + this.innovation * this.rng.nextNormal();
    return Math.max(0.5, 1 + this.e);
  }
}
