// @ts-check
// The colour of an OEE gauge. World-class OEE is ~85 %, below 60 % most plants call it poor:
// green, amber, red. But right after a shift starts the figures rest on a few minutes: one part
// made in the first minute reads as 21 % OEE, and a TV flashing red at every shift start teaches
// people to ignore red. So the thresholds apply only once the figures cover SETTLING_MS of
// planned production time (breaks excluded, docs/oee.md); before, the gauge shows its value in a
// neutral colour and the page says it is settling (docs/dashboard.md#colours).
// Plain functions, no DOM: tested in tests/unit/web/gauge-tone.test.ts.

/** Planned production time before the colours apply. */
export const SETTLING_MS = 10 * 60_000;

/** @typedef {'good' | 'warn' | 'bad' | 'settling' | 'none'} Tone */

/** @type {Readonly<Record<Tone, string>>} */
export const TONE_COLORS = {
  good: '#22c55e',
  warn: '#f59e0b',
  bad: '#ef4444',
  // Slate: visibly a value, but no verdict.
  settling: '#94a3b8',
  none: '#6b7280',
};

/**
 * @param {number | undefined} ratio 0..1 (performance may exceed 1)
 * @param {number | undefined} plannedTimeMs planned production time the figures cover
 * @returns {Tone}
 */
export function gaugeTone(ratio, plannedTimeMs) {
  if (ratio === undefined || !Number.isFinite(ratio)) return 'none';
  if (settling(plannedTimeMs)) return 'settling';
  if (ratio >= 0.85) return 'good';
  if (ratio >= 0.6) return 'warn';
  return 'bad';
}

/**
 * Whether figures over this much planned production time are still settling.
 * @param {number | undefined} plannedTimeMs undefined (no figures): not settling, just empty
 */
export function settling(plannedTimeMs) {
  return plannedTimeMs !== undefined && Number.isFinite(plannedTimeMs) && plannedTimeMs < SETTLING_MS;
}

/** "settling (first 10 min)" */
export function settlingNote() {
  return `settling (first ${Math.round(SETTLING_MS / 60_000)} min)`;
}
