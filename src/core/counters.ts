/**
 * Turning a PLC part counter (or a GPIO pulse count) into "parts since the last read".
 *
 * A counter register is finite: a uint16 counts 0..65535 and wraps to 0; a PLC restart or a
 * shift-reset in the PLC program sets it back to 0. Both look like "the value went down", and
 * mistaking a reset for a wrap would book tens of thousands of phantom parts. The rule:
 *
 * - `plausibleMax` = the most parts the station can have made in the elapsed time:
 *   ceil(elapsed / idealCycleTime x 4) + 2. The ideal cycle is the fastest sustainable one; the
 *   factor 4 and the +2 leave room for poll jitter and a mis-set ideal cycle time.
 * - value >= previous: delta = value - previous, unless it exceeds plausibleMax: then the PLC
 *   preset its counter (or a bad read) -> "jump", counted as 0 and the new value taken as base.
 * - value < previous: a WRAP when the counter has a modulus (uint16/int16: 2^16, uint32/int32:
 *   2^32), the previous value was in the upper half of the range and the wrapped delta
 *   (modulus - previous + value) is plausible. Otherwise a RESET: the counter restarted from 0, so
 *   the new value is the parts made since (counted if plausible, else 0).
 * - No previous value (first read ever): nothing is counted, the value becomes the base.
 *
 * Signed counters (int16/int32) are read as their unsigned equivalent first.
 */

export type CounterKind = 'first' | 'normal' | 'wrap' | 'reset' | 'jump';

/** Speed headroom over the ideal cycle time when judging whether a delta is plausible. */
export const PLAUSIBLE_SPEED_FACTOR = 4;
/** Extra parts always allowed (a part finishing just before and after a read). */
export const PLAUSIBLE_SLACK_PARTS = 2;

export function plausibleMaxParts(elapsedMs: number, idealCycleTimeMs: number): number {
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  return Math.ceil((elapsed / idealCycleTimeMs) * PLAUSIBLE_SPEED_FACTOR) + PLAUSIBLE_SLACK_PARTS;
}

/** Normalises a raw counter reading: integer, and unsigned when the counter has a modulus. */
export function normaliseCount(value: number, modulus: number | undefined): number {
  let v = Math.round(value);
  if (modulus !== undefined && v < 0) v += modulus;
  return v;
}

/**
 * Parts counted by the move from `previous` to `value` (both normalised). Writes the outcome into
 * `out` to keep the sample path allocation-free.
 */
export function counterDelta(
  previous: number | undefined,
  value: number,
  modulus: number | undefined,
  elapsedMs: number,
  idealCycleTimeMs: number,
  out: { delta: number; kind: CounterKind },
): void {
  if (previous === undefined) {
    out.delta = 0;
    out.kind = 'first';
    return;
  }
  const max = plausibleMaxParts(elapsedMs, idealCycleTimeMs);
  if (value >= previous) {
    const delta = value - previous;
    if (delta <= max) {
      out.delta = delta;
      out.kind = 'normal';
    } else {
      out.delta = 0;
      out.kind = 'jump';
    }
    return;
  }
  if (modulus !== undefined && previous >= modulus / 2) {
    const wrapped = modulus - previous + value;
    if (wrapped <= max) {
      out.delta = wrapped;
      out.kind = 'wrap';
      return;
    }
  }
  out.delta = value <= max ? value : 0;
  out.kind = 'reset';
}
