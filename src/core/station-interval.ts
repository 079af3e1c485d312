/**
 * A station's open state interval and the downtime it may be: its raw kind, its label, since
 * when, how much of it is booked, and the state and downtime events its changes emit. The station
 * (station.ts) decides when the interval changes; this keeps the interval's fields consistent
 * with each other and with the accounts the closed time is booked into.
 */
import type { LossCategory } from '../config/schema.js';
import { STATE_ORDER } from './accumulator.js';
import type { StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import { UNASSIGNED, type DowntimeLog, type DowntimeRecord } from './downtime.js';
import type { ActionBy, CoreEvent, DowntimeEvent, StationState } from './events.js';
import { waitKey, type WaitCause } from './line-waits.js';
import type { StationAccounts } from './station-accounts.js';

/**
 * What the signals say, by precedence (see station.ts). A `stop` is labelled `small_stop` until it
 * lasts microStopThreshold, then `down`; every other kind is its own label.
 */
export type RawKind = 'comms_lost' | 'planned_stop' | 'down' | 'blocked' | 'starved' | 'stop' | 'running';

/**
 * The raw kinds in the order of a checkpoint's `open.kind` codes. Part of the persisted format:
 * never reorder (labels use STATE_ORDER).
 */
const KIND_ORDER: readonly RawKind[] = ['comms_lost', 'planned_stop', 'down', 'blocked', 'starved', 'stop', 'running'];

/** What the station's readers (figures, snapshot) see of the open interval. */
export interface OpenIntervalView {
  readonly state: StationState;
  readonly reason: string | undefined;
  readonly sinceWall: number;
  /** Time before this is booked into the accounts. */
  readonly bookedUntil: number;
  readonly downtime: Readonly<DowntimeRecord> | undefined;
  /** While starved or blocked: who the station waits for (line-waits.ts), once the line knows. */
  readonly wait: WaitCause | undefined;
}

/** What emitting a station's events needs of the core. */
export interface EventHost {
  emit(event: CoreEvent): void;
  wallOf(mono: number): number;
  categoryOf(reason: string): LossCategory;
}

/** The station's event ids: its events of every type share one sequence. */
export interface EventIds {
  nextId(): string;
  readonly seq: number;
}

export class OpenInterval implements OpenIntervalView {
  private openKind: RawKind = 'comms_lost';
  private openRawReason: string | undefined = undefined;
  private openLabel: StationState = 'comms_lost';
  private openReason: string | undefined = undefined;
  private openSinceMono: number;
  private openSinceWall: number;
  private openAccounted: number;
  private openDowntime: DowntimeRecord | undefined = undefined;
  private openWait: WaitCause | undefined = undefined;

  constructor(
    private readonly spec: StationSpec,
    private readonly host: EventHost,
    private readonly ids: EventIds,
    private readonly accounts: StationAccounts,
    private readonly downtimes: DowntimeLog,
    startMono: number,
  ) {
    this.openSinceMono = startMono;
    this.openSinceWall = host.wallOf(startMono);
    this.openAccounted = startMono;
  }

  get kind(): RawKind {
    return this.openKind;
  }

  get state(): StationState {
    return this.openLabel;
  }

  get reason(): string | undefined {
    return this.openReason;
  }

  /** The reason the signals gave (an operator's re-assignment changes `reason`, not this). */
  get rawReason(): string | undefined {
    return this.openRawReason;
  }

  get sinceMono(): number {
    return this.openSinceMono;
  }

  get sinceWall(): number {
    return this.openSinceWall;
  }

  get bookedUntil(): number {
    return this.openAccounted;
  }

  get downtime(): Readonly<DowntimeRecord> | undefined {
    return this.openDowntime;
  }

  get wait(): WaitCause | undefined {
    return this.openWait;
  }

  /**
   * The line found who this waiting interval waits for, as of `atMono`: time before that is booked
   * to the cause it had (a first cause covers the interval from its start).
   */
  attributeWait(cause: WaitCause | undefined, atMono: number): void {
    if (cause === undefined || cause.kind !== this.openLabel) return;
    const had = this.openWait;
    if (had !== undefined && waitKey(had) !== waitKey(cause)) this.bookUntil(atMono);
    this.openWait = cause;
  }

  /** The open wait's cause is downtime `downtimeId`, whose reason an operator re-assigned. */
  renameWaitReason(downtimeId: string, reason: string): void {
    if (this.openWait?.downtimeId === downtimeId) this.openWait = { ...this.openWait, reason };
  }

  /** True when the interval already is `kind` with `rawReason`: nothing to change. */
  is(kind: RawKind, rawReason: string | undefined): boolean {
    return kind === this.openKind && rawReason === this.openRawReason;
  }

  /**
   * Closes the interval at `since` (not before booked time: the caller clamps) and opens `kind`.
   * `faultCode` goes into the downtime a `down` starts.
   */
  replace(kind: RawKind, rawReason: string | undefined, since: number, eventMono: number, faultCode: number): void {
    const previous = this.openLabel;
    this.close(since, eventMono);
    this.openKind = kind;
    this.openRawReason = rawReason;
    this.openLabel = kind === 'stop' ? 'small_stop' : kind;
    this.openReason =
      kind === 'down' || kind === 'planned_stop'
        ? rawReason
        : kind === 'starved' || kind === 'blocked'
          ? kind
          : undefined;
    this.openSinceMono = since;
    this.openSinceWall = this.host.wallOf(since);
    this.openAccounted = since;
    this.emitState(previous, eventMono);
    if (kind === 'down') this.startDowntime(rawReason ?? UNASSIGNED, faultCode, eventMono);
  }

  /** A stop reached microStopThreshold: downtime from its start. */
  promote(atMono: number): void {
    this.openLabel = 'down';
    this.openReason = UNASSIGNED;
    this.emitState('small_stop', atMono);
    this.startDowntime(UNASSIGNED, undefined, atMono);
  }

  /** Books the interval up to `until` (a shift window's end whose figures must be final). */
  bookUntil(until: number): void {
    if (this.openAccounted >= until) return;
    this.accounts.commit(this.openLabel, this.openReason, this.openAccounted, until, this.openDowntime, this.openWait);
    this.openAccounted = until;
  }

  private close(at: number, eventMono: number): void {
    this.accounts.commit(this.openLabel, this.openReason, this.openAccounted, at, this.openDowntime, this.openWait);
    this.openAccounted = at;
    this.openWait = undefined;
    const d = this.openDowntime;
    if (d === undefined) return;
    d.endMono = at;
    d.endWall = this.host.wallOf(at);
    this.openDowntime = undefined;
    this.emitDowntime(d, 'ended', eventMono);
  }

  private emitState(previous: StationState, eventMono: number): void {
    this.host.emit({
      type: 'state',
      id: this.ids.nextId(),
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
      ts: this.host.wallOf(eventMono),
      state: this.openLabel,
      previous,
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
  private emitDowntime(d: DowntimeRecord, phase: DowntimeEvent['phase'], eventMono: number): void {
    const id = this.ids.nextId();
    if (phase === 'started') (d as { id: string }).id = id;
    this.host.emit({
      type: 'downtime',
      id,
      line: this.spec.line,
      station: this.spec.id,
      seq: this.ids.seq,
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

  /** An operator assigned a reason to one of the station's downtimes (open or closed). */
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
      this.emitState('down', nowMono);
    }
  }

  /** The checkpoint's `open` part (mono -> wall). */
  capture(wallOf: (mono: number) => number): StationCheckpoint['open'] {
    return {
      kind: KIND_ORDER.indexOf(this.openKind),
      label: STATE_ORDER.indexOf(this.openLabel),
      ...(this.openRawReason !== undefined ? { rawReason: this.openRawReason } : {}),
      ...(this.openReason !== undefined ? { reason: this.openReason } : {}),
      sinceWall: this.openSinceWall,
      accountedUntilWall: wallOf(this.openAccounted),
      ...(this.openDowntime !== undefined ? { downtimeId: this.openDowntime.id } : {}),
      ...(this.openWait !== undefined ? { wait: { ...this.openWait } } : {}),
    };
  }

  /**
   * Restores the interval as it was at the checkpoint (wall -> mono, never after `savedMono`);
   * `downtimeOf` finds its restored downtime record.
   */
  restore(
    o: StationCheckpoint['open'],
    downtimeOf: (id: string) => DowntimeRecord | undefined,
    monoOf: (wall: number) => number,
    savedMono: number,
  ): void {
    // The schema admits codes 0..6 only, so both lookups hit.
    this.openKind = KIND_ORDER[o.kind] as RawKind;
    this.openLabel = STATE_ORDER[o.label] as StationState;
    this.openRawReason = o.rawReason;
    this.openReason = o.reason;
    this.openSinceWall = o.sinceWall;
    this.openSinceMono = Math.min(monoOf(o.sinceWall), savedMono);
    this.openAccounted = Math.min(Math.max(monoOf(o.accountedUntilWall), this.openSinceMono), savedMono);
    this.openDowntime = o.downtimeId !== undefined ? downtimeOf(o.downtimeId) : undefined;
    this.openWait = o.wait !== undefined ? { ...o.wait } : undefined;
  }
}
