/**
 * The plant view as `GET /api/plant` and the `/ws` feed send it (docs/plant.md#api). Times are
 * ms since the epoch; durations ms; ratios 0..1 (not capped: a performance over 1 shows a wrong
 * ideal cycle time rather than hiding it).
 */

/** OEE and its factors, 0..1. */
export interface Ratios {
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
}

export interface PlantFigures {
  readonly name?: string;
  /** IANA zone the page shows times in (plant.yaml `plant.timezone`). */
  readonly timezone: string;
  readonly oee: Ratios;
  readonly teep: number;
  readonly plannedMs: number;
  readonly runMs: number;
  readonly idealMs: number;
  /** Σ elapsed shift wall time of the summed ledgers (TEEP's denominator). */
  readonly elapsedMs: number;
  readonly good: number;
  readonly total: number;
  /** Σ of the lines' shift targets, when every summed line has one. */
  readonly target: number | null;
  readonly behindBy: number | null;
  readonly hoursLost: number;
  /** Lines whose ledger is in the sums. */
  readonly linesInFigures: number;
  readonly linesOnline: number;
  readonly linesTotal: number;
}

export interface PlantLineView {
  readonly site: string;
  readonly line: string;
  /** From the line's ledger; null until one came. */
  readonly agentId: string | null;
  readonly online: boolean;
  /** The agent's retained status; `unknown` before one came. */
  readonly status: 'online' | 'offline' | 'unknown';
  /** When the plant server received the current status (a retained one: when it connected). */
  readonly statusSince: number | null;
  /** `ledger`: figures from the shift's ledger; `oee`: from the line's oee topic (no ledger yet; not in the plant sums). */
  readonly source: 'ledger' | 'oee' | 'none';
  readonly shift: string | null;
  readonly shiftStart: number | null;
  readonly shiftEnd: number | null;
  readonly final: boolean;
  /** The ledger's (or oee's) `ts`: the moment the figures describe. */
  readonly asOf: number | null;
  readonly oee: Ratios | null;
  readonly plannedMs: number | null;
  readonly good: number | null;
  readonly total: number | null;
  readonly target: number | null;
  readonly behindBy: number | null;
  readonly worstStation: string | null;
  readonly worstStationLostMs: number | null;
  readonly topLoss: { readonly station: string; readonly reason: string; readonly ms: number } | null;
  readonly hoursLost: number | null;
  /** Stations whose retained state is `down` now. */
  readonly stationsDown: readonly string[];
  /** The agent's own dashboard, from plant.yaml `lines`. */
  readonly url?: string;
}

export interface PlantView {
  readonly plant: PlantFigures;
  /** Ranked by hours lost, most first; lines without figures last. */
  readonly lines: readonly PlantLineView[];
}

/** One stored shift ledger, as `GET /api/plant/shifts` lists it. */
export interface ShiftRow {
  readonly site: string;
  readonly line: string;
  readonly shift: string | null;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  readonly seq: number;
  readonly asOf: number;
  readonly agentId: string;
  readonly oee: Ratios;
  readonly plannedMs: number;
  readonly runMs: number;
  readonly idealMs: number;
  readonly good: number;
  readonly total: number;
  readonly target: number | null;
  readonly behindBy: number | null;
  readonly hoursLost: number;
}
