/**
 * A station's rejects by scrap reason (docs/oee.md#scrap-reasons): per-reason reject counters
 * (`scrapCounts`) give each reason credits, as the reject counter gives reject credits; each reject
 * then takes the reason of the oldest credit, in config order, or "unassigned" when none says.
 * Without a reject counter register, the per-reason counters' moves are the station's rejects.
 */
import type { StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import { counterDelta, normaliseCount, type CounterKind } from './counters.js';
import { MAX_CREDIT, type StationCounters } from './station-counters.js';

export const UNASSIGNED_SCRAP = 'unassigned';

type Report = (code: string, message: string, context: Record<string, unknown>) => void;
export type ScrapCheckpoint = NonNullable<StationCheckpoint['scrap']>;

export class StationScrap {
  private readonly values: (number | undefined)[];
  private readonly atMono: number[];
  private readonly credits: number[];
  private readonly offered: number[];
  private readonly delta = { delta: 0, kind: 'first' as CounterKind };

  constructor(
    private readonly spec: StationSpec,
    private readonly counters: StationCounters,
    private readonly report: Report,
  ) {
    const n = spec.scrapReasons.length;
    this.values = new Array<number | undefined>(n).fill(undefined);
    this.atMono = new Array<number>(n).fill(0);
    this.credits = new Array<number>(n).fill(0);
    this.offered = new Array<number>(n).fill(Number.NaN);
  }

  /** A per-reason counter's value of the frame being assembled (`index`: its place in scrapCounts). */
  offer(index: number, value: number | boolean | string): void {
    if (index < 0 || index >= this.offered.length) return;
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (Number.isFinite(n)) this.offered[index] = n;
  }

  /** Applies the offered values of the read at `m` (before the frame's parts are recorded). */
  take(m: number): void {
    const spec = this.spec;
    for (let i = 0; i < this.offered.length; i++) {
      const raw = this.offered[i] as number;
      if (Number.isNaN(raw)) continue;
      this.offered[i] = Number.NaN;
      const modulus = spec.scrapModulus[i];
      const value = normaliseCount(raw, modulus);
      const previous = this.values[i];
      counterDelta(previous, value, modulus, m - (this.atMono[i] as number), spec.minIdealMs, this.delta);
      if (this.delta.kind === 'jump' || this.delta.kind === 'reset') {
        const reason = spec.scrapReasons[i];
        this.report(
          this.delta.kind === 'reset' ? 'COUNTER_RESET' : 'COUNTER_JUMP',
          `station ${spec.id}: the scrap counter of "${reason}" went from ${previous} to ${value}: ${this.delta.kind === 'reset' ? `counted ${this.delta.delta}` : 'not counted, new base'}`,
          { station: spec.id, role: `scrapCounts.${reason}`, previous, value, counted: this.delta.delta },
        );
      }
      const counted = this.delta.delta;
      this.credits[i] = Math.min(MAX_CREDIT, (this.credits[i] as number) + counted);
      if (!spec.hasRejectRegister) this.counters.creditRejects(counted);
      this.values[i] = value;
      this.atMono[i] = m;
    }
  }

  /** The reasons of `rejects` rejects just counted, one each (consumes credits). */
  reasonsOf(rejects: number): string[] {
    const reasons: string[] = [];
    for (let r = 0; r < rejects; r++) {
      const i = this.credits.findIndex((c) => c > 0);
      if (i < 0) reasons.push(UNASSIGNED_SCRAP);
      else {
        this.credits[i] = (this.credits[i] as number) - 1;
        reasons.push(this.spec.scrapReasons[i] as string);
      }
    }
    return reasons;
  }

  capture(wallOf: (mono: number) => number): { scrap?: ScrapCheckpoint } {
    if (this.spec.scrapReasons.length === 0) return {};
    const scrap: Record<string, ScrapCheckpoint[string]> = {};
    this.spec.scrapReasons.forEach((reason, i) => {
      const value = this.values[i];
      scrap[reason] = {
        ...(value !== undefined ? { value, atWall: wallOf(this.atMono[i] as number) } : {}),
        credit: this.credits[i] as number,
      };
    });
    return { scrap };
  }

  restore(data: ScrapCheckpoint | undefined, monoOf: (wall: number) => number, savedMono: number): void {
    if (data === undefined) return;
    this.spec.scrapReasons.forEach((reason, i) => {
      const saved = data[reason];
      if (saved === undefined) return;
      if (saved.value !== undefined && saved.atWall !== undefined) {
        this.values[i] = saved.value;
        this.atMono[i] = Math.min(monoOf(saved.atWall), savedMono);
      }
      this.credits[i] = saved.credit;
    });
  }
}
