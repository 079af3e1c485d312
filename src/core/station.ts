/**
 * One station's state machine (docs/oee.md), fed by "frames": the samples of one poll (same
 * monotonic time) are applied together, so a running bit that falls in the same read as a fault
 * code is set gives one transition to `down`, not a small stop first.
 *
 * Raw state, by precedence: comms_lost > planned_stop (calendar, then the PLC bit) > changeover
 * (station-changeover.ts) > down (fault code) > blocked > starved > stop > running. A "stop" is
 * time stopped with none of the higher signals set; each contiguous stop is labelled `small_stop`
 * until it lasts microStopThreshold, then `down` ("unassigned") from its start. Stopped means the
 * running bit is low, or no cycle for stoppedAfterIdealCycles x idealCycleTime since the last
 * cycle (or since the station last turned running): a "gap stop", back-dated to that point and
 * ended by the next cycle, at its end minus the ideal cycle time. Gap stops apply with or without
 * a running bit (a PLC may hold its bit on while it waits for material or an operator), unless
 * the station trusts its bit (trustRunningBit).
 *
 * Time is booked when an interval closes, or when a shift window must be finalized; the open
 * interval is added on top when figures are read live. A shift's final figures wait until nothing
 * before its end can still change (a small stop may still become downtime, a stop may still be
 * back-dated): at most microStopThreshold + a few cycles after the shift ends.
 *
 * This file stays over 300 lines on purpose: signals, counters, cycles, products, changeovers, the
 * open interval and the checkpoint books already live in station-*.ts, and what is left is one
 * state machine whose back-dating (gap stops: anchorMono, gapStopped; changeovers: their wait, the
 * states they hide) is woven through advanceTo, certainUntil, cycles, reclassify and transition, so
 * a further cut would only expose that private state.
 */
import type { ShiftInstance } from './calendar.js';
import type { StationCheckpoint } from './checkpoint.js';
import type { ShiftWindowView } from './station-accounts.js';
import { StationAccounts } from './station-accounts.js';
import { DowntimeLog, type DowntimeRecord } from './downtime.js';
import type { StationSpec } from './bindings.js';
import type { RollingView } from './rolling.js';
import { StationCounters } from './station-counters.js';
import { captureBooks, restoreBooks, type RestoreContext } from './station-checkpoint.js';
import { StationCycles } from './station-cycles.js';
import { OpenInterval, type EventHost, type OpenIntervalView, type RawKind } from './station-interval.js';
import { StationSignals } from './station-signals.js';
import { StationChangeover, type ChangeoverView } from './station-changeover.js';
import { StationProduct } from './station-product.js';
import { StationScrap } from './station-scrap.js';
import { StationStartup } from './station-startup.js';
import type { ActionBy, CoreEvent } from './events.js';
import type { WaitCause } from './line-waits.js';
import { CHANGEOVER_REASON, R_PRODUCT, R_SCRAP, type ProductCatalogue } from './bindings.js';

export const PLC_PLANNED_STOP = 'plc_planned_stop';

export interface StationHost extends EventHost {
  readonly products: ProductCatalogue;
  diagnostic(code: string, message: string, context: Record<string, unknown>): void;
  /** A shift window's figures are final. */
  shiftFinal(station: Station, window: ShiftWindowView, atMono: number): void;
}

export class Station {
  private readonly accounts = new StationAccounts();
  private readonly downtimes = new DowntimeLog();
  private lastSeq = 0;

  /** Signals as last read (written by input(), read at flush). */
  private readonly signals: StationSignals;
  private calendarPlanned: string | undefined = undefined;
  private devicesDown: number;

  // The poll being assembled.
  private frameMono = 0;
  private frameDirty = false;

  // Parts and cycles.
  private readonly counters: StationCounters;
  private readonly parts: StationCycles;
  private readonly product: StationProduct;
  private readonly changeover: StationChangeover;
  private readonly scrap: StationScrap;
  private readonly startup: StationStartup;
  /** Cycle-gap stop detection: stopped when no cycle since anchor for stopAfterMs. */
  private anchorMono = 0;
  private gapStopped = false;

  /** The open state interval. */
  private readonly open: OpenInterval;
  /** Latest time processed. */
  private latestMono: number;

  constructor(
    readonly spec: StationSpec,
    readonly index: number,
    private readonly host: StationHost,
    startMono: number,
  ) {
    this.devicesDown = spec.devices.length;
    const report = (code: string, message: string, context: Record<string, unknown>): void =>
      host.diagnostic(code, message, context);
    this.counters = new StationCounters(spec, report, (a) => this.parts.counterAnomaly(a));
    this.signals = new StationSignals(spec, this.counters, report);
    this.product = new StationProduct(spec, host.products, host, this, report);
    this.startup = new StationStartup(spec);
    // The start-up window follows the station's own changeover events.
    const changeoverHost = {
      emit: (e: CoreEvent): void => {
        if (e.type === 'changeover') this.startup.onChangeover(e);
        host.emit(e);
      },
      wallOf: (m: number): number => host.wallOf(m),
      categoryOf: (reason: string) => host.categoryOf(reason),
    };
    this.changeover = new StationChangeover(spec, host.products, changeoverHost, this);
    this.scrap = new StationScrap(spec, this.counters, report);
    this.parts = new StationCycles(spec, host, this, this.accounts, this.counters, (rejects, m) => ({
      reasons: this.scrap.reasonsOf(rejects),
      startup: this.startup.isStartup(host.wallOf(m)),
    }));
    this.open = new OpenInterval(spec, host, this, this.accounts, this.downtimes, startMono);
    this.latestMono = startMono;
    this.anchorMono = startMono;
  }

  get id(): string {
    return this.spec.id;
  }

  /** Sequence number of the station's last event. */
  get seq(): number {
    return this.lastSeq;
  }

  nextId(): string {
    this.lastSeq++;
    return `${this.spec.id}-${String(this.lastSeq).padStart(9, '0')}`;
  }

  // ---- what readers see -----------------------------------------------------------------------

  /** Latest time processed. */
  get nowMono(): number {
    return this.latestMono;
  }

  get interval(): OpenIntervalView {
    return this.open;
  }

  /** False while any device the station depends on is not answering. */
  get commsOk(): boolean {
    return this.devicesDown === 0;
  }

  /** Wall ms of the last completed cycle. */
  get lastCycleWall(): number | undefined {
    return this.parts.lastWall;
  }

  /** The product running now (products[].id), if any. */
  get productId(): string | undefined {
    return this.product.id;
  }

  /** The changeover under way, if any. */
  get changeoverView(): ChangeoverView | undefined {
    return this.changeover.view;
  }

  /** The ideal cycle time now: the running product's, else the station's own. */
  get idealMs(): number {
    return this.product.idealMs;
  }

  get lastCycleTimeMs(): number | undefined {
    return this.parts.lastCycleTimeMs;
  }

  get currentShift(): ShiftWindowView | undefined {
    return this.accounts.current;
  }

  /** The last finalized shift. */
  get previousShift(): ShiftWindowView | undefined {
    return this.accounts.previous;
  }

  get rolling(): RollingView {
    return this.accounts.rolling;
  }

  /** Downtime records overlapping [fromMono, toMono) (open ones reach to `toMono`). */
  downtimesOverlapping(fromMono: number, toMono: number): number {
    return this.downtimes.countOverlapping(fromMono, toMono);
  }

  // ---- input ------------------------------------------------------------------------------------

  /** Starts (or continues) the frame at `mono`; an older pending frame is applied first. */
  beginFrame(mono: number): void {
    if (mono < this.latestMono) mono = this.latestMono;
    if (this.frameDirty && mono !== this.frameMono) this.flush();
    this.frameMono = mono;
    this.frameDirty = true;
  }

  /** One sample's value for one role; call beginFrame first. */
  input(role: number, value: number | boolean | string): void {
    if (role === R_PRODUCT) this.product.offerCode(value);
    else if (role >= R_SCRAP) this.scrap.offer(role - R_SCRAP, value);
    else this.signals.input(role, value);
  }

  /** Applies the pending frame: time-driven changes up to it, then its counters and signals. */
  flush(): void {
    if (!this.frameDirty) return;
    this.frameDirty = false;
    const m = this.frameMono;
    this.advanceTo(m);
    // Parts read with a new product code were made before the change: they count at the old ideal.
    const parts = this.counters.take(m);
    this.scrap.take(m);
    if (parts > 0) this.cycles(parts, m);
    const before = this.product.id;
    if (this.product.applyCode(m)) this.changeover.productChanged(before, this.product.id, m);
    this.reclassify(m);
    this.tryFinalize(m);
  }

  get pendingFrameMono(): number | undefined {
    return this.frameDirty ? this.frameMono : undefined;
  }

  // ---- time -------------------------------------------------------------------------------------

  /** Processes stop detection and small-stop promotion up to `t`, then shift finalization. */
  advanceTo(t: number): void {
    if (t < this.latestMono) t = this.latestMono;
    const spec = this.spec;
    const open = this.open;
    const ideal = this.product.idealMs;
    const stopAfterMs = spec.stoppedAfterIdealCycles * ideal;
    // Time-driven changes in time order: each step may enable or cancel the others.
    for (;;) {
      const gapAt = spec.gapDetection && open.kind === 'running' ? this.anchorMono + stopAfterMs : Infinity;
      const pending = this.changeover.pendingSince;
      const changeoverAt = pending !== undefined ? pending + ideal : Infinity;
      // The next part may still end a gap stop one ideal cycle back: only then is it sure to be downtime.
      const promoteAt =
        open.kind === 'stop' && open.state === 'small_stop'
          ? open.sinceMono + spec.microStopThresholdMs + (this.gapStopped ? ideal : 0)
          : Infinity;
      const first = Math.min(gapAt, changeoverAt, promoteAt);
      if (first === gapAt && t > gapAt) {
        this.gapStopped = true;
        this.transition('stop', undefined, this.anchorMono, gapAt);
      } else if (first === changeoverAt && t >= changeoverAt) {
        // No part of the new product within one ideal cycle: the changeover ran from the change.
        this.changeover.activate(changeoverAt);
        this.reclassify(changeoverAt, pending);
      } else if (first === promoteAt && t >= promoteAt) open.promote(promoteAt);
      else break;
    }
    this.latestMono = t;
    this.tryFinalize(t);
  }

  /** Time before which nothing can change any more (see the class comment). */
  private certainUntil(t: number): number {
    // A pending changeover is back-dated to the product change if it becomes active.
    return Math.min(this.changeover.pendingSince ?? t, this.certainOfStops(t));
  }

  private certainOfStops(t: number): number {
    const open = this.open;
    if (open.state === 'small_stop') return open.sinceMono;
    if (this.spec.gapDetection) {
      if (open.kind === 'running') return this.anchorMono;
      // A cycle may still end this stop up to one ideal cycle back (never before it began).
      if (open.kind === 'stop' && this.gapStopped) return Math.max(open.sinceMono, t - this.product.idealMs);
    }
    return t;
  }

  private tryFinalize(t: number): void {
    const pending = this.accounts.pending;
    // Not at the boundary itself: a read at that very instant still reports parts of the shift.
    if (pending === undefined || t <= pending.endMono || this.certainUntil(t) < pending.endMono) return;
    this.finalizePending(t);
  }

  private finalizePending(t: number): void {
    const pending = this.accounts.pending;
    if (pending === undefined) return;
    this.open.bookUntil(pending.endMono);
    this.accounts.finalizePending();
    this.host.shiftFinal(this, pending, t);
    // Keep downtimes of the shift just finalized (operators re-assign them) and the last hour.
    this.downtimes.prune(Math.min(pending.startMono, t - 3_600_000));
  }

  /** The calendar changed at `atMono` (call advanceTo(atMono) first). */
  calendarChanged(shift: ShiftInstance | undefined, planned: string | undefined, atMono: number): void {
    const current = this.accounts.current;
    if (current !== undefined && current.instance.key !== shift?.key) {
      if (this.accounts.pending !== undefined) this.finalizePending(atMono);
      this.accounts.endCurrent(atMono);
    }
    if (shift !== undefined && this.accounts.current === undefined) this.accounts.openWindow(shift, atMono);
    this.calendarPlanned = planned;
    this.reclassify(atMono);
    this.tryFinalize(atMono);
  }

  // ---- cycles -------------------------------------------------------------------------------------

  /** `n` parts completed in the frame at `m`. */
  private cycles(n: number, m: number): void {
    const spec = this.spec;
    const ideal = this.product.idealMs;
    const good = this.parts.record(n, m, this.product.id, ideal);
    if (good > 0 && this.changeover.awaitsGoodPart) this.endChangeover(m, ideal);
    this.startup.goodCounted(good);
    if (spec.gapDetection) {
      const open = this.open;
      // Only a gap stop ends with a part: a low running bit still says stopped.
      if (open.kind === 'stop' && this.gapStopped) {
        // The stop ends when the first of these parts started: its end minus the ideal cycle.
        const end = Math.max(open.bookedUntil, open.sinceMono, m - n * ideal);
        this.gapStopped = false;
        this.transition('running', undefined, end, m);
      }
      this.anchorMono = m;
    }
  }

  /**
   * The first good part of the new product, counted at `m`, ends the changeover when that part
   * began (its end minus the ideal cycle time), as a part ends a gap stop; the station runs from
   * then (the reclassification that follows applies any other signal).
   */
  private endChangeover(m: number, ideal: number): void {
    const open = this.open;
    const ownsInterval = open.rawReason === CHANGEOVER_REASON;
    // Not in changeover time (it waits after a break, or a comms loss hides it): the part began at m - ideal all the same.
    const end = ownsInterval ? Math.max(open.bookedUntil, open.sinceMono, m - ideal) : m - ideal;
    const steps = ownsInterval ? this.changeover.underlyingFrom(end) : [];
    this.changeover.firstGoodPart(end, m);
    for (const step of steps) this.transition(step.kind, step.reason, step.at, m);
  }

  // ---- states -------------------------------------------------------------------------------------

  /**
   * False when a changeover under way would resume at `at` after a planned stop or comms loss: it
   * waits one ideal cycle first (a part begun before may end it), and the signals decide meanwhile.
   */
  private resumesChangeover(at: number): boolean {
    const open = this.open;
    const interrupted =
      open.kind === 'comms_lost' || (open.kind === 'planned_stop' && open.rawReason !== CHANGEOVER_REASON);
    if (!interrupted) return true;
    this.changeover.resume(at);
    return false;
  }

  /** Applies the signals as of `at`; a change of state begins at `since` (default: `at`). */
  private reclassify(at: number, since = at): void {
    const sig = this.signals;
    if (this.spec.hasChangeoverBit && this.devicesDown === 0)
      this.changeover.bit(sig.changeoverBit, at, this.product.id);
    let kind: RawKind;
    let reason: string | undefined;
    if (this.devicesDown > 0) kind = 'comms_lost';
    else if (this.calendarPlanned !== undefined) {
      kind = 'planned_stop';
      reason = this.calendarPlanned;
    } else if (sig.plannedBit) {
      kind = 'planned_stop';
      reason = PLC_PLANNED_STOP;
    } else {
      const lower = this.lowerState();
      if (this.changeover.running && this.resumesChangeover(at)) {
        kind = this.changeoverKind;
        reason = CHANGEOVER_REASON;
        // What the changeover hides: it applies from the changeover's (back-dated) end.
        this.changeover.noteUnderlying(at, lower.kind, lower.reason);
      } else {
        kind = lower.kind;
        reason = lower.reason;
      }
    }
    if (this.holdsForChangeover(kind)) return;
    if (kind === 'comms_lost' || kind === 'planned_stop') this.interruptChangeover(at);
    this.transition(kind, reason, since, at);
  }

  /** The state by the signals below planned stops and changeovers: fault, blocked, starved, stop, running. */
  private lowerState(): { kind: RawKind; reason: string | undefined } {
    const lower = this.signals.lowerState(this.gapStopped);
    // A low running bit owns the stop now: it ends when the bit rises, not at the next part.
    if (this.signals.runningBit === false) this.gapStopped = false;
    return lower;
  }

  /**
   * A planned stop or comms loss comes while a changeover waits its ideal cycle: no good part came
   * in the wait, and none can come in the stop, so it counts from its start (a part in the machine
   * ends it later, after the stop, where it began).
   */
  private interruptChangeover(at: number): void {
    const from = this.changeover.pendingSince;
    if (from === undefined) return;
    this.changeover.activate(at);
    if (from < at) this.transition(this.changeoverKind, CHANGEOVER_REASON, from, at);
  }

  /** How changeover time is booked: setup downtime, or planned stop (the line's changeovers.planned). */
  private get changeoverKind(): RawKind {
    return this.spec.changeoverPlanned ? 'planned_stop' : 'down';
  }

  /**
   * While a changeover waits its ideal cycle, the station keeps the state it had: if the changeover
   * then counts, it is back-dated over that wait, which a state change inside it would cut short.
   * Planned stops and comms loss still apply at once (and end the wait's state themselves).
   */
  private holdsForChangeover(kind: RawKind): boolean {
    if (this.changeover.pendingSince === undefined) return false;
    const lower = (k: RawKind): boolean => k !== 'comms_lost' && k !== 'planned_stop';
    return lower(kind) && lower(this.open.kind);
  }

  /** Closes the open interval at `since` (never before booked time) and opens `kind`. */
  private transition(kind: RawKind, rawReason: string | undefined, since: number, eventMono: number): void {
    const open = this.open;
    if (open.is(kind, rawReason)) return;
    if (since < open.bookedUntil) since = open.bookedUntil;
    if (kind !== 'stop' && kind !== 'running') this.gapStopped = false;
    if (kind === 'running') this.anchorMono = Math.max(this.anchorMono, since);
    if (kind === 'comms_lost') this.parts.forgetLastEnd();
    open.replace(kind, rawReason, since, eventMono, this.signals.faultCode);
  }

  // ---- commands ---------------------------------------------------------------------------------

  /**
   * An operator scrapped `count` parts counted good in the current shift, for `reason`. Returns the
   * shift's good parts when there are fewer than `count` (nothing is moved), else undefined.
   */
  scrapGood(count: number, reason: string, by: ActionBy | undefined, nowMono: number): number | undefined {
    const w = this.accounts.current;
    const good = w?.acc.good ?? 0;
    if (w === undefined || good < count) return good;
    w.acc.scrapGood(count, reason);
    this.host.emit({
      type: 'scrap',
      id: this.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.seq,
      ts: this.host.wallOf(nowMono),
      reason,
      count,
      shift: w.instance.name,
      ...(by !== undefined ? { by } : {}),
    });
    return undefined;
  }

  /**
   * An operator assigned a reason to downtime `downtimeId`; undefined when it is not one of this
   * station's (kept) downtimes.
   */
  assignReason(
    downtimeId: string,
    reason: string,
    by: ActionBy | undefined,
    nowMono: number,
  ): Readonly<DowntimeRecord> | undefined {
    const d = this.downtimes.get(downtimeId);
    if (d !== undefined) this.open.assignReason(d, reason, by, nowMono);
    return d;
  }

  /**
   * The line found who this station waits for (line-waits.ts) as of `atMono`; its time before that
   * is booked to the cause it had. Polls are applied in time order across stations, but what may
   * still be back-dated (a pending changeover to its product change, a stop to its anchor) is not
   * booked: that part goes to the new cause rather than moving the back-dated start.
   */
  attributeWait(cause: WaitCause | undefined, atMono: number): void {
    this.open.attributeWait(cause, this.certainUntil(atMono));
  }

  /** Waits this station's downtime `downtimeId` caused elsewhere follow its re-assigned reason. */
  renameWaitReason(downtimeId: string, reason: string): void {
    this.accounts.renameWaitReason(downtimeId, reason);
    this.open.renameWaitReason(downtimeId, reason);
  }

  /** An operator set the product (undefined: none); false when it already ran. */
  setProduct(product: string | undefined, by: ActionBy | undefined, nowMono: number): boolean {
    const before = this.product.id;
    if (!this.product.set(product, nowMono, by)) return false;
    this.changeover.productChanged(before, this.product.id, nowMono);
    this.reclassify(nowMono);
    return true;
  }

  /** A device the station depends on stopped answering; reclassified at the next flush. */
  deviceLost(): void {
    this.devicesDown++;
  }

  /** A device the station depends on answers again; reclassified at the next flush. */
  deviceAnswered(): void {
    this.devicesDown = Math.max(0, this.devicesDown - 1);
  }

  // ---- checkpoint -------------------------------------------------------------------------------

  /** The station's checkpoint (mono -> wall); `withRolling: false` leaves the rolling buckets out. */
  capture(wallOf: (mono: number) => number, withRolling = true): StationCheckpoint {
    const books = captureBooks(this.accounts, this.downtimes, wallOf, withRolling);
    // Key order is the checkpoint's byte layout: keep it.
    return {
      seq: this.lastSeq,
      ...this.counters.capture(wallOf),
      ...this.parts.capture(),
      ...(this.product.id !== undefined ? { product: this.product.id } : {}),
      ...this.changeover.capture(),
      ...this.scrap.capture(wallOf),
      ...this.startup.capture(),
      open: this.open.capture(wallOf),
      ...books.windows,
      rolling: books.rolling,
      downtimes: books.downtimes,
    };
  }

  /**
   * Restores a new station from a checkpoint and turns it comms_lost at the checkpoint time (every
   * device is unknown until it answers again): the open interval is booked up to then, a downtime
   * ends there, and whatever happened while the agent was not running is unknown.
   */
  restore(data: StationCheckpoint, ctx: RestoreContext): void {
    const { monoOf, savedMono } = ctx;
    this.lastSeq = data.seq;
    this.counters.restore(data, monoOf, savedMono);
    this.parts.restore(data);
    this.product.restore(data.product);
    this.changeover.restore(data.changeover, monoOf);
    this.scrap.restore(data.scrap, monoOf, savedMono);
    this.startup.restore(data.startup);
    const downtimes = restoreBooks(this.accounts, this.downtimes, data, ctx, this.spec.idealCycleTimeMs);
    this.open.restore(data.open, (id) => downtimes.get(id), monoOf, savedMono);
    this.latestMono = savedMono;
    this.anchorMono = savedMono;
    this.reclassify(savedMono);
  }

  /**
   * At start-up, after any restore: opens the window of the shift the calendar is in (unless one
   * was restored) and notes the planned stop in force. No reclassification: every device is still
   * unknown, so the station stays comms_lost until one answers.
   */
  resumeCalendar(shift: ShiftInstance | undefined, shiftStartMono: number, planned: string | undefined): void {
    if (shift !== undefined && this.accounts.current === undefined) this.accounts.openWindow(shift, shiftStartMono);
    this.calendarPlanned = planned;
  }
}
