/**
 * A station's part of the checkpoint: capture (mono -> wall) and restore (wall -> mono of the new
 * process). After a restore the station is comms_lost from the moment the checkpoint was taken:
 * the open interval is booked up to then (a downtime ends there) and whatever happened while the
 * agent was not running is unknown.
 */
import { Accumulator } from './accumulator.js';
import type { ShiftCalendar } from './calendar.js';
import type { StationCheckpoint, WindowCheckpoint } from './checkpoint.js';
import type { DowntimeRecord } from './downtime.js';
import type { Station } from './station.js';
import type { ShiftWindow } from './station-accounts.js';

type Slot = 'previous' | 'pending' | 'current';
const SLOTS: readonly Slot[] = ['previous', 'pending', 'current'];

/** `withRolling: false` leaves the rolling-hour buckets out (most of the bytes; see splitRolling). */
export function captureStation(st: Station, wallOf: (mono: number) => number, withRolling = true): StationCheckpoint {
  const a = st.accounts;
  const windowData = (w: ShiftWindow | undefined): WindowCheckpoint | undefined =>
    w === undefined ? undefined : { key: w.instance.key, startWall: w.instance.startWall, endWall: w.instance.endWall, acc: w.acc.toData() as WindowCheckpoint['acc'] };
  const slotOf = new Map<number, Slot>();
  for (const slot of SLOTS) {
    const w = a[slot];
    if (w !== undefined) slotOf.set(w.serial, slot);
  }
  const downtimes = st.downtimes.all().map((r) => ({
    id: r.id,
    startWall: r.startWall,
    ...(r.endWall !== undefined ? { endWall: r.endWall } : {}),
    reason: r.reason,
    category: r.category,
    ...(r.faultCode !== undefined ? { faultCode: r.faultCode } : {}),
    ...(r.assignedBy !== undefined ? { assignedBy: r.assignedBy } : {}),
    counted: r.countedIn.map((serial) => slotOf.get(serial)).filter((s): s is Slot => s !== undefined),
  }));
  const k = st.counters;
  const current = windowData(a.current);
  const pending = windowData(a.pending);
  const previous = windowData(a.previous);
  return {
    seq: st.seq,
    counters: {
      ...(k.cycleValue !== undefined ? { cycle: { value: k.cycleValue, atWall: wallOf(k.cycleAtMono) } } : {}),
      ...(k.goodValue !== undefined ? { good: { value: k.goodValue, atWall: wallOf(k.goodAtMono) } } : {}),
      ...(k.rejectValue !== undefined ? { reject: { value: k.rejectValue, atWall: wallOf(k.rejectAtMono) } } : {}),
      ...(k.lastEdge >= 0 ? { edge: k.lastEdge } : {}),
    },
    rejectCredit: k.rejectCredit,
    goodCredit: k.goodCredit,
    ...(st.lastCycleWall !== undefined ? { lastCycleWall: st.lastCycleWall } : {}),
    ...(st.lastCycleTimeMs !== undefined ? { lastCycleTimeMs: st.lastCycleTimeMs } : {}),
    open: {
      kind: st.openKind,
      label: st.openLabel,
      ...(st.openRawReason !== undefined ? { rawReason: st.openRawReason } : {}),
      ...(st.openReason !== undefined ? { reason: st.openReason } : {}),
      sinceWall: st.openSinceWall,
      accountedUntilWall: wallOf(st.openAccounted),
      ...(st.openDowntime !== undefined ? { downtimeId: st.openDowntime.id } : {}),
    },
    ...(current !== undefined ? { current } : {}),
    ...(pending !== undefined ? { pending } : {}),
    ...(previous !== undefined ? { previous } : {}),
    rolling: withRolling ? a.rolling.toData().map((b) => ({ startWall: wallOf(b.startMono), data: b.data as WindowCheckpoint['acc'] })) : [],
    downtimes,
  };
}

export interface RestoreContext {
  readonly calendar: ShiftCalendar;
  readonly monoOf: (wall: number) => number;
  /** When the checkpoint was taken, in this process's monotonic time. */
  readonly savedMono: number;
}

/**
 * Restores a station and turns it comms_lost at the checkpoint time (events go out through the
 * station's host as usual). Windows whose shift no longer matches the calendar are dropped.
 */
export function restoreStation(st: Station, data: StationCheckpoint, ctx: RestoreContext): void {
  const { monoOf, savedMono } = ctx;
  st.seq = data.seq;
  const c = data.counters;
  const k = st.counters;
  // Parts made while the agent was away count at the first read; plausibility allows for the gap.
  if (c.cycle !== undefined) {
    k.cycleValue = c.cycle.value;
    k.cycleAtMono = Math.min(monoOf(c.cycle.atWall), savedMono);
  }
  if (c.good !== undefined) {
    k.goodValue = c.good.value;
    k.goodAtMono = Math.min(monoOf(c.good.atWall), savedMono);
  }
  if (c.reject !== undefined) {
    k.rejectValue = c.reject.value;
    k.rejectAtMono = Math.min(monoOf(c.reject.atWall), savedMono);
  }
  if (c.edge !== undefined) k.lastEdge = c.edge;
  k.rejectCredit = data.rejectCredit;
  k.goodCredit = data.goodCredit;
  if (data.lastCycleWall !== undefined) st.lastCycleWall = data.lastCycleWall;
  if (data.lastCycleTimeMs !== undefined) st.lastCycleTimeMs = data.lastCycleTimeMs;

  const serialOf = new Map<Slot, number>();
  for (const slot of SLOTS) {
    const w = data[slot];
    if (w === undefined) continue;
    const instance = ctx.calendar.shiftAt(w.startWall);
    if (instance === undefined || instance.key !== w.key) continue;
    const endMono = slot === 'current' ? Number.POSITIVE_INFINITY : monoOf(w.endWall);
    const restored = st.accounts.restoreWindow(slot, instance, monoOf(instance.startWall), endMono, Accumulator.fromData(w.acc));
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
    st.downtimes.add(record);
    byId.set(record.id, record);
  }

  const o = data.open;
  st.openKind = o.kind;
  st.openLabel = o.label;
  st.openRawReason = o.rawReason;
  st.openReason = o.reason;
  st.openSinceWall = o.sinceWall;
  st.openSinceMono = Math.min(monoOf(o.sinceWall), savedMono);
  st.openAccounted = Math.min(Math.max(monoOf(o.accountedUntilWall), st.openSinceMono), savedMono);
  st.openDowntime = o.downtimeId !== undefined ? byId.get(o.downtimeId) : undefined;
  st.nowMono = savedMono;
  st.anchorMono = savedMono;
  st.accounts.rolling.restore(
    data.rolling.map((b) => ({ startMono: monoOf(b.startWall), data: b.data })),
    savedMono,
  );
  // Every device is unknown until it answers again: the station is comms_lost from the checkpoint.
  st.reclassify(savedMono);
}
