/**
 * Who a waiting station waits for (docs/oee.md#waits). A line's stations are listed in flow order
 * (parts go from the first to the last). A starved station waits for parts from upstream: its
 * cause is the nearest upstream station that is not starved itself, in whatever state it is in
 * (down with its reason, a small stop, a planned stop, comms lost, or running: then it is slower);
 * when every station upstream is starved too, the wait comes from outside the line (no supply) and
 * has no cause station. Blocked is the mirror image, downstream (no take-off).
 *
 * The attribution is booked as time passes: whenever a station of the line changes state, each
 * waiting station's time up to then is booked to the cause it had, and the new cause applies from
 * then on. A cause that is a downtime is tied to that downtime's id, so an operator re-assigning its
 * reason moves the waits it caused with it.
 */
import type { StationState, WaitShare } from './events.js';

export interface WaitCause {
  readonly kind: 'starved' | 'blocked';
  readonly cause?: string;
  readonly state: StationState;
  /** The cause's reason (downtime or planned stop); an operator's re-assignment updates it. */
  reason?: string;
  /** The cause's downtime, whose reason this follows. */
  readonly downtimeId?: string;
}

/** What the attribution needs of a station: its id and current state. */
export interface WaitingStation {
  readonly id: string;
  readonly state: StationState;
  readonly reason: string | undefined;
  readonly downtimeId: string | undefined;
}

/** Identity of a cause: the same downtime stays the same cause when its reason is re-assigned. */
export function waitKey(c: WaitCause): string {
  return `${c.kind}|${c.cause ?? ''}|${c.state}|${c.downtimeId ?? c.reason ?? ''}`;
}

/**
 * The cause of station `index`'s wait, or undefined when it does not wait. `stations` in flow
 * order.
 */
export function waitCauseOf(stations: readonly WaitingStation[], index: number): WaitCause | undefined {
  const me = stations[index];
  if (me === undefined || (me.state !== 'starved' && me.state !== 'blocked')) return undefined;
  const kind = me.state;
  const step = kind === 'starved' ? -1 : 1;
  for (let j = index + step; j >= 0 && j < stations.length; j += step) {
    const s = stations[j] as WaitingStation;
    if (s.state === kind) continue;
    return {
      kind,
      cause: s.id,
      state: s.state,
      ...(s.reason !== undefined && (s.state === 'down' || s.state === 'planned_stop') ? { reason: s.reason } : {}),
      ...(s.downtimeId !== undefined && s.state === 'down' ? { downtimeId: s.downtimeId } : {}),
    };
  }
  return { kind, state: kind };
}

/** One cause's booked wait time (an accumulator's entry). */
export interface WaitEntry {
  readonly cause: WaitCause;
  ms: number;
}

/** Wait entries as figures report them: longest first, without the internal downtime id. */
export function waitShares(entries: Iterable<WaitEntry>): WaitShare[] {
  const out: WaitShare[] = [];
  for (const { cause: c, ms } of entries) {
    if (!(ms > 0)) continue;
    out.push({
      kind: c.kind,
      ...(c.cause !== undefined ? { cause: c.cause } : {}),
      state: c.state,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ms,
    });
  }
  return out.sort((a, b) => b.ms - a.ms);
}

/** What the tracker needs of a station (core's Station). */
export interface WaitTrackedStation {
  readonly id: string;
  readonly interval: {
    readonly state: StationState;
    readonly reason: string | undefined;
    readonly downtime: { readonly id: string } | undefined;
  };
  attributeWait(cause: WaitCause | undefined, atMono: number): void;
  renameWaitReason(downtimeId: string, reason: string): void;
}

/** Keeps every waiting station's cause current as the line's stations change state. */
export class LineWaits<S extends WaitTrackedStation> {
  private readonly byLine = new Map<string, readonly S[]>();

  /** `lines`: each line's stations in flow order. */
  constructor(lines: ReadonlyMap<string, readonly S[]>) {
    for (const [id, stations] of lines) if (stations.length > 1) this.byLine.set(id, stations);
  }

  /** A station of `line` changed state (or reason) at `atMono`. */
  changed(line: string, atMono: number): void {
    const stations = this.byLine.get(line);
    if (stations === undefined) return;
    const view: WaitingStation[] = stations.map((st) => ({
      id: st.id,
      state: st.interval.state,
      reason: st.interval.reason,
      downtimeId: st.interval.downtime?.id,
    }));
    stations.forEach((st, i) => st.attributeWait(waitCauseOf(view, i), atMono));
  }

  /** Every line, e.g. after a restart restored the stations' states. */
  changedAll(atMono: number): void {
    for (const line of this.byLine.keys()) this.changed(line, atMono);
  }

  /** Downtime `downtimeId` of a station of `line` got another reason: the waits it caused follow. */
  reasonAssigned(line: string, downtimeId: string, reason: string): void {
    for (const st of this.byLine.get(line) ?? []) st.renameWaitReason(downtimeId, reason);
  }
}
