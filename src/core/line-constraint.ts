/**
 * The station that constrains a line now (docs/oee.md#constraint): what a manager at the line TV
 * asks first. In order:
 * 1. the station the most others wait for (line-waits.ts), a stop before a slow one, the output
 *    station's cause first on a tie;
 * 2. else a station that is stopped: down before a small stop, before comms lost; the longest first;
 * 3. else, everyone running, the bottleneck of the last hour: the station with the most run time
 *    per part (the others spend the difference waiting), with at least 3 parts counted.
 * A line that is on a break, or has no data yet, has none.
 */
import type { StationState } from './events.js';

/** What the rule reads of a station's snapshot (StationSnapshot in snapshot.ts has it all). */
export interface ConstraintInput {
  readonly id: string;
  readonly state: StationState;
  readonly reason?: string;
  readonly since: number;
  readonly waitingFor?: { readonly cause?: string };
  readonly oee: {
    readonly rolling: { readonly figures: { readonly runTimeMs: number; readonly counts: { readonly total: number } } };
  };
}

export interface LineConstraint {
  readonly station: string;
  /** The station's state; "slowest" when it runs and is the bottleneck of the last hour. */
  readonly why: StationState | 'slowest';
  readonly reason?: string;
  /** Wall ms the state began (not for "slowest"). */
  readonly since?: number;
  /** Stations waiting for it now, in flow order. */
  readonly waiting: readonly string[];
}

const STOP_RANK: Partial<Record<StationState, number>> = { down: 3, planned_stop: 2, small_stop: 2, comms_lost: 1 };

/** Parts in the rolling hour below which a run-time-per-part comparison means nothing. */
const MIN_PARTS = 3;

export function lineConstraint(
  stations: readonly ConstraintInput[],
  outputStation: string,
): LineConstraint | undefined {
  const waiting = new Map<string, string[]>();
  let outputCause: string | undefined;
  for (const st of stations) {
    const cause = st.waitingFor?.cause;
    if (cause === undefined) continue;
    waiting.set(cause, [...(waiting.get(cause) ?? []), st.id]);
    if (st.id === outputStation) outputCause = cause;
  }
  const byId = new Map(stations.map((s) => [s.id, s]));
  const causes = [...waiting.keys()]
    .map((id) => byId.get(id))
    .filter((s): s is ConstraintInput => s !== undefined)
    .sort(
      (a, b) =>
        (waiting.get(b.id)?.length ?? 0) - (waiting.get(a.id)?.length ?? 0) ||
        (STOP_RANK[b.state] ?? 0) - (STOP_RANK[a.state] ?? 0) ||
        Number(b.id === outputCause) - Number(a.id === outputCause),
    );
  const top = causes[0];
  if (top !== undefined) return constraintOf(top, waiting.get(top.id) ?? []);

  const stopped = stations
    .filter((s) => s.state !== 'planned_stop' && STOP_RANK[s.state] !== undefined)
    .sort((a, b) => (STOP_RANK[b.state] ?? 0) - (STOP_RANK[a.state] ?? 0) || a.since - b.since);
  const first = stopped[0];
  if (first !== undefined) return constraintOf(first, []);

  if (stations.some((s) => s.state !== 'running')) return undefined;
  let slowest: ConstraintInput | undefined;
  let slowestMs = 0;
  for (const s of stations) {
    const f = s.oee.rolling.figures;
    if (f.counts.total < MIN_PARTS) continue;
    const perPart = f.runTimeMs / f.counts.total;
    if (perPart > slowestMs) {
      slowest = s;
      slowestMs = perPart;
    }
  }
  return slowest !== undefined ? { station: slowest.id, why: 'slowest', waiting: [] } : undefined;
}

function constraintOf(s: ConstraintInput, waiting: readonly string[]): LineConstraint {
  if (s.state === 'running') return { station: s.id, why: 'slowest', waiting };
  return {
    station: s.id,
    why: s.state,
    ...(s.reason !== undefined && (s.state === 'down' || s.state === 'planned_stop') ? { reason: s.reason } : {}),
    since: s.since,
    waiting,
  };
}
