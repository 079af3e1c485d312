/**
 * A station's changeover (docs/oee.md#changeovers): from a product change to the first good part
 * of the new product, or, when the PLC has a changeover bit, while that bit is on.
 *
 * A product change is first only "pending": if the first good part of the new product comes
 * within one of its ideal cycles, that part was already being made when the code changed and no
 * time was lost (a changeover of 0). Otherwise, one ideal cycle after the change, the changeover
 * becomes active, back-dated to the change, and the station's time is changeover time (setup
 * downtime, or planned stop by config) until the first good part, taken as that part's end minus
 * its ideal cycle time. This class keeps the changeover and emits its started/ended events.
 */
import type { ProductCatalogue, StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import type { EventHost, EventIds } from './station-interval.js';

interface Changeover {
  readonly id: string | undefined;
  readonly startMono: number;
  readonly startWall: number;
  readonly from: string | undefined;
  to: string | undefined;
  readonly trigger: 'product' | 'plc';
  /** Waiting one ideal cycle for a part before it counts (see above). */
  readonly pending: boolean;
}

export type ChangeoverCheckpoint = NonNullable<StationCheckpoint['changeover']>;

/** What readers see of an active changeover. */
export interface ChangeoverView {
  readonly start: number;
  readonly from?: string;
  readonly to?: string;
  readonly targetMs?: number;
}

export class StationChangeover {
  private current: Changeover | undefined = undefined;

  constructor(
    private readonly spec: StationSpec,
    private readonly catalogue: ProductCatalogue,
    private readonly host: EventHost,
    private readonly ids: EventIds,
  ) {}

  /** A changeover is active: the station's time is changeover time. */
  get running(): boolean {
    return this.current !== undefined && !this.current.pending;
  }

  /** Start of a pending changeover (time before it may still be re-classified). */
  get pendingSince(): number | undefined {
    return this.current?.pending === true ? this.current.startMono : undefined;
  }

  /** A product changeover (pending or active) waits for its first good part. */
  get awaitsGoodPart(): boolean {
    return this.current?.trigger === 'product';
  }

  get view(): ChangeoverView | undefined {
    const c = this.current;
    if (c === undefined || c.pending) return undefined;
    const targetMs = this.targetOf(c.to);
    return {
      start: c.startWall,
      ...(c.from !== undefined ? { from: c.from } : {}),
      ...(c.to !== undefined ? { to: c.to } : {}),
      ...(targetMs !== undefined ? { targetMs } : {}),
    };
  }

  /** The product changed at `m` (from one that ran before): a changeover is pending, unless the PLC says when. */
  productChanged(from: string | undefined, to: string | undefined, m: number): void {
    if (this.spec.hasChangeoverBit || from === undefined) return;
    if (this.current !== undefined) {
      // Changed again before a good part: the same changeover, now to the latest product.
      this.current.to = to;
      return;
    }
    this.current = {
      id: undefined,
      startMono: m,
      startWall: this.host.wallOf(m),
      from,
      to,
      trigger: 'product',
      pending: true,
    };
  }

  /** True when a pending changeover has waited `idealMs` by `t`: call activate(). */
  due(t: number, idealMs: number): boolean {
    const c = this.current;
    return c !== undefined && c.pending && t >= c.startMono + idealMs;
  }

  /** The pending changeover becomes active, as of its start; `eventMono`: when that became known. */
  activate(eventMono: number): void {
    const c = this.current;
    if (c === undefined || !c.pending) return;
    this.current = { ...c, id: this.emitStarted(c, eventMono), pending: false };
  }

  /**
   * The first good part of the new product, counted at `eventMono`, began at `endMono`: the
   * changeover ends there (never before it began). A pending one ends with no time lost.
   */
  firstGoodPart(endMono: number, eventMono: number): void {
    const c = this.current;
    if (c?.trigger !== 'product') return;
    const id = c.id ?? this.emitStarted(c, eventMono);
    this.emitEnded({ ...c, id }, c.pending ? c.startMono : Math.max(endMono, c.startMono), eventMono);
    this.current = undefined;
  }

  /** The PLC's changeover bit as read at `m` (stations with one). */
  bit(on: boolean, m: number, product: string | undefined): void {
    const c = this.current;
    if (on && c === undefined) {
      const started: Changeover = {
        id: undefined,
        startMono: m,
        startWall: this.host.wallOf(m),
        from: undefined,
        to: product,
        trigger: 'plc',
        pending: false,
      };
      this.current = { ...started, id: this.emitStarted(started, m) };
    } else if (!on && c !== undefined) {
      this.emitEnded(c, m, m);
      this.current = undefined;
    }
  }

  private targetOf(product: string | undefined): number | undefined {
    return product !== undefined ? this.catalogue.changeoverTargetMs.get(product) : undefined;
  }

  private base(c: Changeover, eventMono: number) {
    const targetMs = this.targetOf(c.to);
    return {
      type: 'changeover' as const,
      id: this.ids.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
      ts: this.host.wallOf(eventMono),
      ...(c.from !== undefined ? { from: c.from } : {}),
      ...(c.to !== undefined ? { to: c.to } : {}),
      start: c.startWall,
      ...(targetMs !== undefined ? { targetMs } : {}),
      planned: this.spec.changeoverPlanned,
      trigger: c.trigger,
    };
  }

  private emitStarted(c: Changeover, eventMono: number): string {
    const { start, targetMs, planned, trigger, ...head } = this.base(c, eventMono);
    // Key order as in the payload docs: phase and id after the head.
    this.host.emit({
      ...head,
      phase: 'started',
      changeoverId: head.id,
      start,
      ...(targetMs !== undefined ? { targetMs } : {}),
      planned,
      trigger,
    });
    return head.id;
  }

  private emitEnded(c: Changeover, endMono: number, eventMono: number): void {
    const { start, targetMs, planned, trigger, ...head } = this.base(c, eventMono);
    this.host.emit({
      ...head,
      phase: 'ended',
      changeoverId: c.id ?? head.id,
      start,
      end: this.host.wallOf(endMono),
      durationMs: Math.max(0, endMono - c.startMono),
      ...(targetMs !== undefined ? { targetMs } : {}),
      planned,
      trigger,
    });
  }

  capture(): { changeover?: ChangeoverCheckpoint } {
    const c = this.current;
    if (c === undefined) return {};
    return {
      changeover: {
        ...(c.id !== undefined ? { id: c.id } : {}),
        startWall: c.startWall,
        ...(c.from !== undefined ? { from: c.from } : {}),
        ...(c.to !== undefined ? { to: c.to } : {}),
        trigger: c.trigger,
        ...(c.pending ? { pending: true } : {}),
      },
    };
  }

  /** A changeover under way at the checkpoint goes on (the agent's absence is comms_lost time). */
  restore(data: ChangeoverCheckpoint | undefined, monoOf: (wall: number) => number): void {
    if (data === undefined) return;
    this.current = {
      id: data.id,
      startMono: monoOf(data.startWall),
      startWall: data.startWall,
      from: data.from,
      to: data.to,
      trigger: data.trigger,
      pending: data.pending === true || data.id === undefined,
    };
  }
}
