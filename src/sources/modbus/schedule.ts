/**
 * Drift-free polling arithmetic. Pure. Poll k is due at start + k * interval; the next due time
 * comes from that grid, never from when the previous poll finished, so a 100 ms poll stays at
 * 10 per second for months. Due times that passed while a poll was still running are overruns:
 * counted and skipped, never queued (a queue of late polls would only hammer a slow device).
 */

export interface NextPoll {
  /** When the next poll is due (same time base as the inputs); never before `nowMs`. */
  readonly dueMs: number;
  /** Grid slots that passed without a poll because the previous one overran. */
  readonly missed: number;
}

/** The poll after the one that was due at `previousDueMs`, given that it is now `nowMs`. */
export function nextPoll(previousDueMs: number, nowMs: number, intervalMs: number): NextPoll {
  const due = previousDueMs + intervalMs;
  if (due >= nowMs) return { dueMs: due, missed: 0 };
  const missed = Math.ceil((nowMs - due) / intervalMs);
  return { dueMs: due + missed * intervalMs, missed };
}
