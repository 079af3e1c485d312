/**
 * The publisher's place in the spool: reads rows in batches through its cursor, tracks the ones
 * in flight (AckWindow) against the limits (QoS 0 socket writes, PUBACKs, the span a reconnect
 * resends), and moves the cursor past rows once they and every row before them completed.
 */
import { SpoolCursor, type Spool, type SpoolKind, type SpoolRow } from '../spool/index.js';
import { AckWindow, type Completion } from './ack-window.js';

export interface WindowLimits {
  /** QoS 1/2 messages awaiting PUBACK. */
  readonly inflightMax: number;
  /** QoS 0 messages awaiting their socket write. */
  readonly writeMax: number;
  /** Rows from the oldest incomplete one to the newest sent. */
  readonly spanMax: number;
  /** Rows read from the spool at a time. */
  readonly readBatch: number;
}

export class SpoolWindow {
  private readonly cursor: SpoolCursor;
  private readonly window: AckWindow;
  private releasedId: number;
  /** Rows read from the spool and not yet handled: pending[pendingAt..]. */
  private pending: SpoolRow[] = [];
  private pendingAt = 0;
  private pendingScanTo = 0;
  /** min(inflightWindow, the broker's receive maximum). */
  private pubackLimit: number;

  constructor(
    spool: Spool,
    destination: string,
    kinds: readonly SpoolKind[] | undefined,
    private readonly limits: WindowLimits,
  ) {
    this.pubackLimit = limits.inflightMax;
    this.releasedId = spool.ackedId(destination);
    this.cursor = new SpoolCursor(spool, destination, kinds);
    this.window = new AckWindow(this.releasedId);
  }

  /** The cursor: every row up to here is acknowledged (or refused for good). */
  get released(): number {
    return this.releasedId;
  }

  /** Messages in flight, of either kind. */
  get inFlight(): number {
    return this.window.inFlight;
  }

  /** A reconnect would resend the most rows it may. */
  get spanFull(): boolean {
    return this.window.span >= this.limits.spanMax;
  }

  /** Connected or disconnected: nothing is in flight; reading resumes after the cursor. */
  rewind(): void {
    this.window.reset(this.releasedId);
    this.cursor.rewind(this.releasedId);
    this.pending = [];
    this.pendingAt = 0;
  }

  /** The broker's receive maximum (MQTT 5 CONNACK), if it set one, bounds the PUBACK window. */
  limitPubacks(receiveMaximum: number | undefined): void {
    this.pubackLimit = Math.max(1, Math.min(this.limits.inflightMax, receiveMaximum ?? Number.POSITIVE_INFINITY));
  }

  /** QoS 1/2 messages awaiting PUBACK, `extra` (not from the spool) included, reached the limit. */
  pubacksFull(extra: number): boolean {
    return this.window.awaitingPuback + extra >= this.pubackLimit;
  }

  /** A message of `qos` must wait for a completion. */
  full(qos: 0 | 1 | 2, extraPubacks: number): boolean {
    return qos === 0 ? this.window.awaitingWrite >= this.limits.writeMax : this.pubacksFull(extraPubacks);
  }

  /** The next row to handle; undefined when the spool has no more (scanned to its end). */
  peek(): SpoolRow | undefined {
    if (this.pendingAt >= this.pending.length) {
      const { rows, scannedTo } = this.cursor.next(this.limits.readBatch);
      this.pendingScanTo = scannedTo;
      if (rows.length === 0) {
        this.window.scanned(scannedTo);
        return undefined;
      }
      this.pending = rows;
      this.pendingAt = 0;
    }
    return this.pending[this.pendingAt];
  }

  /** The row from `peek` is handled: sent (then `add`) or, with `skipped`, deliberately not. */
  take(skipped?: SpoolRow): void {
    this.pendingAt += 1;
    if (skipped !== undefined) this.window.scanned(skipped.id);
  }

  /** After each handled row: a batch handled to its end is scanned to where its read reached. */
  rowDone(): void {
    if (this.pendingAt >= this.pending.length) this.window.scanned(this.pendingScanTo);
  }

  /** A row was published. */
  add(id: number, completion: Completion): void {
    this.window.add(id, completion);
  }

  /** A row completed (acknowledged, written, or refused for good). */
  completed(id: number): void {
    this.window.completed(id);
  }

  /** Moves the spool cursor to the highest row such that it and all before it completed. */
  release(): void {
    const releasable = this.window.releasable();
    if (releasable > this.releasedId) {
      this.releasedId = releasable;
      this.cursor.ack(releasable);
    }
  }
}
