/**
 * A plausible shift so far, for screenshots and benchmarks: three hours of state spans, cycles,
 * downtime with and without reasons, a break, an alert and OEE figures, written to the history
 * as the core's events would have been, and the fake's live state set to match.
 */
import type { CoreEvent, OeeFigures, StationState } from '../../../../src/core/events.js';
import { figures } from './fake-line.js';
import type { Harness } from './harness.js';

/** Deterministic pseudo-random numbers (no Math.random: screenshots must be reproducible). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Plan {
  readonly state: StationState;
  readonly minutes: number;
  readonly reason?: string;
}

const PLANS: Record<string, Plan[]> = {
  press: [
    { state: 'running', minutes: 42 },
    { state: 'small_stop', minutes: 1 },
    { state: 'running', minutes: 30 },
    { state: 'down', minutes: 14, reason: 'die-jam' },
    { state: 'running', minutes: 20 },
    { state: 'planned_stop', minutes: 15 },
    { state: 'running', minutes: 38 },
    { state: 'small_stop', minutes: 1 },
    { state: 'running', minutes: 19 },
  ],
  weld: [
    { state: 'running', minutes: 25 },
    { state: 'starved', minutes: 6 },
    { state: 'running', minutes: 50 },
    { state: 'down', minutes: 9, reason: 'unassigned' },
    { state: 'running', minutes: 11 },
    { state: 'planned_stop', minutes: 15 },
    { state: 'running', minutes: 44 },
    { state: 'small_stop', minutes: 1 },
    { state: 'running', minutes: 19 },
  ],
  pack: [
    { state: 'running', minutes: 60 },
    { state: 'blocked', minutes: 4 },
    { state: 'running', minutes: 26 },
    { state: 'down', minutes: 22, reason: 'hydraulic' },
    { state: 'planned_stop', minutes: 15 },
    { state: 'running', minutes: 53 },
  ],
};

export function populateShift(h: Harness): void {
  const rand = prng(7);
  const now = h.clock.wallMs();
  const shift = h.fake.shift;
  const start = shift?.start ?? now - 3 * 3600_000;
  const line = h.config.lines[0];
  if (line === undefined) return;
  let downtimeNo = 0;
  for (const st of line.stations) {
    const plan = PLANS[st.id] ?? PLANS.press ?? [];
    const ideal = st.idealCycleTime;
    let t = start;
    let seq = 0;
    let total = 0;
    let good = 0;
    const downByReason: Record<string, number> = {};
    let runMs = 0;
    let plannedMs = 0;
    let lastCycle = ideal;
    const ev = (e: Record<string, unknown>): CoreEvent =>
      ({ id: `${st.id}-${++seq}`, line: line.id, station: st.id, seq, ...e }) as unknown as CoreEvent;
    let previous: StationState = 'comms_lost';
    for (const [i, p] of plan.entries()) {
      const end = i === plan.length - 1 ? now : Math.min(now, t + p.minutes * 60_000);
      h.history.record(
        ev({
          type: 'state',
          ts: t,
          state: p.state,
          previous,
          since: t,
          ...(p.reason !== undefined ? { reason: p.reason } : {}),
        }),
      );
      previous = p.state;
      if (p.state === 'down') {
        const id = `dt-${st.id}-h${++downtimeNo}`;
        const reason = p.reason ?? 'unassigned';
        h.history.record(
          ev({ type: 'downtime', ts: t, phase: 'started', downtimeId: id, start: t, reason, category: 'breakdown' }),
        );
        if (end < now)
          h.history.record(
            ev({
              type: 'downtime',
              ts: end,
              phase: 'ended',
              downtimeId: id,
              start: t,
              end,
              durationMs: end - t,
              reason,
              category: 'breakdown',
            }),
          );
        downByReason[reason] = (downByReason[reason] ?? 0) + (end - t);
      }
      if (p.state === 'starved' || p.state === 'blocked')
        downByReason[p.state] = (downByReason[p.state] ?? 0) + (end - t);
      if (p.state === 'planned_stop') plannedMs += end - t;
      if (p.state === 'running' || p.state === 'small_stop') {
        runMs += end - t;
        // Cycle times drift up a little on the weld cell (the electrode wears).
        for (let c = t + ideal; c < end; ) {
          const drift = st.id === 'weld' ? ((c - start) / (3 * 3600_000)) * 0.12 : 0;
          lastCycle = ideal * (1.02 + drift + rand() * 0.1 + (rand() < 0.03 ? 0.6 : 0));
          const isGood = rand() > 0.015;
          h.history.record(
            ev({
              type: 'cycle',
              ts: Math.round(c),
              cycleTimeMs: Math.round(lastCycle),
              good: isGood,
              shift: shift?.name,
            }),
          );
          total++;
          if (isGood) good++;
          c += lastCycle;
        }
      }
      t = end;
    }
    const plannedProductionMs = now - start - plannedMs;
    const availability = runMs / plannedProductionMs;
    const performance = (ideal * total) / runMs;
    const quality = total > 0 ? good / total : 0;
    const target = Math.round(((shift?.end ?? now) - start - 45 * 60_000) / ideal);
    const proRata = Math.round((plannedProductionMs / ((shift?.end ?? now) - start - 45 * 60_000)) * target);
    const f: OeeFigures = figures({
      availability,
      performance,
      quality,
      oee: availability * performance * quality,
      counts: { total, good, reject: total - good },
      runTimeMs: runMs,
      plannedTimeMs: plannedProductionMs,
      downtimeMs: Object.values(downByReason).reduce((a, b) => a + b, 0),
      smallStopMs: 120_000,
      commsLostMs: 0,
      target,
      behindBy: proRata - good,
      downtimeByReason: downByReason,
    });
    h.fake.setCounts(st.id, total, good, Math.round(lastCycle));
    h.fake.setTarget(st.id, target, proRata - good);
    h.fake.oeeSnapshot(st.id, f);
    const last = plan[plan.length - 1];
    const lastStart = now - (last?.minutes ?? 1) * 60_000;
    if (last !== undefined) h.fake.setState(st.id, last.state, { since: Math.max(lastStart, start) });
  }
  const output = line.outputStation ?? line.stations[line.stations.length - 1]?.id;
  if (output !== undefined) {
    h.fake.raiseAlert('weld', 'weld-cycle-drift-1', {
      kind: 'cycle_drift',
      severity: 'warning',
      evidence: { slopePctPerHour: 3.8, confidence: 0.86, meanCycleS: 13.1 },
      predictedFailureAt: now + 5.5 * 3600_000,
    });
    h.fake.raiseAlert('press', 'press-vibration-1', {
      kind: 'condition_vibration',
      severity: 'critical',
      evidence: { rmsMmS: 9.4, alarmMmS: 11.2, confidence: 0.92 },
      predictedFailureAt: now + 2.2 * 3600_000,
    });
  }
  h.history.flush();
}
