/**
 * Downtime records of one station: every `down` interval, with its reason (from the PLC fault
 * code through the config's faultReasons, "unassigned" otherwise, or what an operator assigned
 * later) and its loss category. Kept for the current and previous shift and the last hour, so
 * operators can re-assign reasons and the rolling window can count intervals for MTBF/MTTR.
 */
import type { LossCategory } from '../config/schema.js';
import type { ActionBy } from './events.js';

export const UNASSIGNED = 'unassigned';

export interface DowntimeRecord {
  /** The id of its "started" event: "<station>-<seq>". */
  readonly id: string;
  readonly startMono: number;
  readonly startWall: number;
  endMono: number | undefined;
  endWall: number | undefined;
  reason: string;
  category: LossCategory;
  readonly faultCode: number | undefined;
  /** Serial numbers of the accounting windows that already counted this interval. */
  readonly countedIn: number[];
  assignedBy?: ActionBy;
}

/** JSON form for checkpoints (wall times only: the monotonic origin changes across restarts). */
export interface DowntimeRecordData {
  readonly id: string;
  readonly startWall: number;
  readonly endWall?: number;
  readonly reason: string;
  readonly category: LossCategory;
  readonly faultCode?: number;
  readonly assignedBy?: ActionBy;
}

/** Past this many records (a flapping fault), the oldest closed ones are dropped. */
export const MAX_DOWNTIME_RECORDS = 5_000;

export class DowntimeLog {
  private readonly records: DowntimeRecord[] = [];
  private readonly byId = new Map<string, DowntimeRecord>();

  add(record: DowntimeRecord): void {
    this.records.push(record);
    this.byId.set(record.id, record);
    if (this.records.length > MAX_DOWNTIME_RECORDS) this.dropOldest(this.records.length - MAX_DOWNTIME_RECORDS);
  }

  get(id: string): DowntimeRecord | undefined {
    return this.byId.get(id);
  }

  all(): readonly DowntimeRecord[] {
    return this.records;
  }

  /** Forgets closed records that ended before `beforeMono`. */
  prune(beforeMono: number): void {
    let drop = 0;
    while (drop < this.records.length) {
      const r = this.records[drop] as DowntimeRecord;
      if (r.endMono === undefined || r.endMono >= beforeMono) break;
      drop++;
    }
    if (drop > 0) this.dropOldest(drop);
  }

  private dropOldest(n: number): void {
    for (const r of this.records.splice(0, n)) this.byId.delete(r.id);
  }

  /** Records overlapping [fromMono, toMono) (open ones reach to `toMono`). */
  countOverlapping(fromMono: number, toMono: number): number {
    let n = 0;
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i] as DowntimeRecord;
      const end = r.endMono ?? toMono;
      // Records do not overlap each other and are in start order, so ends are ordered too.
      if (end <= fromMono) break;
      if (r.startMono < toMono && end > fromMono) n++;
    }
    return n;
  }

  toData(): DowntimeRecordData[] {
    return this.records.map((r) => ({
      id: r.id,
      startWall: r.startWall,
      ...(r.endWall !== undefined ? { endWall: r.endWall } : {}),
      reason: r.reason,
      category: r.category,
      ...(r.faultCode !== undefined ? { faultCode: r.faultCode } : {}),
      ...(r.assignedBy !== undefined ? { assignedBy: r.assignedBy } : {}),
    }));
  }
}
