/**
 * A station's changeover (docs/oee.md#changeovers): from a product change to the first good part
 * of the new product, or, when the PLC has a changeover bit, while that bit is on.
 *
 * A product change is first only "pending": if the first good part of the new product comes
 * within one of its ideal cycles, that part was already being made when the code changed and no
 * time was lost (a changeover of 0). Otherwise, one ideal cycle after the change, the changeover
 * becomes active, back-dated to the change, and the station's time is changeover time (setup
 * downtime, or planned stop by config) until the first good part, taken as that part's end minus
 * its ideal cycle time. The same wait applies when a changeover resumes after a break or a comms
 * loss: a part begun before may end it. This class keeps the changeover and emits its
 * started/ended events.
 */
import type { ProductCatalogue, StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import type { EventHost, EventIds, RawKind } from './station-interval.js';

/** The state a changeover hides, from `at` on. */
export interface Underlying {
  readonly at: number;
  readonly kind: RawKind;
  readonly reason: string | undefined;
}

/** Changes of the hidden state kept per changeover (only the last ones matter: its end is recent). */
const MAX_UNDERLYING = 32;

interface Changeover {
  readonly id: string | undefined;
  readonly startMono: number;
  readonly startWall: number;
  readonly from: string | undefined;
  to: string | undefined;
  readonly trigger: 'product' | 'plc';
  /** Waiting since then for one ideal cycle before it counts (see above); undefined: active. */
  readonly pendingFrom: number | undefined;
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
  private readonly underlying: Underlying[] = [];

  constructor(
    private readonly spec: StationSpec,
    private readonly catalogue: ProductCatalogue,
    private readonly host: EventHost,
    private readonly ids: EventIds,
  ) {}

  /** A changeover is active: the station's time is changeover time. */
  get running(): boolean {
    return this.current !== undefined && this.current.pendingFrom === undefined;
  }

  /** Since when a changeover waits to count (time after it may still be re-classified). */
  get pendingSince(): number | undefined {
    return this.current?.pendingFrom;
  }

  /** A product changeover (pending or active) waits for its first good part. */
  get awaitsGoodPart(): boolean {
    return this.current?.trigger === 'product';
  }

  get view(): ChangeoverView | undefined {
    const c = this.current;
    if (c === undefined || c.pendingFrom !== undefined) return undefined;
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
      pendingFrom: m,
    };
  }

  /** True when a pending changeover has waited `idealMs` by `t`: call activate(). */
  due(t: number, idealMs: number): boolean {
    const c = this.current;
    return c?.pendingFrom !== undefined && t >= c.pendingFrom + idealMs;
  }

  /** The pending changeover counts from its pendingSince; `eventMono`: when that became known. */
  activate(eventMono: number): void {
    const c = this.current;
    if (c?.pendingFrom === undefined) return;
    this.current = { ...c, id: c.id ?? this.emitStarted(c, eventMono), pendingFrom: undefined };
  }

  /** The state the active changeover hides at `at` (a change of it is kept). */
  noteUnderlying(at: number, kind: RawKind, reason: string | undefined): void {
    const last = this.underlying[this.underlying.length - 1];
    if (last !== undefined && last.kind === kind && last.reason === reason) return;
    if (this.underlying.length >= MAX_UNDERLYING) this.underlying.shift();
    this.underlying.push({ at, kind, reason });
  }

  /**
   * The hidden states from `end` on: the one in force at `end`, then each later change (applied
   * when the changeover ends back-dated to `end`). Running when none was noted.
   */
  underlyingFrom(end: number): Underlying[] {
    const list = this.underlying;
    let i = 0;
    while (i + 1 < list.length && (list[i + 1] as Underlying).at <= end) i++;
    const first = list[i];
    if (first === undefined) return [{ at: end, kind: 'running', reason: undefined }];
    return [{ ...first, at: end }, ...list.slice(i + 1)];
  }

  /** A product changeover resumes at `m` after a planned stop or comms loss: it waits again. */
  resume(m: number): void {
    const c = this.current;
    if (c?.trigger === 'product' && c.pendingFrom === undefined) this.current = { ...c, pendingFrom: m };
  }

  /**
   * The first good part of the new product, counted at `eventMono`, began at `endMono`: the
   * changeover ends there (never before it began). A pending one ends with no time lost.
   */
  firstGoodPart(endMono: number, eventMono: number): void {
    const c = this.current;
    if (c?.trigger !== 'product') return;
    const id = c.id ?? this.emitStarted(c, eventMono);
    // Never announced: the part was already in the machine at the change, a changeover of 0.
    this.emitEnded({ ...c, id }, c.id === undefined ? c.startMono : Math.max(endMono, c.startMono), eventMono);
    this.current = undefined;
    this.underlying.length = 0;
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
        pendingFrom: undefined,
      };
      this.current = { ...started, id: this.emitStarted(started, m) };
    } else if (!on && c !== undefined) {
      this.emitEnded({ ...c, id: c.id ?? this.emitStarted(c, m) }, m, m);
      this.current = undefined;
      this.underlying.length = 0;
    }
  }

  private targetOf(product: string | undefined): number | undefined {
    return product !== undefined ? this.catalogue.changeoverTargetMs.get(product) : undefined;
  }

  private head(eventMono: number) {
    return {
      type: 'changeover' as const,
      id: this.ids.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
      ts: this.host.wallOf(eventMono),
    };
  }

  /** What both of a changeover's events carry after its phase and id. */
  private body(c: Changeover) {
    const targetMs = this.targetOf(c.to);
    return {
      ...(c.from !== undefined ? { from: c.from } : {}),
      ...(c.to !== undefined ? { to: c.to } : {}),
      start: c.startWall,
      ...(targetMs !== undefined ? { targetMs } : {}),
      planned: this.spec.changeoverPlanned,
      trigger: c.trigger,
    };
  }

  private emitStarted(c: Changeover, eventMono: number): string {
    const head = this.head(eventMono);
    this.host.emit({ ...head, phase: 'started', changeoverId: head.id, ...this.body(c) });
    return head.id;
  }

  private emitEnded(c: Changeover & { readonly id: string }, endMono: number, eventMono: number): void {
    this.host.emit({
      ...this.head(eventMono),
      phase: 'ended',
      changeoverId: c.id,
      ...this.body(c),
      end: this.host.wallOf(endMono),
      durationMs: Math.max(0, endMono - c.startMono),
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
        ...(c.pendingFrom !== undefined ? { pending: true } : {}),
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
      // A restart is a comms loss: the changeover waits again when the station answers.
      pendingFrom: data.pending === true ? monoOf(data.startWall) : undefined,
    };
  }
}
