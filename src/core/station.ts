/**
 * One station's state machine (docs/oee.md), fed by "frames": the samples of one poll (same
 * monotonic time) are applied together, so a running bit that falls in the same read as a fault
 * code is set gives one transition to `down`, not a small stop first.
 *
 * Raw state, by precedence: comms_lost > planned_stop (calendar, then the PLC bit) > down (fault
 * code) > blocked > starved > stop > running. A "stop" is time stopped with none of the higher
 * signals set; each contiguous stop is labelled `small_stop` until it lasts microStopThreshold,
 * then `down` ("unassigned") from its start. Stopped means the running bit is low, or, without a
 * running bit, no cycle for stoppedAfterIdealCycles x idealCycleTime since the last cycle (or since
 * a higher state ended): such a stop is back-dated to that point and ends at the next cycle's end
 * minus the ideal cycle time.
 *
 * Time is booked when an interval closes, or when a shift window must be finalized; the open
 * interval is added on top when figures are read live. A shift's final figures wait until nothing
 * before its end can still change (a small stop may still become downtime, a stop may still be
 * back-dated): at most microStopThreshold + a few cycles after the shift ends.
 */
import type { LossCategory } from '../config/schema.js';
import { S_COMMS, S_DOWN, S_PLANNED, S_RUNNING, S_SMALL_STOP, STATES, S_STARVED, S_BLOCKED } from './accumulator.js';
import type { ShiftInstance } from './calendar.js';
import type { ShiftWindow } from './station-accounts.js';
import { StationAccounts } from './station-accounts.js';
import { DowntimeLog, UNASSIGNED, type DowntimeRecord } from './downtime.js';
import type { StationSpec } from './bindings.js';
import { StationCounters, type CounterAnomaly } from './station-counters.js';
import { StationSignals } from './station-signals.js';
import type { ActionBy, CoreEvent, DowntimeEvent } from './events.js';

export const K_COMMS = 0;
export const K_PLANNED = 1;
export const K_DOWN = 2;
export const K_BLOCKED = 3;
export const K_STARVED = 4;
export const K_STOP = 5;
export const K_RUNNING = 6;

/** Label (state index) of each raw kind before promotion. */
const LABEL_OF_KIND = [S_COMMS, S_PLANNED, S_DOWN, S_BLOCKED, S_STARVED, S_SMALL_STOP, S_RUNNING];
export const PLC_PLANNED_STOP = 'plc_planned_stop';

export interface StationHost {
  emit(event: CoreEvent): void;
  diagnostic(code: string, message: string, context: Record<string, unknown>): void;
  wallOf(mono: number): number;
  categoryOf(reason: string): LossCategory;
  /** A shift window's figures are final. */
  shiftFinal(station: Station, window: ShiftWindow, atMono: number): void;
}

export class Station {
  readonly accounts = new StationAccounts();
  readonly downtimes = new DowntimeLog();
  seq = 0;

  /** Signals as last read (written by input(), read at flush). */
  readonly signals: StationSignals;
  calendarPlanned: string | undefined = undefined;
  devicesDown: number;

  // The poll being assembled.
  private frameMono = 0;
  private frameDirty = false;

  // Parts and cycles.
  readonly counters: StationCounters;
  /** End of the last cycle for cycle-time purposes; undefined after a gap in knowledge. */
  lastCycleEndMono: number | undefined = undefined;
  lastCycleWall: number | undefined = undefined;
  lastCycleTimeMs: number | undefined = undefined;
  /** Cycle-gap stop detection: stopped when no cycle since anchor for stopAfterMs. */
  anchorMono = 0;
  gapStopped = false;
  private readonly unknownFaults = new Set<number>();

  // The open state interval.
  openKind = K_COMMS;
  openRawReason: string | undefined = undefined;
  openLabel = S_COMMS;
  openReason: string | undefined = undefined;
  openSinceMono: number;
  openSinceWall: number;
  /** Time before this is booked. */
  openAccounted: number;
  openDowntime: DowntimeRecord | undefined = undefined;
  /** Latest time processed. */
  nowMono: number;

  constructor(
    readonly spec: StationSpec,
    readonly index: number,
    private readonly host: StationHost,
    startMono: number,
  ) {
    this.devicesDown = spec.devices.length;
    const report = (code: string, message: string, context: Record<string, unknown>): void => host.diagnostic(code, message, context);
    this.counters = new StationCounters(spec, report, (a) => this.emitCounterAnomaly(a));
    this.signals = new StationSignals(spec, this.counters, report);
    this.openSinceMono = startMono;
    this.openSinceWall = host.wallOf(startMono);
    this.openAccounted = startMono;
    this.nowMono = startMono;
    this.anchorMono = startMono;
  }

  get id(): string {
    return this.spec.id;
  }

  nextId(): string {
    this.seq++;
    return `${this.spec.id}-${String(this.seq).padStart(9, '0')}`;
  }

  // ---- input ------------------------------------------------------------------------------------

  /** Starts (or continues) the frame at `mono`; an older pending frame is applied first. */
  beginFrame(mono: number): void {
    if (mono < this.nowMono) mono = this.nowMono;
    if (this.frameDirty && mono !== this.frameMono) this.flush();
    this.frameMono = mono;
    this.frameDirty = true;
  }

  /** One sample's value for one role; call beginFrame first. */
  input(role: number, value: number | boolean | string): void {
    this.signals.input(role, value);
  }

  /** Applies the pending frame: time-driven changes up to it, then its counters and signals. */
  flush(): void {
    if (!this.frameDirty) return;
    this.frameDirty = false;
    const m = this.frameMono;
    this.advanceTo(m);
    const parts = this.counters.take(m);
    if (parts > 0) this.cycles(parts, m);
    this.reclassify(m);
    this.tryFinalize(m);
  }

  get pendingFrameMono(): number | undefined {
    return this.frameDirty ? this.frameMono : undefined;
  }

  // ---- time -------------------------------------------------------------------------------------

  /** Processes stop detection and small-stop promotion up to `t`, then shift finalization. */
  advanceTo(t: number): void {
    if (t < this.nowMono) t = this.nowMono;
    const spec = this.spec;
    for (;;) {
      if (!spec.hasRunningBit && this.openKind === K_RUNNING && t > this.anchorMono + spec.stopAfterMs) {
        this.gapStopped = true;
        this.transition(K_STOP, undefined, this.anchorMono, this.anchorMono + spec.stopAfterMs);
        continue;
      }
      if (this.openKind === K_STOP && this.openLabel === S_SMALL_STOP && t >= this.openSinceMono + spec.microStopThresholdMs) {
        this.promote(this.openSinceMono + spec.microStopThresholdMs);
        continue;
      }
      break;
    }
    this.nowMono = t;
    this.tryFinalize(t);
  }

  /** Time before which nothing can change any more (see the class comment). */
  certainUntil(t: number): number {
    if (this.openLabel === S_SMALL_STOP) return this.openSinceMono;
    if (!this.spec.hasRunningBit) {
      if (this.openKind === K_RUNNING) return this.anchorMono;
      // A cycle may still end this stop up to one ideal cycle back (never before it began).
      if (this.openKind === K_STOP) return Math.max(this.openSinceMono, t - this.spec.idealCycleTimeMs);
    }
    return t;
  }

  tryFinalize(t: number): void {
    const pending = this.accounts.pending;
    // Not at the boundary itself: a read at that very instant still reports parts of the shift.
    if (pending === undefined || t <= pending.endMono || this.certainUntil(t) < pending.endMono) return;
    this.finalizePending(t);
  }

  private finalizePending(t: number): void {
    const pending = this.accounts.pending;
    if (pending === undefined) return;
    if (this.openAccounted < pending.endMono) {
      this.accounts.commit(this.openLabel, this.openReason, this.openAccounted, pending.endMono, this.openDowntime);
      this.openAccounted = pending.endMono;
    }
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
  /** A counter jump or reset, as an event: the audit trail of what was (not) counted and why. */
  private emitCounterAnomaly(a: CounterAnomaly): void {
    const { atMono, ...rest } = a;
    this.host.emit({ type: 'counter', id: this.nextId(), line: this.spec.line, station: this.spec.id, seq: this.seq, ts: this.host.wallOf(atMono), ...rest });
  }

  private cycles(n: number, m: number): void {
    const spec = this.spec;
    const goodParts = n - this.counters.rejectsAmong(n);
    // Unknown after a gap (comms loss, restart): 0 rather than a cycle time that spans the gap.
    const cycleTimeMs = this.lastCycleEndMono !== undefined ? (m - this.lastCycleEndMono) / n : 0;
    const ts = this.host.wallOf(m);
    const window = this.accounts.windowForParts(m);
    const shift = window?.instance.name;
    for (let i = 0; i < n; i++) {
      this.host.emit({
        type: 'cycle',
        id: this.nextId(),
        line: spec.line,
        station: spec.id,
        seq: this.seq,
        ts,
        cycleTimeMs,
        good: i < goodParts,
        ...(shift !== undefined ? { shift } : {}),
      });
    }
    this.accounts.addCycles(window, m, n, goodParts);
    if (this.lastCycleEndMono !== undefined) this.lastCycleTimeMs = cycleTimeMs;
    this.lastCycleEndMono = m;
    this.lastCycleWall = ts;
    if (!spec.hasRunningBit) {
      if (this.openKind === K_STOP) {
        // The stop ends when the first of these parts started: its end minus the ideal cycle.
        const end = Math.max(this.openAccounted, this.openSinceMono, m - n * spec.idealCycleTimeMs);
        this.gapStopped = false;
        this.transition(K_RUNNING, undefined, end, m);
      }
      this.anchorMono = m;
    }
  }

  // ---- states -------------------------------------------------------------------------------------

  reclassify(at: number): void {
    const sig = this.signals;
    let kind: number;
    let reason: string | undefined;
    if (this.devicesDown > 0) kind = K_COMMS;
    else if (this.calendarPlanned !== undefined) {
      kind = K_PLANNED;
      reason = this.calendarPlanned;
    } else if (sig.plannedBit) {
      kind = K_PLANNED;
      reason = PLC_PLANNED_STOP;
    } else if (sig.faultCode > 0) {
      kind = K_DOWN;
      reason = this.reasonOfFault(sig.faultCode);
    } else if (sig.blocked) kind = K_BLOCKED;
    else if (sig.starved) kind = K_STARVED;
    else if (this.spec.hasRunningBit ? sig.runningBit === false : this.gapStopped) kind = K_STOP;
    else kind = K_RUNNING;
    this.transition(kind, reason, at, at);
  }

  private reasonOfFault(code: number): string {
    const reason = this.spec.faultReasons.get(code);
    if (reason !== undefined) return reason;
    // Once per code: the fault stays set for every poll of the breakdown.
    if (this.unknownFaults.has(code)) return UNASSIGNED;
    if (this.unknownFaults.size < 1_000) this.unknownFaults.add(code);
    this.host.diagnostic('UNKNOWN_FAULT_CODE', `station ${this.id}: fault code ${code} is not in faultReasons; its downtime is "unassigned"`, {
      station: this.id,
      tag: this.spec.tags.faultCode,
      faultCode: code,
    });
    return UNASSIGNED;
  }

  /** Closes the open interval at `since` (never before booked time) and opens `kind`. */
  private transition(kind: number, rawReason: string | undefined, since: number, eventMono: number): void {
    if (kind === this.openKind && rawReason === this.openRawReason) return;
    if (since < this.openAccounted) since = this.openAccounted;
    const previous = this.openLabel;
    this.close(since, eventMono);
    const label = LABEL_OF_KIND[kind] as number;
    this.openKind = kind;
    this.openRawReason = rawReason;
    this.openLabel = label;
    this.openReason = kind === K_DOWN || kind === K_PLANNED ? rawReason : kind === K_STARVED ? 'starved' : kind === K_BLOCKED ? 'blocked' : undefined;
    this.openSinceMono = since;
    this.openSinceWall = this.host.wallOf(since);
    this.openAccounted = since;
    if (kind !== K_STOP && kind !== K_RUNNING) this.gapStopped = false;
    if (kind === K_RUNNING) this.anchorMono = Math.max(this.anchorMono, since);
    if (kind === K_COMMS) this.lastCycleEndMono = undefined;
    this.emitState(previous, eventMono);
    if (kind === K_DOWN) this.startDowntime(rawReason ?? UNASSIGNED, this.signals.faultCode, eventMono);
  }

  /** A stop reached microStopThreshold: downtime from its start. */
  private promote(atMono: number): void {
    this.openLabel = S_DOWN;
    this.openReason = UNASSIGNED;
    this.emitState(S_SMALL_STOP, atMono);
    this.startDowntime(UNASSIGNED, undefined, atMono);
  }

  private close(at: number, eventMono: number): void {
    this.accounts.commit(this.openLabel, this.openReason, this.openAccounted, at, this.openDowntime);
    this.openAccounted = at;
    const d = this.openDowntime;
    if (d === undefined) return;
    d.endMono = at;
    d.endWall = this.host.wallOf(at);
    this.openDowntime = undefined;
    this.emitDowntime(d, 'ended', eventMono);
  }

  private emitState(previous: number, eventMono: number): void {
    this.host.emit({
      type: 'state',
      id: this.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.seq,
      ts: this.host.wallOf(eventMono),
      state: STATES[this.openLabel] as (typeof STATES)[number],
      previous: STATES[previous] as (typeof STATES)[number],
      since: this.openSinceWall,
      ...(this.openReason !== undefined ? { reason: this.openReason } : {}),
    });
  }

  private startDowntime(reason: string, faultCode: number | undefined, eventMono: number): void {
    const record: DowntimeRecord = {
      id: '',
      startMono: this.openSinceMono,
      startWall: this.openSinceWall,
      endMono: undefined,
      endWall: undefined,
      reason,
      category: this.host.categoryOf(reason),
      faultCode: faultCode !== undefined && faultCode > 0 ? faultCode : undefined,
      countedIn: [],
    };
    this.openDowntime = record;
    this.emitDowntime(record, 'started', eventMono);
    this.downtimes.add(record);
  }

  /** Emits a downtime event; a "started" one gives the record its id. */
  emitDowntime(d: DowntimeRecord, phase: DowntimeEvent['phase'], eventMono: number): void {
    const id = this.nextId();
    if (phase === 'started') (d as { id: string }).id = id;
    this.host.emit({
      type: 'downtime',
      id,
      line: this.spec.line,
      station: this.spec.id,
      seq: this.seq,
      ts: this.host.wallOf(eventMono),
      phase,
      downtimeId: d.id,
      start: d.startWall,
      ...(d.endMono !== undefined ? { end: d.endWall as number, durationMs: d.endMono - d.startMono } : {}),
      reason: d.reason,
      category: d.category,
      ...(d.faultCode !== undefined ? { faultCode: d.faultCode } : {}),
      ...(d.assignedBy !== undefined ? { assignedBy: d.assignedBy } : {}),
    });
  }

  /** An operator assigned a reason to one of this station's downtimes. */
  assignReason(d: DowntimeRecord, reason: string, by: ActionBy | undefined, nowMono: number): void {
    const old = d.reason;
    const bookedUntil = d === this.openDowntime ? this.openAccounted : (d.endMono as number);
    this.accounts.moveReason(old, reason, d.startMono, bookedUntil);
    d.reason = reason;
    d.category = this.host.categoryOf(reason);
    if (by !== undefined && Object.values(by).some((v) => v !== undefined)) d.assignedBy = { ...by };
    this.emitDowntime(d, 'updated', nowMono);
    if (d === this.openDowntime) {
      this.openReason = reason;
      this.emitState(S_DOWN, nowMono);
    }
  }

  /** Device comms changed; reclassified at the next flush. */
  setDevicesDown(n: number): void {
    this.devicesDown = n;
  }
}
