/**
 * The streaming core: samples and comms changes in, events out (src/core/events.ts), a live
 * snapshot and a checkpoint on demand. Pure: time comes from samples and the injected clock; no
 * I/O, no timers (the agent calls tick()). See docs/oee.md for what is counted how.
 */
import type { LinesideConfig } from '../config/schema.js';
import { buildBindings, type Bindings, type LineSpec, type TagBinding } from './bindings.js';
import { ShiftCalendar, type CalendarSegment } from './calendar.js';
import { CHECKPOINT_VERSION, parseCheckpoint, type CoreCheckpoint, type ParsedCheckpoint } from './checkpoint.js';
export type { AssignReasonResult, Core, CoreDeps, CoreDiagnostic } from './core-api.js';
import { ClockGuard, DEFAULT_JUMP_THRESHOLD_MS, type ClockJump } from './clock-guard.js';
import { UNASSIGNED } from './downtime.js';
import type { ActionBy, CoreEvent, EventListener, OeeEvent } from './events.js';
import { rollingView, shiftFigures, shiftWindowOf, type OeeView } from './figures.js';
import type { AssignReasonResult, Core, CoreDeps } from './core-api.js';
import type { CommsChange, Sample } from './sample.js';
import { stationSnapshot, type LineSnapshot, type SnapshotContext } from './snapshot.js';
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
  private readonly stations: Station[];
  private readonly lineOf: LineSpec[] = [];
  private readonly isOutput: boolean[] = [];
  private readonly lineSeq = new Map<string, number>();
  private readonly deviceOk: boolean[];
  private readonly deviceStations: Station[][];
  private readonly previousViews = new Map<number, OeeView>();
  private readonly listeners: EventListener[] = [];
  private readonly startupEvents: CoreEvent[] = [];
  private buffering = true;
  private segment: CalendarSegment;
  private nextBoundaryMono: number;
  private nowMono: number;
  private nextOeeMono: number;
  private readonly oeeIntervalMs: number;

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
    if (deps.onEvent !== undefined) this.listeners.push(deps.onEvent);

    const restored = this.parseRestore(deps.restore);
    // After a restart, time resumes at the checkpoint: the gap is booked as comms_lost.
    this.nowMono = restored !== undefined ? Math.min(this.guard.monoOf(restored.savedAtWall), startMono) : startMono;
    this.segment = this.calendar.segmentAt(this.guard.wallOf(this.nowMono));
    this.nextBoundaryMono = this.guard.monoOf(this.segment.untilWall);
    this.oeeIntervalMs = config.agent.oeeInterval;
    this.nextOeeMono = startMono + this.oeeIntervalMs;

    this.stations = this.bindings.stations.map((spec, i) => new Station(spec, i, this, this.nowMono));
    for (const line of this.bindings.lines) {
      this.lineSeq.set(line.id, restored?.lines[line.id]?.seq ?? 0);
      for (const spec of line.stations) {
        const i = this.bindings.stations.indexOf(spec);
        this.lineOf[i] = line;
        this.isOutput[i] = spec.id === line.outputStation;
      }
    }
    this.deviceOk = this.bindings.devices.map(() => false);
    this.deviceStations = this.bindings.devices.map((device) =>
      this.stations.filter((st) => st.spec.devices.includes(device)),
    );

    const shift = this.segment.shift;
    const shiftStartMono =
      shift !== undefined ? Math.min(this.guard.monoOf(shift.startWall), this.nowMono) : this.nowMono;
    for (const st of this.stations) {
      const data = restored?.stations[st.id];
      if (data !== undefined)
        st.restore(data, {
          calendar: this.calendar,
          monoOf: (wall) => this.guard.monoOf(wall),
          savedMono: this.nowMono,
        });
      st.resumeCalendar(shift, shiftStartMono, this.segment.planned);
    }
  }

  private parseRestore(checkpoint: CoreCheckpoint | undefined): ParsedCheckpoint | undefined {
    if (checkpoint === undefined) return undefined;
    const parsed = parseCheckpoint(checkpoint);
    if (!parsed.ok) {
      this.diagnostic(
        'CHECKPOINT_INVALID',
        `checkpoint not usable (${parsed.message}); starting the shift's figures from zero`,
        { reason: parsed.message },
      );
      return undefined;
    }
    const wallNow = this.deps.clock.wallMs();
    this.diagnostic(
      'CHECKPOINT_RESTORED',
      `continuing from the checkpoint of ${new Date(parsed.checkpoint.savedAtWall).toISOString()}; the ${Math.max(0, Math.round((wallNow - parsed.checkpoint.savedAtWall) / 1000))} s since are comms_lost`,
      {
        savedAt: parsed.checkpoint.savedAtWall,
        stations: Object.keys(parsed.checkpoint.stations),
      },
    );
    return parsed.checkpoint;
  }

  // ---- StationHost ------------------------------------------------------------------------------

  emit(event: CoreEvent): void {
    if (this.buffering) {
      this.startupEvents.push(event);
      return;
    }
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as EventListener)(event);
      } catch (err) {
        // A broken consumer must not leave a station half-way through a transition.
        this.diagnostic(
          'LISTENER_FAILED',
          `an event listener threw on a ${event.type} event: ${err instanceof Error ? err.message : String(err)}`,
          { event: event.id },
        );
      }
    }
  }

  diagnostic(code: string, message: string, context: Record<string, unknown>): void {
    try {
      this.deps.onDiagnostic?.({ code, message, context });
    } catch {
      // Diagnostics are best effort; the core goes on.
    }
  }

  wallOf(mono: number): number {
    return this.guard.wallOf(mono);
  }

  categoryOf(reason: string) {
    return this.bindings.categoryOf(reason);
  }

  shiftFinal(st: Station, w: ShiftWindowView, atMono: number): void {
    const view: OeeView = {
      window: shiftWindowOf(w),
      figures: shiftFigures(st, w, atMono, this.wallOf(atMono), this.calendar, true),
    };
    this.previousViews.set(st.index, view);
    this.emitOee(st, view, true, atMono);
  }

  private emitOee(st: Station, view: OeeView, final: boolean, atMono: number): void {
    const ts = this.wallOf(atMono);
    const event: OeeEvent = {
      type: 'oee',
      id: st.nextId(),
      line: st.spec.line,
      station: st.id,
      seq: st.seq,
      ts,
      window: view.window,
      final,
      figures: view.figures,
    };
    this.emit(event);
    if (this.isOutput[st.index] !== true) return;
    const line = this.lineOf[st.index] as LineSpec;
    const seq = (this.lineSeq.get(line.id) ?? 0) + 1;
    this.lineSeq.set(line.id, seq);
    this.emit({
      type: 'oee',
      id: `${line.id}-${String(seq).padStart(9, '0')}`,
      line: line.id,
      seq,
      ts,
      window: view.window,
      final,
      figures: view.figures,
    });
  }

  // ---- input ------------------------------------------------------------------------------------

  private start(): void {
    this.buffering = false;
    const events = this.startupEvents.splice(0);
    for (const event of events) this.emit(event);
  }

  sample(s: Sample): void {
    if (this.buffering) this.start();
    const binding = this.byTag.get(s.tag);
    if (binding === undefined) return;
    let mono = s.mono;
    if (!Number.isFinite(mono) || !Number.isFinite(s.ts)) return;
    const jump = this.guard.observe(s.ts, mono);
    if (jump !== undefined) this.afterJump(jump);
    if (mono >= this.nextBoundaryMono) this.advanceCalendar(mono);
    if (mono < this.nowMono) mono = this.nowMono;
    else this.nowMono = mono;
    for (let b: TagBinding | undefined = binding; b !== undefined; b = b.next) {
      if (this.deviceOk[b.deviceIndex] !== true) this.deviceUp(b.deviceIndex, mono);
      const st = this.stations[b.stationIndex] as Station;
      st.beginFrame(mono);
      st.input(b.role, s.value);
    }
  }

  comms(change: CommsChange): void {
    if (this.buffering) this.start();
    const index = this.bindings.devices.indexOf(change.device);
    if (index < 0 || !Number.isFinite(change.mono)) return;
    const jump = Number.isFinite(change.ts) ? this.guard.observe(change.ts, change.mono) : undefined;
    if (jump !== undefined) this.afterJump(jump);
    let mono = change.mono;
    if (mono >= this.nextBoundaryMono) this.advanceCalendar(mono);
    if (mono < this.nowMono) mono = this.nowMono;
    else this.nowMono = mono;
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
    if (this.buffering) this.start();
    const clock = this.deps.clock;
    const mono = clock.monoMs();
    const jump = this.guard.observe(clock.wallMs(), mono);
    if (jump !== undefined) this.afterJump(jump);
    const t = Math.max(mono, this.nowMono);
    this.advanceCalendar(t);
    // Timers that fire before the oldest pending poll go first, so the stream stays in time order.
    let oldestFrame = t;
    for (const st of this.stations) oldestFrame = Math.min(oldestFrame, st.pendingFrameMono ?? t);
    for (const st of this.stations) st.advanceTo(oldestFrame);
    this.flushInTimeOrder();
    for (const st of this.stations) st.advanceTo(t);
    this.nowMono = t;
    if (t >= this.nextOeeMono) {
      this.nextOeeMono = t + this.oeeIntervalMs;
      for (const st of this.stations) {
        const w = st.currentShift;
        if (w !== undefined)
          this.emitOee(
            st,
            { window: shiftWindowOf(w), figures: shiftFigures(st, w, t, this.wallOf(t), this.calendar, false) },
            false,
            t,
          );
        this.emitOee(
          st,
          rollingView(st, t, (m) => this.wallOf(m)),
          false,
          t,
        );
      }
    }
  }

  // ---- time -------------------------------------------------------------------------------------

  /** Applies every calendar change up to `t`, each at its own time and in order. */
  private advanceCalendar(t: number): void {
    while (this.nextBoundaryMono <= t) {
      const at = Math.max(this.nextBoundaryMono, this.nowMono);
      const boundaryWall = this.segment.untilWall;
      this.settleStations(at);
      const next = this.calendar.segmentAt(boundaryWall);
      for (const st of this.stations) st.calendarChanged(next.shift, next.planned, at);
      this.segment = next;
      this.nextBoundaryMono = this.guard.monoOf(next.untilWall);
      this.nowMono = at;
      if (!(next.untilWall > boundaryWall)) break;
    }
  }

  /** Applies pending polls oldest first, so events of different stations leave in time order. */
  private flushInTimeOrder(): void {
    for (;;) {
      let earliest: Station | undefined;
      let earliestMono = Number.POSITIVE_INFINITY;
      for (const st of this.stations) {
        const frame = st.pendingFrameMono;
        if (frame !== undefined && frame < earliestMono) {
          earliest = st;
          earliestMono = frame;
        }
      }
      if (earliest === undefined) return;
      earliest.flush();
    }
  }

  /** Brings every station to `at`: earlier pending samples applied, stop timers run. */
  private settleStations(at: number): void {
    for (const st of this.stations) {
      const frame = st.pendingFrameMono;
      if (frame !== undefined && frame < at) st.flush();
      st.advanceTo(at);
    }
  }

  /**
   * The wall clock jumped. Durations are unaffected (monotonic); the calendar is re-read at the
   * corrected wall time, and if that is another shift or break state, it changes now, once (no
   * burst of empty shifts for a clock that was days off).
   */
  private afterJump(jump: ClockJump): void {
    const at = Math.max(jump.atMono, this.nowMono);
    // What happened before the jump keeps the wall times (and calendar) it had.
    this.advanceCalendar(at);
    this.settleStations(at);
    this.guard.accept(jump);
    this.diagnostic(
      'CLOCK_JUMP',
      `wall clock jumped by ${Math.round(jump.jumpMs / 1000)} s (NTP sync or manual change); durations are unaffected, event times follow the new clock`,
      {
        jumpMs: jump.jumpMs,
        fromOffsetMs: jump.fromOffsetMs,
        toOffsetMs: jump.toOffsetMs,
        atWall: this.guard.wallOf(at),
      },
    );
    const next = this.calendar.segmentAt(this.guard.wallOf(at));
    if (next.shift?.key !== this.segment.shift?.key || next.planned !== this.segment.planned) {
      for (const st of this.stations) st.calendarChanged(next.shift, next.planned, at);
    }
    this.segment = next;
    this.nextBoundaryMono = this.guard.monoOf(next.untilWall);
    this.nowMono = at;
  }

  // ---- commands and views -------------------------------------------------------------------------

  assignReason(downtimeId: string, reasonId: string, by?: ActionBy): AssignReasonResult {
    if (this.buffering) this.start();
    if (reasonId !== UNASSIGNED && !this.bindings.reasonIds.has(reasonId)) {
      return { ok: false, code: 'UNKNOWN_REASON', message: `no reason "${reasonId}" in the config's reasons` };
    }
    for (const st of this.stations) {
      const now = Math.max(this.nowMono, st.nowMono);
      const record = st.assignReason(downtimeId, reasonId, by, now);
      if (record === undefined) continue;
      const previous = st.previousShift;
      if (previous !== undefined && record.startMono < previous.endMono) {
        this.previousViews.set(st.index, {
          window: shiftWindowOf(previous),
          figures: shiftFigures(st, previous, now, this.wallOf(now), this.calendar, true),
        });
      }
      return { ok: true };
    }
    return { ok: false, code: 'NOT_FOUND', message: `no downtime "${downtimeId}" in the current or previous shift` };
  }

  snapshot(): LineSnapshot[] {
    const ctx: SnapshotContext = {
      nowMono: this.nowMono,
      calendar: this.calendar,
      segment: this.segment,
      wallOf: (m) => this.wallOf(m),
      previousShift: (st) => this.previousViews.get(st.index),
    };
    const views = this.stations.map((st) => stationSnapshot(st, ctx));
    const shift = this.segment.shift;
    return this.bindings.lines.map((line) => {
      const stations = views.filter((v) => v.line === line.id);
      const output = stations.find((v) => v.id === line.outputStation) ?? stations[stations.length - 1];
      return {
        id: line.id,
        name: line.name,
        outputStation: line.outputStation,
        ts: this.wallOf(this.nowMono),
        ...(shift !== undefined
          ? {
              shift: {
                name: shift.name,
                key: shift.key,
                start: shift.startWall,
                end: shift.endWall,
                ...(output?.target !== undefined ? { target: output.target } : {}),
              },
            }
          : {}),
        ...(this.segment.planned !== undefined ? { plannedStop: this.segment.planned } : {}),
        oee: {
          ...(output?.oee.shift !== undefined ? { shift: output.oee.shift } : {}),
          rolling: (output as (typeof stations)[number]).oee.rolling,
        },
        stations,
      };
    });
  }

  checkpoint(options: { withRolling?: boolean } = {}): CoreCheckpoint {
    if (this.buffering) this.start();
    this.flushInTimeOrder();
    const wallOf = (m: number): number => this.wallOf(m);
    const stations: CoreCheckpoint['stations'] = {};
    for (const st of this.stations) stations[st.id] = st.capture(wallOf, options.withRolling ?? true);
    const lines: CoreCheckpoint['lines'] = {};
    for (const [id, seq] of this.lineSeq) lines[id] = { seq };
    return {
      version: CHECKPOINT_VERSION,
      savedAtWall: this.wallOf(Math.max(this.nowMono, ...this.stations.map((s) => s.nowMono))),
      stations,
      lines,
    };
  }

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
