/**
 * The core's checkpoint wiring: reading the one to continue from (an unusable one is reported and
 * ignored), handing each station its part at start-up, and taking a new one from the stations.
 */
import type { CalendarSegment, ShiftCalendar } from './calendar.js';
import { CHECKPOINT_VERSION, parseCheckpoint, type CoreCheckpoint, type ParsedCheckpoint } from './checkpoint.js';
import type { ClockGuard } from './clock-guard.js';
import type { EventDispatch } from './core-dispatch.js';
import type { Clock } from './sample.js';
import type { Station } from './station.js';

/** The checkpoint to continue from, validated; undefined (reported) when there is none or it is unusable. */
export function readRestore(
  checkpoint: CoreCheckpoint | undefined,
  clock: Clock,
  out: Pick<EventDispatch, 'diagnostic'>,
): ParsedCheckpoint | undefined {
  if (checkpoint === undefined) return undefined;
  const parsed = parseCheckpoint(checkpoint);
  if (!parsed.ok) {
    out.diagnostic(
      'CHECKPOINT_INVALID',
      `checkpoint not usable (${parsed.message}); starting the shift's figures from zero`,
      { reason: parsed.message },
    );
    return undefined;
  }
  const wallNow = clock.wallMs();
  out.diagnostic(
    'CHECKPOINT_RESTORED',
    `continuing from the checkpoint of ${new Date(parsed.checkpoint.savedAtWall).toISOString()}; the ${Math.max(0, Math.round((wallNow - parsed.checkpoint.savedAtWall) / 1000))} s since are comms_lost`,
    {
      savedAt: parsed.checkpoint.savedAtWall,
      stations: Object.keys(parsed.checkpoint.stations),
    },
  );
  return parsed.checkpoint;
}

/**
 * At start-up (time `nowMono`): each station takes its part of the checkpoint, if any, and the
 * calendar segment in force (its shift window opens at the shift's start, or now if that is later).
 */
export function restoreStations(
  stations: readonly Station[],
  restored: ParsedCheckpoint | undefined,
  segment: CalendarSegment,
  calendar: ShiftCalendar,
  guard: ClockGuard,
  nowMono: number,
): void {
  const shift = segment.shift;
  const shiftStartMono = shift !== undefined ? Math.min(guard.monoOf(shift.startWall), nowMono) : nowMono;
  for (const st of stations) {
    const data = restored?.stations[st.id];
    if (data !== undefined)
      st.restore(data, {
        calendar,
        monoOf: (wall) => guard.monoOf(wall),
        savedMono: nowMono,
      });
    st.resumeCalendar(shift, shiftStartMono, segment.planned);
  }
}

/** The core's checkpoint (pending polls must be applied first); saved at the latest time processed. */
export function captureCheckpoint(
  stations: readonly Station[],
  lines: CoreCheckpoint['lines'],
  nowMono: number,
  wallOf: (mono: number) => number,
  withRolling: boolean,
): CoreCheckpoint {
  const captured: CoreCheckpoint['stations'] = {};
  for (const st of stations) captured[st.id] = st.capture(wallOf, withRolling);
  return {
    version: CHECKPOINT_VERSION,
    savedAtWall: wallOf(Math.max(nowMono, ...stations.map((s) => s.nowMono))),
    stations: captured,
    lines,
  };
}
