/**
 * Contract-conforming ledger messages (docs/mqtt.md#ledger) for the plant server's tests, built
 * from a few figures per station: the output station's figures are the line's.
 */

export interface StationFigures {
  readonly station: string;
  readonly plannedMs: number;
  readonly runMs: number;
  readonly idealMs: number;
  readonly total: number;
  readonly good: number;
  readonly smallStopMs?: number;
  readonly downByReason?: Readonly<Record<string, number>>;
  readonly target?: number;
  readonly behindBy?: number;
}

export interface LedgerSpec {
  readonly line: string;
  readonly agentId?: string;
  readonly seq: number;
  readonly shift?: string;
  /** ISO start of the shift. */
  readonly start: string;
  readonly end: string;
  /** ISO time the figures describe. */
  readonly ts: string;
  readonly final?: boolean;
  /** In flow order; the last is the output station. */
  readonly stations: readonly StationFigures[];
}

function figures(s: StationFigures) {
  const downMs = Object.values(s.downByReason ?? {}).reduce((a, b) => a + b, 0);
  // plannedMs = runMs + downMs + starvedMs + blockedMs: the rest of planned time is starved.
  const starvedMs = Math.max(0, s.plannedMs - s.runMs - downMs);
  return {
    plannedMs: s.plannedMs,
    runMs: s.runMs,
    smallStopMs: s.smallStopMs ?? 0,
    downMs,
    downByReason: { ...(s.downByReason ?? {}) },
    starvedMs,
    blockedMs: 0,
    plannedStopMs: 0,
    commsLostMs: 0,
    idealMs: s.idealMs,
    total: s.total,
    good: s.good,
    reject: s.total - s.good,
    ...(s.target === undefined ? {} : { target: s.target }),
    ...(s.behindBy === undefined ? {} : { behindBy: s.behindBy }),
  };
}

export function ledgerMessage(spec: LedgerSpec): Record<string, unknown> {
  const output = spec.stations[spec.stations.length - 1];
  if (output === undefined) throw new Error('a ledger needs stations');
  const id = `${spec.line}-${String(spec.seq).padStart(9, '0')}`;
  return {
    id,
    eventId: id,
    seq: spec.seq,
    ts: spec.ts,
    agentId: spec.agentId ?? `${spec.line}-pi`,
    shift: spec.shift ?? 'early',
    start: spec.start,
    end: spec.end,
    final: spec.final ?? false,
    outputStation: output.station,
    line: figures(output),
    stations: spec.stations.map((s) => ({ station: s.station, ...figures(s) })),
  };
}

export const HOUR = 3_600_000;
