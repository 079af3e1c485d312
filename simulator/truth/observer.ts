/**
 * Turns one station's signals into the state intervals the agent should report (docs/oee.md),
 * using only what the register maps expose: a fault code that is not mapped cannot make the
 * station "down" at once, an unmapped starved bit makes starving look like an unexplained stop,
 * and stops are inferred from gaps between cycles unless the agent trusts a running bit.
 *
 * Precedence: planned_stop (calendar, then the PLC's planned-stop bit) > down (fault code) >
 * blocked > starved > unexplained stop > running. An unexplained stop is the time the station
 * is stopped with none of the higher signals set; it is a small stop when it lasts less than
 * microStopThreshold, else downtime ("unassigned") counted from its start. Each contiguous
 * unexplained stretch is classified on its own, so a break cutting a long stop in two yields two
 * downtimes, as docs/oee.md asks for breakdowns. All times are wall ms of the virtual clock.
 *
 * Gaps (docs/oee.md): the station is "eligible" while nothing but the gap rule could stop it (no
 * higher state, and its running bit on when one is watched). Each eligible stretch starts at a
 * cycle end or when the station turned eligible (the anchor). With no cycle end for
 * stoppedAfterIdealCycles x idealCycleTime after the anchor, the stretch is a stop from the anchor
 * until the next cycle's end minus the ideal cycle time, or until the station stops being eligible.
 *
 * Changeovers (docs/oee.md#changeovers): a product change starts one; it ends where the first
 * good part of the new product began (that part's end minus the product's ideal), and counts for
 * nothing when that part completed within one ideal cycle of the change. Until that part comes,
 * what follows the change is not known: snapshots wait (as in the gap modes) and are replayed
 * once it is. A changeover ranks below planned stops and above everything else.
 */
import type { ShiftLedger } from './ledger.js';
import {
  iso,
  type Cause,
  type ChangeoverRecord,
  type StateRecord,
  type StopDetection,
  type TruthState,
} from './records.js';

export interface StationSignals {
  readonly running: boolean;
  readonly faultCode: number;
  readonly starved: boolean;
  readonly blocked: boolean;
  readonly plannedBit: boolean;
  /** Reason when the shift calendar says planned stop ("off_shift" or a break's name). */
  readonly calendarPlanned: string | undefined;
  readonly cause: Cause;
  readonly episode: string | undefined;
}

export interface Observation {
  readonly station: string;
  readonly idealCycleTimeMs: number;
  readonly microStopThresholdMs: number;
  readonly stoppedAfterIdealCycles: number;
  readonly stopDetection: StopDetection;
  readonly faultCode: boolean;
  readonly starved: boolean;
  readonly blocked: boolean;
  readonly plannedStop: boolean;
  readonly faultReasons: ReadonlyMap<number, string>;
  /** Changeovers are planned stops (the line's changeovers.planned), else setup downtime. */
  readonly changeoverPlanned: boolean;
}

/** A changeover: `to` is unknown until the first good part of the new product. */
interface Changeover {
  readonly from: number;
  readonly fromProduct: string;
  toProduct: string;
  /** The new product's ideal cycle time at this station. */
  ideal: number;
  to: number | undefined;
}

type Raw = 'planned_stop' | 'down' | 'blocked' | 'starved' | 'stop' | 'running';

interface Current {
  raw: Raw;
  reason: string | null;
  cause: Cause;
  faultCode: number | undefined;
  episode: string | undefined;
  sinceMs: number;
  accountedUntilMs: number;
  id: number;
}

let nextIntervalId = 1;

export class StationObserver {
  private current: Current | undefined;
  /** Gap modes: signal snapshots not yet applied, replayed once stops are known. */
  private pending: { t: number; signals: StationSignals }[] = [];
  private lastSignals: StationSignals | undefined;
  /** Gap modes: start of the current eligible stretch (see the file comment). */
  private anchorMs: number;
  /** Gap modes: the latest snapshot is not eligible (a higher state, or the bit is low). */
  private held = false;
  private readonly byGap: boolean;
  private readonly byBit: boolean;
  /** The ideal cycle time of the product being made (the station's own without products). */
  private ideal: number;
  private changeover: Changeover | undefined;

  constructor(
    private readonly obs: Observation,
    private readonly ledger: ShiftLedger,
    private readonly emit: (record: StateRecord | ChangeoverRecord) => void,
    runStartMs: number,
  ) {
    this.anchorMs = runStartMs;
    this.byGap = obs.stopDetection !== 'running-bit';
    this.byBit = obs.stopDetection !== 'cycle-gap';
    this.ideal = obs.idealCycleTimeMs;
  }

  private get stopAfterMs(): number {
    return this.obs.stoppedAfterIdealCycles * this.ideal;
  }

  /** The run's first product (no changeover). */
  setProduct(idealMs: number): void {
    this.ideal = idealMs;
  }

  /** The product changed at `t` (a changeover starts, or the one under way now leads to `to`). */
  productChanged(t: number, from: string, to: string, idealMs: number): void {
    this.ideal = idealMs;
    const c = this.changeover;
    if (c !== undefined) {
      c.toProduct = to;
      c.ideal = idealMs;
      return;
    }
    // The changeover ends the eligible stretch, as a higher state would.
    if (this.byGap && !this.held) this.endStretch(t);
    this.changeover = { from: t, fromProduct: from, toProduct: to, ideal: idealMs, to: undefined };
  }

  /** The station's signals as of time t (called once per simulated instant, after all events at t). */
  signals(t: number, signals: StationSignals): void {
    if (!this.byGap && this.changeover === undefined) {
      this.lastSignals = signals;
      this.apply(t, signals, !signals.running);
      return;
    }
    if (!this.byGap) {
      this.pending.push({ t, signals });
      return;
    }
    const eligible =
      this.changeover === undefined && this.classify(signals, this.byBit && !signals.running, false).raw === 'running';
    if (!eligible && !this.held) this.endStretch(t);
    else if (eligible && this.held) {
      this.replay(Infinity, Infinity, t);
      this.anchorMs = t;
      this.held = false;
    }
    this.pending.push({ t, signals });
  }

  /**
   * A cycle ended at `t` (called before signals() at the same instant), `good` or not, made as a
   * product whose ideal cycle time here is `idealMs`.
   */
  cycleEnded(t: number, good: boolean, idealMs: number): void {
    const c = this.changeover;
    if (c !== undefined) {
      if (!good) return;
      // The first good part of the new product: the changeover is known, and so is all before t.
      c.to = t - c.from > c.ideal ? t - c.ideal : c.from;
      this.replay(Infinity, Infinity, t);
      this.emit({
        type: 'changeover',
        station: this.obs.station,
        from: c.fromProduct,
        to: c.toProduct,
        start: iso(c.from),
        startMs: c.from,
        end: iso(c.to),
        endMs: c.to,
        durationMs: c.to - c.from,
      });
      this.changeover = undefined;
      this.held = false;
      this.anchorMs = t;
      return;
    }
    if (!this.byGap) return;
    const stopped = !this.held && t - this.anchorMs > this.stopAfterMs;
    // Stopped from the anchor until this cycle's end minus the ideal cycle time.
    this.replay(stopped ? this.anchorMs : Infinity, t - idealMs, t);
    this.anchorMs = t;
  }

  /**
   * Accounts everything up to `now` whose classification is already certain, so a shift record
   * can be written. In an eligible stretch only what lies more than one ideal cycle back is certain.
   */
  flush(now: number): void {
    let certainUntil = now;
    const co = this.changeover;
    if (co !== undefined) {
      // A changeover that outlasted one ideal cycle runs at least until now - ideal.
      certainUntil = now - co.from > co.ideal ? now - co.ideal : co.from;
      this.replay(Infinity, Infinity, certainUntil);
    } else if (this.byGap) {
      if (this.held) this.replay(Infinity, Infinity, now);
      else if (now - this.anchorMs > this.stopAfterMs) {
        // Stopped since the anchor, and the stop cannot end before now - ideal.
        certainUntil = now - this.ideal;
        this.replay(this.anchorMs, Infinity, certainUntil);
      } else certainUntil = this.anchorMs;
    }
    const c = this.current;
    if (c === undefined || certainUntil <= c.accountedUntilMs) return;
    if (c.raw === 'stop' && certainUntil - c.sinceMs < this.obs.microStopThresholdMs) return;
    const { state, reason } = this.finalState(c, certainUntil);
    this.ledger.addTime(this.obs.station, state, reason, c.accountedUntilMs, certainUntil, c.id);
    c.accountedUntilMs = certainUntil;
  }

  /** Closes the open interval at the end of the run. */
  finish(t: number): void {
    const co = this.changeover;
    if (co !== undefined) {
      co.to = t - co.from > co.ideal ? Infinity : co.from;
      this.replay(Infinity, Infinity, t);
    } else if (this.byGap) {
      const stopped = !this.held && t - this.anchorMs > this.stopAfterMs;
      this.replay(stopped ? this.anchorMs : Infinity, Infinity, t);
    }
    this.close(t);
    this.current = undefined;
  }

  /** Gap modes: the eligible stretch ends at `t`, a stop from the anchor if it outlasted the gap. */
  private endStretch(t: number): void {
    this.replay(t - this.anchorMs > this.stopAfterMs ? this.anchorMs : Infinity, t, t);
    this.held = true;
  }

  /** Gap modes: applies pending snapshots before `untilMs`, gap-stopped on [stopFrom, stopTo). */
  private replay(stopFrom: number, stopTo: number, untilMs: number): void {
    const marks = new Set<number>();
    for (const p of this.pending) if (p.t < untilMs) marks.add(p.t);
    if (stopFrom < untilMs) marks.add(stopFrom);
    if (stopTo < untilMs && stopTo > stopFrom) marks.add(stopTo);
    const c = this.changeover;
    if (c !== undefined && c.from < untilMs) marks.add(c.from);
    if (c?.to !== undefined && c.to < untilMs) marks.add(c.to);
    let i = 0;
    for (const t of [...marks].sort((a, b) => a - b)) {
      while (i < this.pending.length && (this.pending[i] as { t: number }).t <= t) {
        this.lastSignals = (this.pending[i] as { signals: StationSignals }).signals;
        i++;
      }
      const s = this.lastSignals;
      if (s !== undefined) this.apply(t, s, (t >= stopFrom && t < stopTo) || (this.byBit && !s.running));
    }
    this.pending = this.pending.slice(i);
  }

  /** In the changeover at `t` (an unresolved one runs on: callers replay only what is certain). */
  private inChangeover(t: number): boolean {
    const c = this.changeover;
    return c !== undefined && t >= c.from && (c.to === undefined || t < c.to);
  }

  private classify(s: StationSignals, stopped: boolean, changeover: boolean): { raw: Raw; reason: string | null } {
    const o = this.obs;
    if (s.calendarPlanned !== undefined) return { raw: 'planned_stop', reason: s.calendarPlanned };
    if (o.plannedStop && s.plannedBit) return { raw: 'planned_stop', reason: 'plc_planned_stop' };
    if (changeover) return { raw: o.changeoverPlanned ? 'planned_stop' : 'down', reason: 'changeover' };
    if (o.faultCode && s.faultCode > 0) return { raw: 'down', reason: o.faultReasons.get(s.faultCode) ?? 'unassigned' };
    if (o.blocked && s.blocked) return { raw: 'blocked', reason: 'blocked' };
    if (o.starved && s.starved) return { raw: 'starved', reason: 'starved' };
    if (stopped) return { raw: 'stop', reason: null };
    return { raw: 'running', reason: null };
  }

  private apply(t: number, s: StationSignals, stopped: boolean): void {
    const next = this.classify(s, stopped, this.inChangeover(t));
    const c = this.current;
    if (c !== undefined && c.raw === next.raw && c.reason === next.reason) return;
    this.close(t);
    this.current = {
      raw: next.raw,
      reason: next.reason,
      cause: s.cause,
      faultCode: s.faultCode > 0 ? s.faultCode : undefined,
      episode: s.episode,
      sinceMs: t,
      accountedUntilMs: t,
      id: nextIntervalId++,
    };
  }

  private finalState(c: Current, endMs: number): { state: TruthState; reason: string | null } {
    if (c.raw !== 'stop') return { state: c.raw, reason: c.reason };
    return endMs - c.sinceMs < this.obs.microStopThresholdMs
      ? { state: 'small_stop', reason: null }
      : { state: 'down', reason: 'unassigned' };
  }

  private close(t: number): void {
    const c = this.current;
    if (c === undefined || t <= c.sinceMs) return;
    const { state, reason } = this.finalState(c, t);
    this.ledger.addTime(this.obs.station, state, reason, c.accountedUntilMs, t, c.id);
    const startMs = c.sinceMs;
    const endMs = t;
    this.emit({
      type: 'state',
      station: this.obs.station,
      state,
      reason,
      cause: c.cause,
      start: iso(startMs),
      startMs,
      end: iso(endMs),
      endMs,
      durationMs: t - c.sinceMs,
      ...(c.faultCode !== undefined && (state === 'down' || c.cause === 'breakdown') ? { faultCode: c.faultCode } : {}),
      ...(c.episode !== undefined && c.cause === 'breakdown' ? { episode: c.episode } : {}),
    });
  }
}
