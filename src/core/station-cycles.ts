/**
 * A station's completed parts as events: one cycle event per part (good or reject, with its
 * cycle time), counted into the shift and the rolling hour, and a counter event for each counter
 * move that was not simply counted. Keeps the last cycle's end for the next cycle time.
 */
import type { StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import type { StationAccounts } from './station-accounts.js';
import type { CounterAnomaly, StationCounters } from './station-counters.js';
import type { EventHost, EventIds } from './station-interval.js';

/** What the rejects just counted at `m` were: one scrap reason each, and whether in a start-up window. */
export type RejectClassifier = (rejects: number, m: number) => { reasons: readonly string[]; startup: boolean };

/** The cycle part of a station's checkpoint. */
export type CyclesCheckpoint = Pick<StationCheckpoint, 'lastCycleWall' | 'lastCycleTimeMs'>;

export class StationCycles {
  /** End of the last cycle for cycle-time purposes; undefined after a gap in knowledge. */
  private lastEndMono: number | undefined = undefined;
  private lastEndWall: number | undefined = undefined;
  private lastTimeMs: number | undefined = undefined;

  constructor(
    private readonly spec: StationSpec,
    private readonly host: EventHost,
    private readonly ids: EventIds,
    private readonly accounts: StationAccounts,
    private readonly counters: StationCounters,
    private readonly classify: RejectClassifier,
  ) {}

  /** Wall ms of the last completed cycle. */
  get lastWall(): number | undefined {
    return this.lastEndWall;
  }

  get lastCycleTimeMs(): number | undefined {
    return this.lastTimeMs;
  }

  /** `n` parts of `product` (ideal cycle `idealMs`) completed in the frame at `m`; returns the good ones. */
  record(n: number, m: number, product: string | undefined, idealMs: number): number {
    const spec = this.spec;
    const goodParts = n - this.counters.rejectsAmong(n);
    // Unknown after a gap (comms loss, restart): none rather than a cycle time that spans the gap.
    const cycleTimeMs = this.lastEndMono !== undefined ? (m - this.lastEndMono) / n : undefined;
    const ts = this.host.wallOf(m);
    const window = this.accounts.windowForParts(m);
    const shift = window?.instance.name;
    const rejects = n - goodParts;
    const rejected = rejects > 0 ? this.classify(rejects, m) : undefined;
    for (let i = 0; i < n; i++) {
      const good = i < goodParts;
      const reason = good ? undefined : rejected?.reasons[i - goodParts];
      this.host.emit({
        type: 'cycle',
        id: this.ids.nextId(),
        line: spec.line,
        station: spec.id,
        seq: this.ids.seq,
        ts,
        ...(cycleTimeMs !== undefined ? { cycleTimeMs } : {}),
        good,
        ...(shift !== undefined ? { shift } : {}),
        ...(product !== undefined ? { product } : {}),
        ...(reason !== undefined ? { scrapReason: reason } : {}),
        ...(!good && rejected?.startup === true ? { startup: true } : {}),
      });
    }
    this.accounts.addCycles(window, m, n, goodParts, n * idealMs, rejected);
    if (cycleTimeMs !== undefined) this.lastTimeMs = cycleTimeMs;
    this.lastEndMono = m;
    this.lastEndWall = ts;
    return goodParts;
  }

  /** Knowledge was lost (comms): the next cycle's time is unknown. */
  forgetLastEnd(): void {
    this.lastEndMono = undefined;
  }

  /** A counter jump or reset, as an event: the audit trail of what was (not) counted and why. */
  counterAnomaly(a: CounterAnomaly): void {
    const { atMono, ...rest } = a;
    this.host.emit({
      type: 'counter',
      id: this.ids.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
      ts: this.host.wallOf(atMono),
      ...rest,
    });
  }

  capture(): CyclesCheckpoint {
    return {
      ...(this.lastEndWall !== undefined ? { lastCycleWall: this.lastEndWall } : {}),
      ...(this.lastTimeMs !== undefined ? { lastCycleTimeMs: this.lastTimeMs } : {}),
    };
  }

  /** The last cycle as displayed; its end stays unknown for cycle times (the agent was away). */
  restore(data: CyclesCheckpoint): void {
    if (data.lastCycleWall !== undefined) this.lastEndWall = data.lastCycleWall;
    if (data.lastCycleTimeMs !== undefined) this.lastTimeMs = data.lastCycleTimeMs;
  }
}
