/**
 * Fault recurrence: the same fault code coming back again and again is a machine asking for a
 * proper repair. Occurrences of each code are counted over a window of running time; an alert
 * needs `minCount` occurrences AND a count that is improbable at that code's own baseline rate
 * (Poisson), so a station whose jams are routine does not cry wolf at every third jam.
 */
import type { FaultRecurrenceTuning } from '../presets.js';
import { poissonUpperTail } from '../stats/poisson.js';
import { round, windowOf, type Finding, type Verdict } from '../types.js';

const HOUR = 3_600_000;
/** Shortest span a scan test uses (two faults a minute apart are one incident, not a rate). */
const MIN_SPAN_MS = 30 * 60_000;

interface CodeHistory {
  readonly code: string;
  reason: string;
  /** Running-time positions and wall times of occurrences inside the window. */
  readonly positions: number[];
  readonly walls: number[];
  /** Occurrences that left the window (the baseline). */
  baselineCount: number;
}

export interface FaultRecurrenceCheckpoint {
  readonly observedRunMs: number;
  readonly codes: Readonly<Record<string, { readonly reason: string; readonly baselineCount: number }>>;
}

export class FaultRecurrenceDetector {
  private readonly codes = new Map<string, CodeHistory>();
  private originRunMs = Number.NaN;
  /** Running time observed before this process (restored). */
  private restoredRunMs = 0;

  constructor(private readonly tuning: FaultRecurrenceTuning) {}

  /** A downtime started with this fault code (or reason when the PLC gives no code). */
  onFault(code: string, reason: string, runningMs: number, wallMs: number): void {
    if (Number.isNaN(this.originRunMs)) this.originRunMs = runningMs;
    let h = this.codes.get(code);
    if (h === undefined) {
      h = { code, reason, positions: [], walls: [], baselineCount: 0 };
      this.codes.set(code, h);
    }
    h.reason = reason;
    h.positions.push(runningMs);
    h.walls.push(wallMs);
  }

  evaluate(runningMs: number, wallMs: number): Verdict {
    const t = this.tuning;
    if (Number.isNaN(this.originRunMs)) this.originRunMs = runningMs;
    const observedRunMs = this.restoredRunMs + (runningMs - this.originRunMs);
    const windowStart = runningMs - t.windowRunMs;
    let worst: { finding: Finding; p: number } | undefined;
    for (const h of this.codes.values()) {
      while (h.positions.length > 0 && (h.positions[0] as number) <= windowStart) {
        h.positions.shift();
        h.walls.shift();
        h.baselineCount++;
      }
      const k = h.positions.length;
      if (k < t.minCount) continue;
      const baselineRunMs = Math.max(1, observedRunMs - Math.min(t.windowRunMs, observedRunMs));
      const armed = observedRunMs >= t.minBaselineRunMs;
      // Half an occurrence of prior: a code never seen before is rare, not impossible.
      const rate = (h.baselineCount + 0.5) / baselineRunMs;
      // Scan over the window: a burst of repeats in the last hour is as telling as the same
      // count spread over the whole window. Each start occurrence is one test; the smallest p is
      // corrected for the number of tests (Bonferroni) so scanning does not inflate false alarms.
      const windowExposure = Math.min(t.windowRunMs, observedRunMs);
      const tests = k - t.minCount + 1;
      let p = 1;
      let expected = rate * windowExposure;
      let exposure = windowExposure;
      let count = k;
      for (let j = 0; j < tests; j++) {
        const span = Math.min(windowExposure, Math.max(MIN_SPAN_MS, runningMs - (h.positions[j] as number)));
        const e = rate * span;
        const pj = Math.min(1, poissonUpperTail(k - j, e) * tests);
        if (pj < p) {
          p = pj;
          expected = e;
          exposure = span;
          count = k - j;
        }
      }
      // Before the baseline is trusted only a blatant repetition speaks (twice the count).
      const significant = armed ? p < t.alpha : k >= 2 * t.minCount;
      if (!significant) continue;
      if (worst !== undefined && worst.p <= p) continue;
      worst = {
        p,
        finding: {
          severity: 'warning',
          summary: `fault ${h.code} (${h.reason}) ${count} times in the last ${round(exposure / HOUR, 1)} h of running${armed ? `, about ${round(expected, 2)} expected` : ''}`,
          evidence: {
            detector: 'fault_recurrence',
            faultCode: h.code,
            reason: h.reason,
            count,
            countInWindow: k,
            minCount: t.minCount,
            expected: armed ? round(expected, 3) : null,
            baselinePerRunHour: armed ? round(rate * HOUR, 4) : null,
            baselineArmed: armed,
            pValue: p < 1e-12 ? 0 : Number(p.toPrecision(3)),
            alpha: t.alpha,
            occurrences: h.walls.slice(k - count).map((w) => new Date(w).toISOString()),
            test: `poisson upper tail, scanned over ${tests} start${tests > 1 ? 's' : ''} (Bonferroni)`,
            windowRunHours: round(exposure / HOUR, 2),
            window: windowOf(h.walls[k - count] as number, wallMs),
          },
        },
      };
    }
    return worst !== undefined ? worst.finding : 'clear';
  }

  checkpoint(runningMs: number): FaultRecurrenceCheckpoint {
    const codes: Record<string, { reason: string; baselineCount: number }> = {};
    // Occurrences still in the window are folded into the baseline: positions do not survive a restart.
    for (const h of this.codes.values())
      codes[h.code] = { reason: h.reason, baselineCount: h.baselineCount + h.positions.length };
    const observed = this.restoredRunMs + (Number.isNaN(this.originRunMs) ? 0 : runningMs - this.originRunMs);
    return { observedRunMs: observed, codes };
  }

  restore(cp: FaultRecurrenceCheckpoint): void {
    if (Number.isFinite(cp.observedRunMs)) this.restoredRunMs = cp.observedRunMs;
    for (const [code, v] of Object.entries(cp.codes ?? {})) {
      if (!Number.isFinite(v.baselineCount)) continue;
      this.codes.set(code, {
        code,
        reason: String(v.reason),
        positions: [],
        walls: [],
        baselineCount: v.baselineCount,
      });
    }
  }
}
