/**
 * Time and count buckets of one accounting window (a shift, a rolling bucket), and the OEE
 * figures computed from them, exactly as docs/oee.md defines:
 *
 *   planned production time = window - planned_stop - comms_lost
 *                           = running + small_stop + down + starved + blocked (every ms lands in one state)
 *   run time     = running + small_stop
 *   availability = run time / planned production time
 *   performance  = Σ(count x ideal cycle time of its product) / run time   (not capped: > 1 means an ideal is wrong)
 *   quality      = good / total
 *   MTBF = run time / down intervals, MTTR = downtime / down intervals
 *
 * A ratio whose denominator is 0 (nothing planned, no run time, no parts) is reported as 0.
 */
import type { OeeFigures, StationState } from './events.js';
import { waitKey, waitShares, type WaitCause, type WaitEntry } from './line-waits.js';
import { oeeRatios } from './oee-ratios.js';

/**
 * The states in the order of a checkpoint's `timeMs` columns (and of its `open.label` codes). Part
 * of the persisted format: never reorder, or old checkpoints restore into the wrong states.
 */
export const STATE_ORDER: readonly StationState[] = [
  'running',
  'small_stop',
  'down',
  'starved',
  'blocked',
  'planned_stop',
  'comms_lost',
];

/** ms per state. */
export type StateTimes = Record<StationState, number>;

function zeroTimes(): StateTimes {
  // Always built with the same keys in the same order, so every accumulator shares one shape.
  return { running: 0, small_stop: 0, down: 0, starved: 0, blocked: 0, planned_stop: 0, comms_lost: 0 };
}

/** JSON form, for checkpoints. */
export interface AccumulatorData {
  /** ms per state, in STATE_ORDER. */
  readonly timeMs: readonly number[];
  readonly total: number;
  readonly good: number;
  /** Σ ideal cycle time of the parts counted; absent in checkpoints from before products. */
  readonly idealMs?: number;
  readonly downByReason: Readonly<Record<string, number>>;
  readonly downIntervals: number;
  /** Rejects by scrap reason ("unassigned": no reason known); absent before scrap reasons. */
  readonly rejectsByReason?: Readonly<Record<string, number>>;
  /** Rejects in a start-up window after a changeover; absent before scrap reasons. */
  readonly startupRejects?: number;
  /** Starved and blocked time by cause (docs/oee.md#waits); absent before the attribution. */
  readonly waits?: readonly { readonly cause: WaitCause; readonly ms: number }[];
}

export class Accumulator {
  readonly timeMs: StateTimes = zeroTimes();
  total = 0;
  good = 0;
  /** Σ ideal cycle time of the parts counted (each at its product's ideal). */
  idealMs = 0;
  readonly downByReason = new Map<string, number>();
  /** down intervals that overlap the window (each counted once). */
  downIntervals = 0;
  /** Rejects by scrap reason (shift windows; docs/oee.md#scrap-reasons). */
  readonly rejectsByReason = new Map<string, number>();
  /** Of the rejects, those in a start-up window after a changeover. */
  startupRejects = 0;
  /** Starved and blocked time by cause (shift windows; docs/oee.md#waits). */
  readonly waits = new Map<string, WaitEntry>();

  /** `wait`: the cause of starved or blocked time (none known: booked to the wait itself). */
  addTime(state: StationState, reason: string | undefined, ms: number, wait?: WaitCause): void {
    if (!(ms > 0)) return;
    this.timeMs[state] += ms;
    if (state === 'down') {
      const key = reason ?? 'unassigned';
      this.downByReason.set(key, (this.downByReason.get(key) ?? 0) + ms);
    } else if (state === 'starved' || state === 'blocked') {
      this.addWait(wait !== undefined && wait.kind === state ? wait : { kind: state, state }, ms);
    }
  }

  private addWait(cause: WaitCause, ms: number): void {
    const key = waitKey(cause);
    const entry = this.waits.get(key);
    if (entry !== undefined) entry.ms += ms;
    else this.waits.set(key, { cause: { ...cause }, ms });
  }

  /** The waits a downtime caused follow its re-assigned reason. */
  renameWaitReason(downtimeId: string, reason: string): void {
    for (const entry of this.waits.values()) if (entry.cause.downtimeId === downtimeId) entry.cause.reason = reason;
  }

  addCycles(total: number, good: number, idealMs: number): void {
    this.total += total;
    this.good += good;
    this.idealMs += idealMs;
  }

  /** The reasons of rejects just counted (one per reject), and how many of them were start-up rejects. */
  addRejects(reasons: readonly string[], startup: number): void {
    for (const reason of reasons) this.rejectsByReason.set(reason, (this.rejectsByReason.get(reason) ?? 0) + 1);
    this.startupRejects += startup;
  }

  /** Good parts found bad afterwards (an operator's scrap entry): good becomes reject, with its reason. */
  scrapGood(count: number, reason: string): void {
    const moved = Math.min(Math.max(0, Math.floor(count)), this.good);
    if (moved <= 0) return;
    this.good -= moved;
    this.rejectsByReason.set(reason, (this.rejectsByReason.get(reason) ?? 0) + moved);
  }

  /** Moves downtime from one reason to another (an operator re-assigned it). */
  moveReason(from: string, to: string, ms: number): void {
    if (!(ms > 0) || from === to) return;
    const have = this.downByReason.get(from) ?? 0;
    const moved = Math.min(have, ms);
    if (moved <= 0) return;
    if (have - moved > 0.5) this.downByReason.set(from, have - moved);
    else this.downByReason.delete(from);
    this.downByReason.set(to, (this.downByReason.get(to) ?? 0) + moved);
  }

  clear(): void {
    for (const state of STATE_ORDER) this.timeMs[state] = 0;
    this.total = 0;
    this.good = 0;
    this.idealMs = 0;
    this.downByReason.clear();
    this.downIntervals = 0;
    this.rejectsByReason.clear();
    this.startupRejects = 0;
    this.waits.clear();
  }

  toData(): AccumulatorData {
    return {
      timeMs: STATE_ORDER.map((state) => this.timeMs[state]),
      total: this.total,
      good: this.good,
      idealMs: this.idealMs,
      downByReason: Object.fromEntries(this.downByReason),
      downIntervals: this.downIntervals,
      rejectsByReason: Object.fromEntries(this.rejectsByReason),
      startupRejects: this.startupRejects,
      waits: [...this.waits.values()].map((e) => ({ cause: { ...e.cause }, ms: e.ms })),
    };
  }

  /** `fallbackIdealMs`: the station's ideal, for data saved before products (every part at it). */
  static fromData(data: AccumulatorData, fallbackIdealMs: number): Accumulator {
    const acc = new Accumulator();
    data.timeMs.forEach((ms, i) => {
      const state = STATE_ORDER[i];
      if (state !== undefined && Number.isFinite(ms)) acc.timeMs[state] = ms;
    });
    acc.total = data.total;
    acc.good = data.good;
    acc.idealMs = data.idealMs ?? data.total * fallbackIdealMs;
    for (const [reason, ms] of Object.entries(data.downByReason)) acc.downByReason.set(reason, ms);
    acc.downIntervals = data.downIntervals;
    // Before scrap reasons every reject was one without a known reason.
    const byReason = data.rejectsByReason ?? (data.total > data.good ? { unassigned: data.total - data.good } : {});
    for (const [reason, n] of Object.entries(byReason)) acc.rejectsByReason.set(reason, n);
    acc.startupRejects = data.startupRejects ?? 0;
    // Before the attribution, waits were booked to no cause.
    const waits =
      data.waits ??
      (['starved', 'blocked'] as const).map((kind) => ({ cause: { kind, state: kind }, ms: acc.timeMs[kind] }));
    for (const { cause, ms } of waits) if (ms > 0) acc.addWait(cause, ms);
    return acc;
  }
}

/** The still-open state interval, added on top of committed time when figures are read live. */
export interface OpenPortion {
  readonly state: StationState;
  readonly reason: string | undefined;
  readonly ms: number;
  /** 1 when the open interval is a downtime not yet counted in this window. */
  readonly extraDownIntervals: number;
  /** The cause of an open starved or blocked interval. */
  readonly wait?: WaitCause;
}

export interface TargetInput {
  /** Parts per shift from the calendar, if configured. */
  readonly configured?: number;
  /** Scheduled production time of the whole shift not yet elapsed, ms (0 at the shift's end). */
  readonly remainingScheduledMs: number;
}

export interface FigureSource {
  readonly timeMs: Readonly<StateTimes>;
  readonly total: number;
  readonly good: number;
  readonly idealMs: number;
  readonly downByReason: ReadonlyMap<string, number>;
  readonly downIntervals: number;
  /** Shift windows: rejects by scrap reason and start-up rejects (absent: no split is reported). */
  readonly rejectsByReason?: ReadonlyMap<string, number>;
  readonly startupRejects?: number;
  /** Shift windows: starved and blocked time by cause (absent: no attribution is reported). */
  readonly waits?: ReadonlyMap<string, WaitEntry>;
}

/** `idealCycleTimeMs`: the running product's, for the target (performance uses `acc.idealMs`). */
export function computeFigures(
  acc: FigureSource,
  idealCycleTimeMs: number,
  open?: OpenPortion,
  target?: TargetInput,
): OeeFigures {
  const t = acc.timeMs;
  let running = t.running;
  let smallStop = t.small_stop;
  let down = t.down;
  let starved = t.starved;
  let blocked = t.blocked;
  let commsLost = t.comms_lost;
  let plannedStop = t.planned_stop;
  if (open !== undefined && open.ms > 0) {
    if (open.state === 'running') running += open.ms;
    else if (open.state === 'small_stop') smallStop += open.ms;
    else if (open.state === 'down') down += open.ms;
    else if (open.state === 'starved') starved += open.ms;
    else if (open.state === 'blocked') blocked += open.ms;
    else if (open.state === 'comms_lost') commsLost += open.ms;
    else plannedStop += open.ms;
  }
  const runTimeMs = running + smallStop;
  const plannedTimeMs = runTimeMs + down + starved + blocked;
  const total = acc.total;
  const good = acc.good;
  const ratios = oeeRatios({ plannedMs: plannedTimeMs, runMs: runTimeMs, idealMs: acc.idealMs, good, total });

  const downtimeByReason: Record<string, number> = {};
  for (const [reason, ms] of acc.downByReason) downtimeByReason[reason] = ms;
  if (open !== undefined && open.state === 'down' && open.ms > 0) {
    const key = open.reason ?? 'unassigned';
    downtimeByReason[key] = (downtimeByReason[key] ?? 0) + open.ms;
  }
  if (starved > 0) downtimeByReason.starved = (downtimeByReason.starved ?? 0) + starved;
  if (blocked > 0) downtimeByReason.blocked = (downtimeByReason.blocked ?? 0) + blocked;

  const downIntervals = acc.downIntervals + (open?.extraDownIntervals ?? 0);
  let targetParts: number | undefined;
  let behindBy: number | undefined;
  if (target !== undefined) {
    // The whole shift's planned time, as far as we know it: what was planned so far plus the
    // scheduled time still to come. At the shift's end this is the measured planned time.
    const expectedPlannedMs = plannedTimeMs + target.remainingScheduledMs;
    const full = target.configured ?? expectedPlannedMs / idealCycleTimeMs;
    const proRata =
      target.configured !== undefined
        ? expectedPlannedMs > 0
          ? (full * plannedTimeMs) / expectedPlannedMs
          : 0
        : plannedTimeMs / idealCycleTimeMs;
    targetParts = Math.round(full);
    behindBy = Math.round(proRata - good);
  }
  return {
    ...ratios,
    counts: { total, good, reject: total - good },
    ...(acc.rejectsByReason !== undefined ? { rejects: rejectSplit(acc, total - good) } : {}),
    ...(acc.waits !== undefined ? waitsField(acc.waits, open) : {}),
    runTimeMs,
    plannedTimeMs,
    downtimeMs: down,
    smallStopMs: smallStop,
    commsLostMs: commsLost,
    starvedMs: starved,
    blockedMs: blocked,
    plannedStopMs: plannedStop,
    idealMs: acc.idealMs,
    ...(targetParts !== undefined ? { target: targetParts, behindBy } : {}),
    downtimeByReason,
    ...(downIntervals > 0 ? { mtbfMs: runTimeMs / downIntervals, mttrMs: down / downIntervals } : {}),
  };
}

/** Rejects split into start-up and production rejects, and by scrap reason. */
function rejectSplit(acc: FigureSource, rejects: number): NonNullable<OeeFigures['rejects']> {
  const startup = Math.min(acc.startupRejects ?? 0, rejects);
  const byReason: Record<string, number> = {};
  for (const [reason, n] of acc.rejectsByReason ?? []) if (n > 0) byReason[reason] = n;
  return { startup, production: rejects - startup, byReason };
}

/** The waits of a shift window, the open interval's time added to its cause. */
function waitsField(waits: ReadonlyMap<string, WaitEntry>, open: OpenPortion | undefined): Pick<OeeFigures, 'waits'> {
  let entries: Iterable<WaitEntry> = waits.values();
  if (open !== undefined && open.ms > 0 && (open.state === 'starved' || open.state === 'blocked')) {
    const cause =
      open.wait !== undefined && open.wait.kind === open.state ? open.wait : { kind: open.state, state: open.state };
    const key = waitKey(cause);
    const merged = new Map<string, WaitEntry>();
    for (const [k, e] of waits) merged.set(k, { cause: e.cause, ms: e.ms });
    const entry = merged.get(key);
    if (entry !== undefined) entry.ms += open.ms;
    else merged.set(key, { cause, ms: open.ms });
    entries = merged.values();
  }
  const shares = waitShares(entries);
  return shares.length > 0 ? { waits: shares } : {};
}
