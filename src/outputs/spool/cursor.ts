/**
 * A destination's read position in the spool: the one place that knows when "everything
 * committed up to here was looked at". MQTT and InfluxDB read through it, so a destination that
 * skips rows (samples when it sends only events, a repeated value, an undecodable row) still
 * acknowledges past them and the spool can delete them.
 */
import type { Spool, SpoolKind, SpoolRow } from './types.js';

export interface CursorBatch {
  /** Committed rows after the position, of the destination's kinds, oldest first. */
  readonly rows: SpoolRow[];
  /**
   * Every committed row up to this id was scanned (rows of other kinds included): once `rows`
   * are delivered, the destination may acknowledge up to here.
   */
  readonly scannedTo: number;
}

export class SpoolCursor {
  private position: number;

  constructor(
    private readonly spool: Spool,
    readonly destination: string,
    /** Only these kinds are read (e.g. events only); all when undefined. */
    private readonly kinds?: readonly SpoolKind[],
  ) {
    this.position = spool.ackedId(destination);
  }

  /** Up to `limit` rows after the position; moves the position past what was scanned. */
  next(limit: number): CursorBatch {
    const rows = this.spool.read(
      this.destination,
      this.position,
      limit,
      this.kinds === undefined ? {} : { kinds: this.kinds },
    );
    // Fewer rows than asked: the read went to the end of what is committed. (Reads and commits
    // run on the same thread, so nothing was committed in between.)
    const scannedTo =
      rows.length < limit ? Math.max(this.position, this.spool.lastCommittedId()) : (rows.at(-1)?.id ?? this.position);
    this.position = scannedTo;
    return { rows, scannedTo };
  }

  /** Reads again after `id` (a reconnect resends everything after what was acknowledged). */
  rewind(id: number = this.acked): void {
    this.position = id;
  }

  /** Marks every row up to `id` as delivered; persisted with the spool's next commit. */
  ack(id: number): void {
    this.spool.ack(this.destination, id);
  }

  get acked(): number {
    return this.spool.ackedId(this.destination);
  }
}
