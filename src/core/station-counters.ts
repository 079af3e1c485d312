/**
 * A station's part counting: the cycle source (counter register, cycle-complete bit or GPIO pulse
 * count), the good and reject counters, and which parts of a read were rejects. Values of one poll
 * are offered first and taken together (`take`), so a reject counted in the same read as its part
 * marks that very part.
 *
 * Rejects and goods are kept as credits: a reject read without a new part marks the next part
 * (the counters of one read may straddle a cycle). With a reject counter, the last parts of a read
 * are the rejects; with only a good counter, parts not matched by good counts are rejects.
 */
import type { StationSpec } from './bindings.js';
import { ROLE_NAMES } from './bindings.js';
import { counterDelta, normaliseCount, plausibleMaxParts, type CounterKind } from './counters.js';
import type { CounterMove } from './events.js';

/** Credits beyond this are stale (a counter bound to the wrong register). */
const MAX_CREDIT = 1_000;

type Report = (code: string, message: string, context: Record<string, unknown>) => void;

/** A counter move that was not simply counted (see CounterEvent), at the read's monotonic time. */
export interface CounterAnomaly extends CounterMove {
  readonly atMono: number;
}

export class StationCounters {
  cycleValue: number | undefined = undefined;
  cycleAtMono = 0;
  goodValue: number | undefined = undefined;
  goodAtMono = 0;
  rejectValue: number | undefined = undefined;
  rejectAtMono = 0;
  /** Last cycle-complete bit: -1 unknown (a bit already high at the first read is not a cycle). */
  lastEdge = -1;
  rejectCredit = 0;
  goodCredit = 0;

  private newCycle = Number.NaN;
  private newGood = Number.NaN;
  private newReject = Number.NaN;
  private newEdge = -1;
  private readonly delta = { delta: 0, kind: 'first' as CounterKind };

  constructor(
    private readonly spec: StationSpec,
    private readonly report: Report,
    private readonly onAnomaly: (anomaly: CounterAnomaly) => void = () => undefined,
  ) {}

  offerCycleCount(value: number): void {
    this.newCycle = value;
  }

  offerEdge(high: boolean): void {
    this.newEdge = high ? 1 : 0;
  }

  offerGood(value: number): void {
    this.newGood = value;
  }

  offerReject(value: number): void {
    this.newReject = value;
  }

  /** Applies the offered values of the read at `m`; returns the parts completed since the last read. */
  take(m: number): number {
    const spec = this.spec;
    let parts = 0;
    if (!Number.isNaN(this.newCycle)) {
      const modulus = spec.modulus.cycle;
      const value = normaliseCount(this.newCycle, modulus);
      counterDelta(this.cycleValue, value, modulus, m - this.cycleAtMono, spec.idealCycleTimeMs, this.delta);
      this.reportOdd(spec.cycleSource === 'pulse' ? 'cyclePulse' : 'cycleCounter', this.cycleValue, value, m, m - this.cycleAtMono);
      parts = this.delta.delta;
      this.cycleValue = value;
      this.cycleAtMono = m;
      this.newCycle = Number.NaN;
    }
    if (this.newEdge >= 0) {
      if (this.lastEdge === 0 && this.newEdge === 1) parts = 1;
      this.lastEdge = this.newEdge;
      this.newEdge = -1;
    }
    if (!Number.isNaN(this.newGood)) {
      const value = normaliseCount(this.newGood, spec.modulus.good);
      counterDelta(this.goodValue, value, spec.modulus.good, m - this.goodAtMono, spec.idealCycleTimeMs, this.delta);
      this.reportOdd('goodCount', this.goodValue, value, m, m - this.goodAtMono);
      this.goodCredit = Math.min(MAX_CREDIT, this.goodCredit + this.delta.delta);
      this.goodValue = value;
      this.goodAtMono = m;
      this.newGood = Number.NaN;
    }
    if (!Number.isNaN(this.newReject)) {
      const value = normaliseCount(this.newReject, spec.modulus.reject);
      counterDelta(this.rejectValue, value, spec.modulus.reject, m - this.rejectAtMono, spec.idealCycleTimeMs, this.delta);
      this.reportOdd('rejectCount', this.rejectValue, value, m, m - this.rejectAtMono);
      this.rejectCredit = Math.min(MAX_CREDIT, this.rejectCredit + this.delta.delta);
      this.rejectValue = value;
      this.rejectAtMono = m;
      this.newReject = Number.NaN;
    }
    return parts;
  }

  /** How many of `n` parts just completed are rejects (consumes credits). */
  rejectsAmong(n: number): number {
    if (this.spec.hasRejectCount) {
      const rejects = Math.min(this.rejectCredit, n);
      this.rejectCredit -= rejects;
      return rejects;
    }
    if (this.spec.hasGoodCount) {
      const good = Math.min(this.goodCredit, n);
      this.goodCredit -= good;
      return n - good;
    }
    return 0;
  }

  private reportOdd(role: (typeof ROLE_NAMES)[number], previous: number | undefined, value: number, atMono: number, elapsedMs: number): void {
    const kind = this.delta.kind;
    if (kind !== 'reset' && kind !== 'jump') return;
    const station = this.spec.id;
    const tag = this.spec.tags[role];
    const counted = this.delta.delta;
    this.onAnomaly({
      kind,
      role,
      tag: tag ?? '',
      previous: previous ?? 0,
      value,
      counted,
      elapsedMs,
      plausibleMax: plausibleMaxParts(elapsedMs, this.spec.idealCycleTimeMs),
      atMono,
    });
    this.report(
      kind === 'reset' ? 'COUNTER_RESET' : 'COUNTER_JUMP',
      kind === 'reset'
        ? `station ${station}: ${role} ${tag} went from ${previous} to ${value}: counter reset (PLC restart or shift reset), counted ${counted} part(s)`
        : `station ${station}: ${role} ${tag} jumped from ${previous} to ${value}, more than the station can make in the time: not counted, new base ${value}`,
      { station, tag, role, previous, value, counted },
    );
  }
}
