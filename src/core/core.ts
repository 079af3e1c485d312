/**
 * The streaming core: samples and comms changes in, events out (src/core/events.ts), a live
 * snapshot and a checkpoint on demand. Pure: time comes from samples and the injected clock; no
 * I/O, no timers (the agent calls tick()). See docs/oee.md for what is counted how.
 *
 * This file routes the input: each sample to the stations its tag is bound to (one frame per poll),
 * comms changes to the stations of the device. Time and the shift calendar are in core-timeline.ts,
 * OEE events in core-oee.ts, event delivery in core-dispatch.ts, the checkpoint in core-checkpoint.ts,
 * the per-line snapshot in line-snapshot.ts.
 */
import type { LinesideConfig } from '../config/schema.js';
import { buildBindings, type Bindings, type TagBinding } from './bindings.js';
import { ShiftCalendar } from './calendar.js';
import type { CoreCheckpoint } from './checkpoint.js';
export type { AssignReasonResult, Core, CoreDeps, CoreDiagnostic } from './core-api.js';
import { ClockGuard, DEFAULT_JUMP_THRESHOLD_MS } from './clock-guard.js';
import { captureCheckpoint, readRestore, restoreStations } from './core-checkpoint.js';
import { EventDispatch } from './core-dispatch.js';
import { OeeEmitter } from './core-oee.js';
import { CoreTimeline } from './core-timeline.js';
import { UNASSIGNED } from './downtime.js';
import type { ActionBy, CoreEvent, EventListener } from './events.js';
import type { AssignReasonResult, Core, CoreDeps, ScrapResult, SetProductResult, UnknownProduct } from './core-api.js';
import { OrderBook, type OrderResult, type OrderSpec } from './line-orders.js';
import { LineSeqs } from './line-seqs.js';
import { LineWaits } from './line-waits.js';
import { lineSnapshots } from './line-snapshot.js';
import type { CommsChange, Sample } from './sample.js';
import type { LineSnapshot } from './snapshot.js';
import { Station, type StationHost } from './station.js';
import type { ShiftWindowView } from './station-accounts.js';

export function createCore(config: LinesideConfig, deps: CoreDeps): Core {
  return new StreamingCore(config, deps);
}

class StreamingCore implements Core, StationHost {
  private readonly bindings: Bindings;
  private readonly byTag: ReadonlyMap<string, TagBinding>;
  private readonly calendar: ShiftCalendar;
  private readonly guard: ClockGuard;
  private readonly out: EventDispatch;
  private readonly oee: OeeEmitter;
  private readonly seqs: LineSeqs;
  private readonly orders: OrderBook;
  private readonly time: CoreTimeline;
  private readonly stations: Station[];
  /** Set once the stations exist (events of their construction have no line picture yet). */
  private waits: LineWaits<Station> | undefined;
  private readonly deviceOk: boolean[];
  private readonly deviceStations: Station[][];

  constructor(
    config: LinesideConfig,
    private readonly deps: CoreDeps,
  ) {
    const clock = deps.clock;
    this.bindings = buildBindings(config);
    this.byTag = this.bindings.byTag;
    this.calendar = new ShiftCalendar(config.shifts);
    const startMono = clock.monoMs();
    this.guard = new ClockGuard(clock.wallMs() - startMono, deps.clockJumpThresholdMs ?? DEFAULT_JUMP_THRESHOLD_MS);
    this.out = new EventDispatch(deps);

    const restored = readRestore(deps.restore, clock, this.out);
    // After a restart, time resumes at the checkpoint: the gap is booked as comms_lost.
    const nowMono = restored !== undefined ? Math.min(this.guard.monoOf(restored.savedAtWall), startMono) : startMono;
    this.seqs = new LineSeqs(this.bindings.lines, restored);
    this.oee = new OeeEmitter(
      this.bindings,
      this.seqs,
      this,
      this.calendar,
      config.agent.oeeInterval,
      startMono,
      config.agent.id,
    );
    this.stations = this.bindings.stations.map((spec, i) => new Station(spec, i, this, nowMono));
    this.orders = new OrderBook(
      this.bindings.lines,
      this.stations,
      this.seqs,
      this.calendar,
      { emit: (e) => this.out.emit(e), wallOf: (m) => this.wallOf(m) },
      restored,
    );
    this.time = new CoreTimeline(this.calendar, this.guard, this.stations, this.out, nowMono);
    this.deviceOk = this.bindings.devices.map(() => false);
    this.deviceStations = this.bindings.devices.map((device) =>
      this.stations.filter((st) => st.spec.devices.includes(device)),
    );
    restoreStations(this.stations, restored, this.time.segment, this.calendar, this.guard, nowMono);
    this.waits = new LineWaits(
      new Map(
        this.bindings.lines.map((line) => [
          line.id,
          line.stations.map((spec) => this.stations[this.bindings.stations.indexOf(spec)] as Station),
        ]),
      ),
    );
    this.waits.changedAll(nowMono);
  }

  // ---- StationHost ------------------------------------------------------------------------------

  emit(event: CoreEvent): void {
    this.out.emit(event);
    if (event.type === 'cycle') this.orders.onCycle(event);
    else if (event.type === 'scrap') this.orders.onScrap(event);
    else if (event.type === 'state' || (event.type === 'downtime' && event.phase === 'started'))
      // A downtime starts just after its state event: the waits it causes follow its id.
      this.waits?.changed(event.line, this.guard.monoOf(event.ts));
  }

  diagnostic(code: string, message: string, context: Record<string, unknown>): void {
    this.out.diagnostic(code, message, context);
  }

  wallOf(mono: number): number {
    return this.guard.wallOf(mono);
  }

  categoryOf(reason: string) {
    return this.bindings.categoryOf(reason);
  }

  get products() {
    return this.bindings.products;
  }

  shiftFinal(st: Station, w: ShiftWindowView, atMono: number): void {
    this.oee.shiftFinal(st, w, atMono, this.stations);
  }

  // ---- input ------------------------------------------------------------------------------------

  sample(s: Sample): void {
    if (this.out.buffering) this.out.start();
    const binding = this.byTag.get(s.tag);
    if (binding === undefined) return;
    const mono = s.mono;
    if (!Number.isFinite(mono) || !Number.isFinite(s.ts)) return;
    const time = this.time;
    time.observe(s.ts, mono);
    const at = time.reach(mono);
    for (let b: TagBinding | undefined = binding; b !== undefined; b = b.next) {
      if (this.deviceOk[b.deviceIndex] !== true) this.deviceUp(b.deviceIndex, at);
      const st = this.stations[b.stationIndex] as Station;
      st.beginFrame(at);
      st.input(b.role, s.value);
    }
  }

  comms(change: CommsChange): void {
    if (this.out.buffering) this.out.start();
    const index = this.bindings.devices.indexOf(change.device);
    if (index < 0 || !Number.isFinite(change.mono)) return;
    if (Number.isFinite(change.ts)) this.time.observe(change.ts, change.mono);
    const mono = this.time.reach(change.mono);
    if (change.ok) {
      // Applied with the first samples of the reconnect (same poll), so no stale values show.
      if (this.deviceOk[index] !== true) this.deviceUp(index, mono);
      return;
    }
    if (this.deviceOk[index] !== true) return;
    this.deviceOk[index] = false;
    for (const st of this.deviceStations[index] as Station[]) {
      st.beginFrame(mono);
      st.deviceLost();
      st.flush();
    }
  }

  private deviceUp(index: number, mono: number): void {
    this.deviceOk[index] = true;
    for (const st of this.deviceStations[index] as Station[]) {
      st.beginFrame(mono);
      st.deviceAnswered();
    }
  }

  tick(): void {
    if (this.out.buffering) this.out.start();
    const clock = this.deps.clock;
    const mono = clock.monoMs();
    this.time.observe(clock.wallMs(), mono);
    const t = this.time.tickTo(mono);
    if (this.oee.periodic(this.stations, t)) this.orders.progress(t);
  }

  // ---- commands and views -------------------------------------------------------------------------

  assignReason(downtimeId: string, reasonId: string, by?: ActionBy): AssignReasonResult {
    if (this.out.buffering) this.out.start();
    if (reasonId !== UNASSIGNED && !this.bindings.reasonIds.has(reasonId)) {
      return { ok: false, code: 'UNKNOWN_REASON', message: `no reason "${reasonId}" in the config's reasons` };
    }
    for (const st of this.stations) {
      const now = Math.max(this.time.nowMono, st.nowMono);
      const record = st.assignReason(downtimeId, reasonId, by, now);
      if (record === undefined) continue;
      this.waits?.reasonAssigned(st.spec.line, downtimeId, reasonId);
      this.oee.reasonChanged(st, record, now, this.stations);
      return { ok: true };
    }
    return { ok: false, code: 'NOT_FOUND', message: `no downtime "${downtimeId}" in the current or previous shift` };
  }

  setProduct(target: { line: string; station?: string }, product: string | null, by?: ActionBy): SetProductResult {
    if (this.out.buffering) this.out.start();
    if (product !== null && !this.bindings.products.ids.has(product)) return unknownProduct(product);
    const stations = this.stations.filter(
      (st) => st.spec.line === target.line && (target.station === undefined || st.id === target.station),
    );
    if (stations.length === 0) {
      const what =
        target.station === undefined ? `line "${target.line}"` : `station "${target.station}" in line "${target.line}"`;
      return { ok: false, code: 'NOT_FOUND', message: `no ${what}` };
    }
    // Up to now first: parts already read count at the product they were made as.
    this.tick();
    return { ok: true, changed: this.applyProduct(stations, product ?? undefined, by) };
  }

  /** Sets the product of `stations` now (time already advanced); returns those whose product changed. */
  private applyProduct(stations: readonly Station[], product: string | undefined, by: ActionBy | undefined): string[] {
    const changed: string[] = [];
    for (const st of stations) {
      if (st.setProduct(product, by, Math.max(this.time.nowMono, st.nowMono))) changed.push(st.id);
    }
    return changed;
  }

  startOrder(line: string, spec: OrderSpec, by?: ActionBy): OrderResult | UnknownProduct {
    if (this.out.buffering) this.out.start();
    if (spec.product !== undefined && !this.bindings.products.ids.has(spec.product))
      return unknownProduct(spec.product);
    // Up to now first: parts already read belong to whatever ran before.
    this.tick();
    const result = this.orders.start(line, spec, by, this.time.nowMono);
    if (result.ok && result.order.product !== undefined)
      this.applyProduct(
        this.stations.filter((st) => st.spec.line === line),
        result.order.product,
        by,
      );
    return result;
  }

  stopOrder(line: string, by?: ActionBy): OrderResult {
    if (this.out.buffering) this.out.start();
    this.tick();
    return this.orders.stop(line, by, this.time.nowMono);
  }

  recordScrap(station: string, reason: string, count: number, by?: ActionBy): ScrapResult {
    if (this.out.buffering) this.out.start();
    const st = this.stations.find((s) => s.id === station);
    if (st === undefined) return { ok: false, code: 'NOT_FOUND', message: `no station "${station}"` };
    if (!this.bindings.scrapReasonIds.has(reason))
      return {
        ok: false,
        code: 'UNKNOWN_SCRAP_REASON',
        message: `no scrap reason "${reason}" in the config's scrapReasons`,
      };
    this.tick();
    const short = st.scrapGood(count, reason, by, Math.max(this.time.nowMono, st.nowMono));
    if (short !== undefined)
      return {
        ok: false,
        code: 'NOT_ENOUGH_GOOD',
        message: `station "${station}" counted ${short} good part(s) this shift; ${count} cannot be scrapped`,
      };
    return { ok: true, count };
  }

  snapshot(): LineSnapshot[] {
    return lineSnapshots(this.bindings.lines, this.stations, {
      nowMono: this.time.nowMono,
      calendar: this.calendar,
      segment: this.time.segment,
      wallOf: (m) => this.wallOf(m),
      previousShift: (st) => this.oee.previousView(st),
      orderOf: (line) => this.orders.runningView(line, this.time.nowMono),
    });
  }

  checkpoint(options: { withRolling?: boolean } = {}): CoreCheckpoint {
    if (this.out.buffering) this.out.start();
    this.time.flushInTimeOrder();
    const wallOf = (m: number): number => this.wallOf(m);
    const lines: CoreCheckpoint['lines'] = {};
    for (const line of this.bindings.lines)
      lines[line.id] = { seq: this.seqs.seqOf(line.id), orders: this.orders.capture(line.id) };
    return captureCheckpoint(this.stations, lines, this.time.nowMono, wallOf, options.withRolling ?? true);
  }

  on(listener: EventListener): () => void {
    return this.out.on(listener);
  }
}

function unknownProduct(product: string): UnknownProduct {
  return { ok: false, code: 'UNKNOWN_PRODUCT', message: `no product "${product}" in the config's products` };
}
