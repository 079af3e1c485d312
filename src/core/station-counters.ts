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
import type { StationCheckpoint } from './checkpoint.js';
import { counterDelta, normaliseCount, plausibleMaxParts, type CounterKind } from './counters.js';
import type { CounterMove } from './events.js';

/** Credits beyond this are stale (a counter bound to the wrong register). */
export const MAX_CREDIT = 1_000;

type Report = (code: string, message: string, context: Record<string, unknown>) => void;

/** A counter move that was not simply counted (see CounterEvent), at the read's monotonic time. */
export interface CounterAnomaly extends CounterMove {
  readonly atMono: number;
}

/** The counters' part of a station's checkpoint. */
export type CountersCheckpoint = Pick<StationCheckpoint, 'counters' | 'rejectCredit' | 'goodCredit'>;

export class StationCounters {
  private cycleValue: number | undefined = undefined;
  private cycleAtMono = 0;
  private goodValue: number | undefined = undefined;
  private goodAtMono = 0;
  private rejectValue: number | undefined = undefined;
  private rejectAtMono = 0;
  /** Last cycle-complete bit: -1 unknown (a bit already high at the first read is not a cycle). */
  private lastEdge = -1;
  private rejectCredit = 0;
  private goodCredit = 0;

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
      counterDelta(this.cycleValue, value, modulus, m - this.cycleAtMono, spec.minIdealMs, this.delta);
      this.reportOdd(
        spec.cycleSource === 'pulse' ? 'cyclePulse' : 'cycleCounter',
        this.cycleValue,
        value,
        m,
        m - this.cycleAtMono,
      );
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
      counterDelta(this.goodValue, value, spec.modulus.good, m - this.goodAtMono, spec.minIdealMs, this.delta);
      this.reportOdd('goodCount', this.goodValue, value, m, m - this.goodAtMono);
      this.goodCredit = Math.min(MAX_CREDIT, this.goodCredit + this.delta.delta);
      this.goodValue = value;
      this.goodAtMono = m;
      this.newGood = Number.NaN;
    }
    if (!Number.isNaN(this.newReject)) {
      const value = normaliseCount(this.newReject, spec.modulus.reject);
      counterDelta(this.rejectValue, value, spec.modulus.reject, m - this.rejectAtMono, spec.minIdealMs, this.delta);
      this.reportOdd('rejectCount', this.rejectValue, value, m, m - this.rejectAtMono);
      this.rejectCredit = Math.min(MAX_CREDIT, this.rejectCredit + this.delta.delta);
      this.rejectValue = value;
      this.rejectAtMono = m;
      this.newReject = Number.NaN;
    }
    return parts;
  }

  /** Rejects counted by per-reason counters, when the station has no reject counter register. */
  creditRejects(n: number): void {
    if (n > 0) this.rejectCredit = Math.min(MAX_CREDIT, this.rejectCredit + n);
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

  /** The last values read and the credits (mono -> wall). */
  capture(wallOf: (mono: number) => number): CountersCheckpoint {
    return {
      counters: {
        ...(this.cycleValue !== undefined
          ? { cycle: { value: this.cycleValue, atWall: wallOf(this.cycleAtMono) } }
          : {}),
        ...(this.goodValue !== undefined ? { good: { value: this.goodValue, atWall: wallOf(this.goodAtMono) } } : {}),
        ...(this.rejectValue !== undefined
          ? { reject: { value: this.rejectValue, atWall: wallOf(this.rejectAtMono) } }
          : {}),
        ...(this.lastEdge >= 0 ? { edge: this.lastEdge } : {}),
      },
      rejectCredit: this.rejectCredit,
      goodCredit: this.goodCredit,
    };
  }

  /** Restores what capture() saved (wall -> mono, never after `savedMono`). */
  restore(data: CountersCheckpoint, monoOf: (wall: number) => number, savedMono: number): void {
    const c = data.counters;
    // Parts made while the agent was away count at the first read; plausibility allows for the gap.
    if (c.cycle !== undefined) {
      this.cycleValue = c.cycle.value;
      this.cycleAtMono = Math.min(monoOf(c.cycle.atWall), savedMono);
    }
    if (c.good !== undefined) {
      this.goodValue = c.good.value;
      this.goodAtMono = Math.min(monoOf(c.good.atWall), savedMono);
    }
    if (c.reject !== undefined) {
      this.rejectValue = c.reject.value;
      this.rejectAtMono = Math.min(monoOf(c.reject.atWall), savedMono);
    }
    if (c.edge !== undefined) this.lastEdge = c.edge;
    this.rejectCredit = data.rejectCredit;
    this.goodCredit = data.goodCredit;
  }

  private reportOdd(
    role: (typeof ROLE_NAMES)[number],
    previous: number | undefined,
    value: number,
    atMono: number,
    elapsedMs: number,
  ): void {
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
      plausibleMax: plausibleMaxParts(elapsedMs, this.spec.minIdealMs),
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
