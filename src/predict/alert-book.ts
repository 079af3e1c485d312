/**
 * The alerts' lifecycle, shared by every detector: one alert per station and kind; it opens
 * once a finding has persisted for the kind's minimum duration, updates when its severity
 * changes (escalation at once, de-escalation at the next periodic update, so it does not flap)
 * and otherwise at most every `minUpdateIntervalMs`, and resolves after clear verdicts for
 * `clearAfterMs`. 'unknown' verdicts (machine stopped, not enough data) leave it as it is.
 * Acknowledging records who and a note; an escalation after that makes it active again.
 */
import type { ActionBy, AlertEvent } from '../core/events.js';
import type { AlertTiming } from './presets.js';
import { SEVERITY_RANK, type AlertKind, type Finding, type Severity, type Verdict } from './types.js';

/** Who acknowledged an alert (see ActionBy); kept on every later event of the alert. */
export type Acknowledgement = ActionBy;

export type AcknowledgeResult = { ok: true } | { ok: false; code: 'NOT_FOUND'; message: string };

interface OpenAlert {
  readonly alertId: string;
  readonly kind: AlertKind;
  readonly openedAt: number;
  severity: Severity;
  status: 'active' | 'acknowledged';
  finding: Finding;
  updatedAt: number;
  acknowledged?: ActionBy & { at: string };
  lastEvent: AlertEvent;
}

interface Slot {
  open: OpenAlert | undefined;
  pendingSince: number;
  clearSince: number;
}

interface StationBook {
  readonly line: string;
  seq: number;
  alerts: number;
  readonly slots: Map<AlertKind, Slot>;
}

export interface AlertBookCheckpoint {
  readonly stations: Readonly<
    Record<string, { readonly seq: number; readonly alerts: number; readonly open: readonly AlertEvent[] }>
  >;
}

export class AlertBook {
  private readonly stations = new Map<string, StationBook>();

  constructor(
    private readonly timing: Readonly<Record<AlertKind, AlertTiming>>,
    private readonly emit: (event: AlertEvent) => void,
  ) {}

  addStation(station: string, line: string): void {
    if (!this.stations.has(station)) this.stations.set(station, { line, seq: 0, alerts: 0, slots: new Map() });
  }

  private slot(book: StationBook, kind: AlertKind): Slot {
    let s = book.slots.get(kind);
    if (s === undefined) {
      s = { open: undefined, pendingSince: Number.NaN, clearSince: Number.NaN };
      book.slots.set(kind, s);
    }
    return s;
  }

  /** Applies one detector verdict taken at wall time `ts`. */
  process(station: string, kind: AlertKind, verdict: Verdict, ts: number): void {
    const book = this.stations.get(station);
    if (book === undefined || verdict === 'unknown') return;
    const slot = this.slot(book, kind);
    const timing = this.timing[kind];
    if (verdict === 'clear') {
      slot.pendingSince = Number.NaN;
      if (slot.open === undefined) return;
      if (Number.isNaN(slot.clearSince)) slot.clearSince = ts;
      if (ts - slot.clearSince >= timing.clearAfterMs) this.resolve(station, book, slot, ts);
      return;
    }
    slot.clearSince = Number.NaN;
    const open = slot.open;
    if (open === undefined) {
      if (Number.isNaN(slot.pendingSince)) slot.pendingSince = ts;
      if (ts - slot.pendingSince >= timing.raiseAfterMs || verdict.severity === 'critical')
        this.openAlert(station, book, slot, kind, verdict, ts);
      return;
    }
    open.finding = verdict;
    const escalated = SEVERITY_RANK[verdict.severity] > SEVERITY_RANK[open.severity];
    const due = ts - open.updatedAt >= timing.minUpdateIntervalMs;
    if (!escalated && !due) return;
    open.severity = verdict.severity;
    if (escalated && open.status === 'acknowledged') open.status = 'active';
    open.updatedAt = ts;
    this.publish(station, book, open, ts, undefined);
  }

  private openAlert(
    station: string,
    book: StationBook,
    slot: Slot,
    kind: AlertKind,
    finding: Finding,
    ts: number,
  ): void {
    book.alerts++;
    const open: OpenAlert = {
      alertId: `${station}-${kind}-${book.alerts}`,
      kind,
      openedAt: ts,
      severity: finding.severity,
      status: 'active',
      finding,
      updatedAt: ts,
      lastEvent: undefined as unknown as AlertEvent, // set by publish below
    };
    slot.open = open;
    slot.pendingSince = Number.NaN;
    this.publish(station, book, open, ts, undefined);
  }

  private resolve(station: string, book: StationBook, slot: Slot, ts: number): void {
    const open = slot.open as OpenAlert;
    slot.open = undefined;
    slot.clearSince = Number.NaN;
    this.publish(station, book, open, ts, ts);
  }

  private publish(
    station: string,
    book: StationBook,
    open: OpenAlert,
    ts: number,
    resolvedAt: number | undefined,
  ): void {
    book.seq++;
    const f = open.finding;
    const event: AlertEvent = {
      type: 'alert',
      id: `${station}-alert-${String(book.seq).padStart(9, '0')}`,
      line: book.line,
      station,
      seq: book.seq,
      ts,
      alertId: open.alertId,
      kind: open.kind,
      severity: open.severity,
      status: resolvedAt !== undefined ? 'resolved' : open.status,
      evidence: {
        summary: resolvedAt !== undefined ? `back to normal (was: ${f.summary})` : f.summary,
        ...f.evidence,
        openedAt: new Date(open.openedAt).toISOString(),
        updatedAt: new Date(ts).toISOString(),
        ...(resolvedAt !== undefined ? { resolvedAt: new Date(resolvedAt).toISOString() } : {}),
        ...(open.acknowledged !== undefined ? { acknowledged: open.acknowledged } : {}),
      },
      ...(f.predictedFailureAt !== undefined && resolvedAt === undefined
        ? { predictedFailureAt: f.predictedFailureAt }
        : {}),
      ...(open.acknowledged !== undefined ? { acknowledgedBy: open.acknowledged } : {}),
    };
    open.lastEvent = event;
    this.emit(event);
  }

  acknowledge(alertId: string, by: Acknowledgement, ts: number): AcknowledgeResult {
    for (const [station, book] of this.stations) {
      for (const slot of book.slots.values()) {
        const open = slot.open;
        if (open === undefined || open.alertId !== alertId) continue;
        open.status = 'acknowledged';
        open.acknowledged = { ...definedOnly(by), at: new Date(ts).toISOString() };
        open.updatedAt = ts;
        this.publish(station, book, open, ts, undefined);
        return { ok: true };
      }
    }
    return { ok: false, code: 'NOT_FOUND', message: `no open alert ${alertId} (it may have been resolved)` };
  }

  /** The latest event of every open (active or acknowledged) alert. */
  active(): AlertEvent[] {
    const out: AlertEvent[] = [];
    for (const book of this.stations.values())
      for (const slot of book.slots.values()) if (slot.open !== undefined) out.push(slot.open.lastEvent);
    return out;
  }

  checkpoint(): AlertBookCheckpoint {
    const stations: Record<string, { seq: number; alerts: number; open: AlertEvent[] }> = {};
    for (const [id, book] of this.stations) {
      stations[id] = {
        seq: book.seq,
        alerts: book.alerts,
        open: [...book.slots.values()].flatMap((s) => (s.open !== undefined ? [s.open.lastEvent] : [])),
      };
    }
    return { stations };
  }

  /** Restores counters and open alerts; their findings are refreshed by the next evaluations. */
  restore(cp: AlertBookCheckpoint, isKind: (kind: string) => kind is AlertKind): void {
    for (const [id, data] of Object.entries(cp.stations ?? {})) {
      const book = this.stations.get(id);
      if (book === undefined) continue;
      book.seq = Math.max(book.seq, Number(data.seq) || 0);
      book.alerts = Math.max(book.alerts, Number(data.alerts) || 0);
      for (const event of data.open ?? []) {
        if (!isKind(event.kind) || event.station !== id) continue;
        const { summary, openedAt, updatedAt, resolvedAt, acknowledged, ...evidence } = event.evidence as Record<
          string,
          unknown
        >;
        void updatedAt;
        void resolvedAt;
        const opened = typeof openedAt === 'string' ? Date.parse(openedAt) : event.ts;
        const slot = this.slot(book, event.kind);
        slot.open = {
          alertId: event.alertId,
          kind: event.kind,
          openedAt: Number.isFinite(opened) ? opened : event.ts,
          severity: event.severity,
          status: event.status === 'acknowledged' ? 'acknowledged' : 'active',
          finding: {
            severity: event.severity,
            summary: String(summary ?? ''),
            evidence,
            ...(event.predictedFailureAt !== undefined ? { predictedFailureAt: event.predictedFailureAt } : {}),
          },
          updatedAt: event.ts,
          ...(acknowledged !== undefined ? { acknowledged: acknowledged as { at: string } } : {}),
          lastEvent: event,
        };
      }
    }
  }
}

function definedOnly(by: ActionBy): ActionBy {
  return Object.fromEntries(Object.entries(by).filter(([, v]) => v !== undefined)) as ActionBy;
}
