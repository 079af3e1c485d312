/**
 * The books of a station's checkpoint: its shift windows, rolling-hour buckets and downtime
 * records, captured (mono -> wall) and restored (wall -> mono of the new process). The station
 * (Station.capture / Station.restore) adds its own state, its counters and its open interval.
 */
import { Accumulator } from './accumulator.js';
import type { ShiftCalendar } from './calendar.js';
import type { StationCheckpoint, WindowCheckpoint } from './checkpoint.js';
import type { DowntimeLog, DowntimeRecord } from './downtime.js';
import type { ShiftWindow, StationAccounts } from './station-accounts.js';

type Slot = 'previous' | 'pending' | 'current';
const SLOTS: readonly Slot[] = ['previous', 'pending', 'current'];

export interface RestoreContext {
  readonly calendar: ShiftCalendar;
  readonly monoOf: (wall: number) => number;
  /** When the checkpoint was taken, in this process's monotonic time. */
  readonly savedMono: number;
}

/** The windows' part of a checkpoint, in the checkpoint's key order (current, pending, previous). */
export type WindowsCheckpoint = Pick<StationCheckpoint, 'current' | 'pending' | 'previous'>;

export interface BooksCheckpoint {
  readonly windows: WindowsCheckpoint;
  readonly rolling: StationCheckpoint['rolling'];
  readonly downtimes: StationCheckpoint['downtimes'];
}

/** `withRolling: false` leaves the rolling-hour buckets out (most of the bytes; see splitRolling). */
export function captureBooks(
  a: StationAccounts,
  downtimes: DowntimeLog,
  wallOf: (mono: number) => number,
  withRolling: boolean,
): BooksCheckpoint {
  const windowData = (w: ShiftWindow | undefined): WindowCheckpoint | undefined =>
    w === undefined
      ? undefined
      : {
          key: w.instance.key,
          startWall: w.instance.startWall,
          endWall: w.instance.endWall,
          acc: w.acc.toData() as WindowCheckpoint['acc'],
        };
  const slotOf = new Map<number, Slot>();
  for (const slot of SLOTS) {
    const w = a[slot];
    if (w !== undefined) slotOf.set(w.serial, slot);
  }
  const records = downtimes.all().map((r) => ({
    id: r.id,
    startWall: r.startWall,
    ...(r.endWall !== undefined ? { endWall: r.endWall } : {}),
    reason: r.reason,
    category: r.category,
    ...(r.faultCode !== undefined ? { faultCode: r.faultCode } : {}),
    ...(r.assignedBy !== undefined ? { assignedBy: r.assignedBy } : {}),
    counted: r.countedIn.map((serial) => slotOf.get(serial)).filter((s): s is Slot => s !== undefined),
  }));
  const current = windowData(a.current);
  const pending = windowData(a.pending);
  const previous = windowData(a.previous);
  return {
    windows: {
      ...(current !== undefined ? { current } : {}),
      ...(pending !== undefined ? { pending } : {}),
      ...(previous !== undefined ? { previous } : {}),
    },
    rolling: withRolling
      ? a.rolling.toData().map((b) => ({ startWall: wallOf(b.startMono), data: b.data as WindowCheckpoint['acc'] }))
      : [],
    downtimes: records,
  };
}

/**
 * Restores windows (those whose shift no longer matches the calendar are dropped), downtime
 * records and rolling buckets; returns the restored records by id.
 */
export function restoreBooks(
  a: StationAccounts,
  downtimes: DowntimeLog,
  data: StationCheckpoint,
  ctx: RestoreContext,
  fallbackIdealMs: number,
): ReadonlyMap<string, DowntimeRecord> {
  const { monoOf, savedMono } = ctx;
  const serialOf = new Map<Slot, number>();
  for (const slot of SLOTS) {
    const w = data[slot];
    if (w === undefined) continue;
    const instance = ctx.calendar.shiftAt(w.startWall);
    if (instance === undefined || instance.key !== w.key) continue;
    const endMono = slot === 'current' ? Number.POSITIVE_INFINITY : monoOf(w.endWall);
    const restored = a.restoreWindow(
      slot,
      instance,
      monoOf(instance.startWall),
      endMono,
      Accumulator.fromData(w.acc, fallbackIdealMs),
    );
    serialOf.set(slot, restored.serial);
  }

  const byId = new Map<string, DowntimeRecord>();
  for (const d of data.downtimes) {
    const record: DowntimeRecord = {
      id: d.id,
      startMono: monoOf(d.startWall),
      startWall: d.startWall,
      endMono: d.endWall !== undefined ? monoOf(d.endWall) : undefined,
      endWall: d.endWall,
      reason: d.reason,
      category: d.category,
      faultCode: d.faultCode,
      countedIn: d.counted.map((slot) => serialOf.get(slot)).filter((s): s is number => s !== undefined),
      ...(d.assignedBy !== undefined ? { assignedBy: d.assignedBy } : {}),
    };
    downtimes.add(record);
    byId.set(record.id, record);
  }

  a.rolling.restore(
    data.rolling.map((b) => ({ startMono: monoOf(b.startWall), data: b.data })),
    savedMono,
    fallbackIdealMs,
  );
  return byId;
}
