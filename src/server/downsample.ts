/**
 * Server-side downsampling of state timelines: never more spans than pixels. A chart `points`
 * pixels wide over [from, to] cannot show a span shorter than one pixel; runs of such spans are
 * merged into pixel-wide slots that show the state that held longest in them. Pure.
 */
import type { StationState } from '../core/events.js';
import type { StateSpan } from '../outputs/history/types.js';

export function downsampleSpans(spans: readonly StateSpan[], from: number, to: number, points: number): StateSpan[] {
  if (spans.length <= points || !(to > from) || points < 1) return [...spans];
  // One pass yields at most ~2 spans per pixel (a short run between two long spans is a slot of
  // its own); widen the slot until the result fits.
  let slotMs = (to - from) / points;
  let out = mergeShort(spans, to, slotMs);
  while (out.length > points) {
    slotMs *= 2;
    out = mergeShort(out, to, slotMs);
  }
  return out;
}

function mergeShort(spans: readonly StateSpan[], to: number, slotMs: number): StateSpan[] {
  const out: StateSpan[] = [];
  // Time per state of the slot being filled by short spans.
  let slotStart = Number.NaN;
  let slotEnd = Number.NaN;
  const slotTime = new Map<StationState, number>();

  const closeSlot = (): void => {
    if (slotTime.size === 0) return;
    let best: StationState | undefined;
    let bestMs = -1;
    for (const [state, ms] of slotTime) {
      if (ms > bestMs) {
        best = state;
        bestMs = ms;
      }
    }
    const last = out[out.length - 1];
    if (last !== undefined && last.state === best && last.to === slotStart) {
      out[out.length - 1] = { ...last, to: slotEnd };
    } else if (best !== undefined) {
      out.push({ state: best, from: slotStart, to: slotEnd });
    }
    slotTime.clear();
  };

  for (const span of spans) {
    const end = span.to ?? to;
    const length = end - span.from;
    if (length >= slotMs) {
      closeSlot();
      out.push(span);
      continue;
    }
    if (slotTime.size > 0 && span.from >= slotStart + slotMs) closeSlot();
    if (slotTime.size === 0) slotStart = span.from;
    slotEnd = end;
    slotTime.set(span.state, (slotTime.get(span.state) ?? 0) + length);
  }
  closeSlot();
  return out;
}

/** Parses a `points` query value: an integer pixel width, clamped to [1, max]; default when absent. */
export function clampPoints(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(value)));
}
