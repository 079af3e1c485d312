/**
 * An in-process stand-in for the core behind the server's ports (LivePort + CommandsPort), fed
 * real `CoreEvent` objects. It keeps the snapshot the way the core would (state, counts, open
 * downtime, OEE) so that what the page shows can be checked against what was emitted. It is a
 * port fake, not a module mock: the server under test runs unchanged.
 */
import type { LinesideConfig } from '../../../../src/config/schema.js';
import type {
  AlertEvent,
  CoreEvent,
  CycleEvent,
  DowntimeEvent,
  OeeEvent,
  OeeFigures,
  StateEvent,
  StationState,
} from '../../../../src/core/events.js';
import type { Clock } from '../../../../src/core/sample.js';
import type {
  CommandResult,
  CommandsPort,
  LiveLineSnapshot,
  LivePort,
  LiveOee,
  LiveStationSnapshot,
  Operator,
  OrderCommandResult,
  ScrapCommandResult,
  SetProductResult,
} from '../../../../src/server/deps.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface StationModel {
  id: string;
  name: string;
  line: string;
  state: StationState;
  since: number;
  reason?: string;
  commsOk: boolean;
  idealCycleTimeMs: number;
  lastCycleTimeMs?: number;
  lastCycleAt?: number;
  total: number;
  good: number;
  target?: number;
  behindBy?: number;
  shiftFigures?: OeeFigures;
  openDowntime?: {
    downtimeId: string;
    start: number;
    reason: string;
    category: DowntimeEvent['category'];
    faultCode?: number;
  };
  seq: number;
}

export function figures(partial: Partial<OeeFigures> = {}): OeeFigures {
  return {
    availability: 0.9,
    performance: 0.85,
    quality: 0.98,
    oee: 0.9 * 0.85 * 0.98,
    counts: { total: 0, good: 0, reject: 0 },
    runTimeMs: 0,
    plannedTimeMs: 0,
    downtimeMs: 0,
    smallStopMs: 0,
    commsLostMs: 0,
    starvedMs: 0,
    blockedMs: 0,
    plannedStopMs: 0,
    idealMs: 0,
    downtimeByReason: {},
    ...partial,
  };
}

export interface CommandRecord {
  readonly kind: 'assignReason' | 'acknowledgeAlert' | 'setProduct';
  readonly id: string;
  readonly reason?: string;
  readonly by: Operator;
}

export class FakeLine implements LivePort, CommandsPort {
  private readonly listeners = new Set<(e: CoreEvent) => void>();
  private readonly stations = new Map<string, StationModel>();
  private readonly downtimes = new Map<string, Mutable<DowntimeEvent>>();
  private readonly alerts = new Map<string, AlertEvent>();
  private lineSeq = 0;
  private downtimeNo = 0;
  readonly commands: CommandRecord[] = [];
  /** The current shift the snapshot reports (wall ms); undefined: no shift. */
  shift: { name: string; start: number; end: number; target?: number } | undefined;
  lineFigures: OeeFigures | undefined;
  snapshotCalls = 0;

  constructor(
    private readonly config: Readonly<LinesideConfig>,
    private readonly clock: Clock,
  ) {
    const now = clock.wallMs();
    for (const line of config.lines) {
      for (const st of line.stations) {
        this.stations.set(st.id, {
          id: st.id,
          name: st.name ?? st.id,
          line: line.id,
          state: 'running',
          since: now - 60_000,
          commsOk: true,
          idealCycleTimeMs: st.idealCycleTime,
          total: 0,
          good: 0,
          seq: 0,
        });
      }
    }
    this.shift = { name: 'early', start: now - 3 * 3600_000, end: now + 5 * 3600_000, target: 2400 };
  }

  subscribe(listener: (e: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  snapshot(): LiveLineSnapshot[] {
    this.snapshotCalls++;
    const now = this.clock.wallMs();
    return this.config.lines.map((line) => {
      const stations = line.stations.map((s) => this.stationSnapshot(this.stations.get(s.id) as StationModel, now));
      const output = line.outputStation ?? line.stations[line.stations.length - 1]?.id ?? '';
      const outputSnap = stations.find((s) => s.id === output);
      const lineOee =
        this.lineFigures !== undefined && this.shift !== undefined
          ? this.oee(this.lineFigures, now)
          : outputSnap?.oee.shift;
      return {
        id: line.id,
        name: line.name ?? line.id,
        outputStation: output,
        ts: now,
        ...(this.shift !== undefined
          ? { shift: { ...this.shift, key: `${this.shift.name}@${this.shift.start}` } }
          : {}),
        oee: {
          ...(lineOee !== undefined ? { shift: lineOee } : {}),
          rolling: outputSnap?.oee.rolling ?? this.rolling(figures(), now),
        },
        stations,
      };
    });
  }

  private oee(f: OeeFigures, now: number): LiveOee {
    const shift = this.shift;
    return {
      window: {
        kind: 'shift',
        ...(shift !== undefined
          ? { shift: shift.name, start: shift.start, end: shift.end }
          : { start: now - 3600_000, end: now }),
      },
      figures: f,
    };
  }

  private rolling(f: OeeFigures, now: number): LiveOee {
    return { window: { kind: 'rolling', start: now - 3600_000, end: now }, figures: f };
  }

  private stationSnapshot(m: StationModel, now: number): LiveStationSnapshot {
    const f =
      m.shiftFigures ??
      figures({
        counts: { total: m.total, good: m.good, reject: m.total - m.good },
        ...(m.target !== undefined ? { target: m.target } : {}),
        ...(m.behindBy !== undefined ? { behindBy: m.behindBy } : {}),
      });
    return {
      id: m.id,
      name: m.name,
      line: m.line,
      state: m.state,
      since: m.since,
      ...(m.reason !== undefined ? { reason: m.reason } : {}),
      commsOk: m.commsOk,
      idealCycleTimeMs: m.idealCycleTimeMs,
      ...(m.lastCycleTimeMs !== undefined ? { lastCycleTimeMs: m.lastCycleTimeMs } : {}),
      ...(m.lastCycleAt !== undefined ? { lastCycleAt: m.lastCycleAt } : {}),
      counts: { total: m.total, good: m.good, reject: m.total - m.good },
      ...(m.target !== undefined ? { target: m.target } : {}),
      ...(m.behindBy !== undefined ? { behindBy: m.behindBy } : {}),
      oee: { ...(this.shift !== undefined ? { shift: this.oee(f, now) } : {}), rolling: this.rolling(f, now) },
      ...(m.openDowntime !== undefined
        ? { openDowntime: { ...m.openDowntime, durationMs: now - m.openDowntime.start } }
        : {}),
    };
  }

  private station(id: string): StationModel {
    const m = this.stations.get(id);
    if (m === undefined) throw new Error(`FakeLine: no station ${id}`);
    return m;
  }

  /** Applies an event to the snapshot (as the core would have before emitting it), then emits it. */
  emit(event: CoreEvent): void {
    if (event.type === 'state') {
      const m = this.station(event.station);
      m.state = event.state;
      m.since = event.since;
      if (event.reason !== undefined) m.reason = event.reason;
      else delete m.reason;
    } else if (event.type === 'cycle') {
      const m = this.station(event.station);
      m.total++;
      if (event.good) m.good++;
      m.lastCycleTimeMs = event.cycleTimeMs;
      m.lastCycleAt = event.ts;
    } else if (event.type === 'downtime') {
      const m = this.station(event.station);
      this.downtimes.set(event.downtimeId, { ...event });
      if (event.phase === 'ended') delete m.openDowntime;
      else
        m.openDowntime = {
          downtimeId: event.downtimeId,
          start: event.start,
          reason: event.reason,
          category: event.category,
          ...(event.faultCode !== undefined ? { faultCode: event.faultCode } : {}),
        };
    } else if (event.type === 'oee') {
      if (event.station !== undefined) this.station(event.station).shiftFigures = event.figures;
      else this.lineFigures = event.figures;
    } else if (event.type === 'alert') {
      this.alerts.set(event.alertId, event);
    }
    for (const l of this.listeners) l(event);
  }

  private base(station: string): { id: string; line: string; station: string; seq: number; ts: number } {
    const m = this.station(station);
    m.seq++;
    return {
      id: `${station}-${String(m.seq).padStart(9, '0')}`,
      line: m.line,
      station,
      seq: m.seq,
      ts: this.clock.wallMs(),
    };
  }

  setState(station: string, state: StationState, options: { since?: number; reason?: string } = {}): StateEvent {
    const previous = this.station(station).state;
    const event: StateEvent = {
      ...this.base(station),
      type: 'state',
      state,
      previous,
      since: options.since ?? this.clock.wallMs(),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    };
    this.emit(event);
    return event;
  }

  /** A cycle; `cycleTimeMs` undefined is one without a time (the first after a start or a gap). */
  cycle(station: string, cycleTimeMs: number | undefined, good = true): CycleEvent {
    const event: CycleEvent = {
      ...this.base(station),
      type: 'cycle',
      ...(cycleTimeMs !== undefined ? { cycleTimeMs } : {}),
      good,
      ...(this.shift !== undefined ? { shift: this.shift.name } : {}),
    };
    this.emit(event);
    return event;
  }

  /** A breakdown: state down plus a downtime start, as the core emits them. Returns the downtime id. */
  breakdown(station: string, options: { reason?: string; faultCode?: number; start?: number } = {}): string {
    const start = options.start ?? this.clock.wallMs();
    const reason = options.reason ?? 'unassigned';
    this.setState(station, 'down', { since: start, reason });
    const downtimeId = `dt-${station}-${++this.downtimeNo}`;
    this.emit({
      ...this.base(station),
      type: 'downtime',
      phase: 'started',
      downtimeId,
      start,
      reason,
      category: this.config.reasons.find((r) => r.id === reason)?.category ?? 'breakdown',
      ...(options.faultCode !== undefined ? { faultCode: options.faultCode } : {}),
    });
    return downtimeId;
  }

  /** Ends a breakdown: downtime ended, state back to running. */
  repair(downtimeId: string): void {
    const d = this.downtimes.get(downtimeId);
    if (d === undefined) throw new Error(`FakeLine: no downtime ${downtimeId}`);
    const end = this.clock.wallMs();
    this.emit({ ...d, ...this.base(d.station), type: 'downtime', phase: 'ended', end, durationMs: end - d.start });
    this.setState(d.station, 'running', { since: end });
  }

  raiseAlert(
    station: string,
    alertId: string,
    options: Partial<Pick<AlertEvent, 'kind' | 'severity' | 'evidence' | 'predictedFailureAt'>> = {},
  ): AlertEvent {
    const event: AlertEvent = {
      ...this.base(station),
      type: 'alert',
      alertId,
      kind: options.kind ?? 'cycle_drift',
      severity: options.severity ?? 'warning',
      status: 'active',
      evidence: options.evidence ?? { slope: 0.12, confidence: 0.8 },
      ...(options.predictedFailureAt !== undefined ? { predictedFailureAt: options.predictedFailureAt } : {}),
    };
    this.emit(event);
    return event;
  }

  oeeSnapshot(station: string | undefined, f: OeeFigures, final = false): OeeEvent {
    const line = station === undefined ? (this.config.lines[0]?.id ?? '') : this.station(station).line;
    const base =
      station === undefined
        ? { id: `${line}-${++this.lineSeq}`, line, seq: this.lineSeq, ts: this.clock.wallMs() }
        : this.base(station);
    const shift = this.shift;
    const event: OeeEvent = {
      ...base,
      type: 'oee',
      final,
      figures: f,
      window:
        shift !== undefined
          ? { kind: 'shift', shift: shift.name, start: shift.start, end: shift.end }
          : { kind: 'rolling', start: this.clock.wallMs() - 3600_000, end: this.clock.wallMs() },
    };
    this.emit(event);
    return event;
  }

  setComms(station: string, ok: boolean): void {
    this.station(station).commsOk = ok;
  }

  setCounts(station: string, total: number, good: number, lastCycleTimeMs?: number): void {
    const m = this.station(station);
    m.total = total;
    m.good = good;
    if (lastCycleTimeMs !== undefined) {
      m.lastCycleTimeMs = lastCycleTimeMs;
      m.lastCycleAt = this.clock.wallMs();
    }
  }

  setTarget(station: string, target: number, behindBy: number): void {
    const m = this.station(station);
    m.target = target;
    m.behindBy = behindBy;
  }

  assignReason(downtimeId: string, reasonId: string, by: Operator): CommandResult {
    this.commands.push({ kind: 'assignReason', id: downtimeId, reason: reasonId, by });
    const d = this.downtimes.get(downtimeId);
    if (d === undefined)
      return { ok: false, code: 'NOT_FOUND', message: `no downtime ${downtimeId} in the current or previous shift` };
    const reason = this.config.reasons.find((r) => r.id === reasonId);
    if (reason === undefined) return { ok: false, code: 'UNKNOWN_REASON', message: `no reason ${reasonId}` };
    // As the core does: the downtime is re-emitted with its new reason.
    this.emit({
      ...d,
      ...this.base(d.station),
      type: 'downtime',
      phase: 'updated',
      reason: reason.id,
      category: reason.category,
      assignedBy: by,
    });
    const m = this.station(d.station);
    if (m.openDowntime?.downtimeId === downtimeId) {
      m.openDowntime = { ...m.openDowntime, reason: reason.id, category: reason.category };
      m.reason = reason.id;
    }
    return { ok: true };
  }

  acknowledgeAlert(alertId: string, by: Operator): CommandResult {
    this.commands.push({ kind: 'acknowledgeAlert', id: alertId, by });
    const a = this.alerts.get(alertId);
    if (a === undefined || a.status === 'resolved')
      return { ok: false, code: 'NOT_FOUND', message: `no active alert ${alertId}` };
    this.emit({
      ...a,
      ...this.base(a.station),
      type: 'alert',
      status: 'acknowledged',
      acknowledgedBy: { ...by, at: new Date(this.clock.wallMs()).toISOString() },
    });
    return { ok: true };
  }

  /** Products are tested on the real core (real-core.test.ts); the fake only records the call. */
  setProduct(target: { line: string; station?: string }, product: string | null, by: Operator): SetProductResult {
    this.commands.push({
      kind: 'setProduct',
      id: target.station ?? target.line,
      ...(product !== null ? { reason: product } : {}),
      by,
    });
    return { ok: false, code: 'NOT_AVAILABLE', message: 'the fake line runs no products' };
  }

  /** Orders are tested on the real core (real-core.test.ts); the fake has none. */
  startOrder(): OrderCommandResult {
    return { ok: false, code: 'NOT_AVAILABLE', message: 'the fake line runs no orders' };
  }

  stopOrder(): OrderCommandResult {
    return { ok: false, code: 'NOT_AVAILABLE', message: 'the fake line runs no orders' };
  }

  /** Scrap is tested on the real core (scrap.test.ts). */
  recordScrap(): ScrapCommandResult {
    return { ok: false, code: 'NOT_AVAILABLE', message: 'the fake line records no scrap' };
  }

  activeAlerts(): AlertEvent[] {
    return [...this.alerts.values()].filter((a) => a.status !== 'resolved');
  }
}
