/**
 * When and how the spool commits: on the timer, on flush, or at the end of the current step when
 * the buffer is full; then applies what the transaction did to the in-memory view, reports drops,
 * notifies listeners, and while writes fail keeps the buffer bounded.
 */
import { LinesideError, errorMessage } from '../../lib/errors.js';
import type { DropReporter } from './drop-reporter.js';
import type { RecentRows } from './recent-rows.js';
import { idsOf } from './statements.js';
import type { SpoolState } from './state.js';
import { deleteThroughFor, runCommit, type CommitOutcome, type CommitTargets } from './transaction.js';
import type { CommitInfo, SpoolOptions } from './types.js';
import type { WriteStatus } from './write-status.js';

/**
 * While commits fail, keep at most this many times maxBuffered ids (events and samples) in the
 * buffer; past it the oldest samples go.
 */
const BUFFER_HARD_LIMIT_FACTOR = 10;

/** The parts of the spool the committer reads and updates. */
export interface CommitterParts {
  readonly opts: SpoolOptions;
  readonly file: string;
  /** Commit early once this many rows are buffered. */
  readonly maxBuffered: number;
  readonly state: SpoolState;
  readonly targets: CommitTargets;
  readonly drops: DropReporter;
  readonly status: WriteStatus;
  /** Committed rows kept in memory for the readers. */
  readonly recent: RecentRows;
}

export class Committer {
  private readonly listeners = new Set<(info: CommitInfo) => void>();
  private commitQueued = false;
  private nextAgeCheckMono = 0;
  private readonly ageCheckIntervalMs: number;
  private stuckLogged = false;

  constructor(private readonly parts: CommitterParts) {
    this.ageCheckIntervalMs = Math.min(5_000, Math.max(250, parts.opts.maxAgeMs / 10));
  }

  onCommit(listener: (info: CommitInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clearListeners(): void {
    this.listeners.clear();
  }

  /**
   * A full buffer commits at the end of the current synchronous step, not here: this append may
   * be in the middle of the core's handling of one sample, and a checkpoint taken now would miss
   * the rest of that step (a counter baseline updated after the event went out).
   */
  commitSoon(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    queueMicrotask(() => {
      this.commitQueued = false;
      this.commit();
    });
  }

  commit(): void {
    const { opts, state, targets, drops, status, file } = this.parts;
    if (state.closed) return;
    const { clock } = opts;
    const startMono = clock.monoMs();
    targets.checkpoints.take();
    const rows = state.buffer;
    const ageDue = startMono >= this.nextAgeCheckMono;
    const deleteThrough = deleteThroughFor(
      targets.pruner,
      targets.sql,
      opts.maxBytes,
      state.deletedThrough,
      () => targets.acks.deletableThrough(state.committedId),
      state.lastId,
    );
    const hasWork =
      rows.length > 0 ||
      targets.acks.hasDirty() ||
      targets.checkpoints.hasDirty() ||
      deleteThrough > state.deletedThrough ||
      ageDue;
    if (!hasWork) return;

    const last = rows.at(-1);
    const lastRowId = last === undefined ? state.committedId : last.id + idsOf(last) - 1;
    // Rows just inserted may already be acknowledged? No: only committed rows can be read and acked.
    let outcome: CommitOutcome;
    try {
      outcome = runCommit(targets, {
        rows,
        deletedThrough: state.deletedThrough,
        deleteThrough,
        lastRowId,
        maxBytes: opts.maxBytes,
        ageCutoff: ageDue ? () => clock.wallMs() - opts.maxAgeMs : undefined,
      });
    } catch (err) {
      status.failed(
        new LinesideError('SPOOL_IO', `cannot write the spool ${file}: ${errorMessage(err)}`, { file }, { cause: err }),
      );
      this.shedBufferIfOverLimit();
      return;
    }

    // Committed: apply what the transaction did to the in-memory view.
    const { deleted, pruned, aged } = outcome;
    state.buffer = [];
    const addedEvents = rows.reduce((n, r) => n + (r.kind === 'event' ? 1 : 0), 0);
    const addedSamples = rows.reduce((n, r) => n + (r.kind === 'sample' ? r.samples.size : 0), 0);
    state.events += addedEvents - deleted.events - pruned.oeeSnapshots - aged.oeeSnapshots;
    state.samples += addedSamples - (deleted.total - deleted.events) - pruned.samples - aged.samples;
    state.committedId = lastRowId;
    state.deletedThrough = deleteThrough;
    const prunedAny = pruned.samples + pruned.oeeSnapshots + aged.samples + aged.oeeSnapshots > 0;
    this.parts.recent.committed(rows, deleteThrough, prunedAny);
    targets.acks.clearDirty();
    targets.checkpoints.clearDirty();
    if (ageDue) this.nextAgeCheckMono = startMono + this.ageCheckIntervalMs;
    status.committed(clock, startMono);
    drops.record('size', pruned.samples, pruned.oeeSnapshots, clock.wallMs(), clock.monoMs());
    drops.record('age', aged.samples, aged.oeeSnapshots, clock.wallMs(), clock.monoMs());
    drops.maybeLog(clock.monoMs());
    this.reportStuck(pruned.stuck);
    if (rows.length > 0) this.notify();
  }

  private reportStuck(stuck: boolean): void {
    if (stuck && !this.stuckLogged) {
      this.parts.opts.logger.error(
        { file: this.parts.file, maxBytes: this.parts.opts.maxBytes, events: this.parts.state.events },
        'spool is over its size bound and holds only events, which are never dropped; it keeps growing until a destination catches up',
      );
    }
    this.stuckLogged = stuck;
  }

  private notify(): void {
    const info: CommitInfo = { lastCommittedId: this.parts.state.committedId };
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch (err) {
        this.parts.opts.logger.error({ err: errorMessage(err) }, 'spool commit listener threw');
      }
    }
  }

  private shedBufferIfOverLimit(): void {
    const { state, drops, opts } = this.parts;
    const limit = this.parts.maxBuffered * BUFFER_HARD_LIMIT_FACTOR;
    const buffered = state.lastId - state.committedId;
    if (buffered <= limit) return;
    const excess = buffered - limit;
    let shed = 0;
    state.buffer = state.buffer.filter((row) => {
      if (shed < excess && row.kind === 'sample') {
        shed += row.samples.size;
        return false;
      }
      return true;
    });
    drops.record('buffer', shed, 0, opts.clock.wallMs(), opts.clock.monoMs());
  }
}
