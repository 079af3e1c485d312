/**
 * The SQLite spool (see types.ts for the contract). One connection, prepared statements, one
 * write transaction per commit interval holding the new rows, cursors, checkpoints, the deletion
 * of acknowledged rows and pruning.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../core/events.js';
import type { Sample } from '../../core/sample.js';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import { DropReporter } from './drop-reporter.js';
import { openSpoolDb, type OpenedDb } from './open-db.js';
import { SAMPLE_PRIORITY, eventPriority } from './priority.js';
import { Pruner } from './prune.js';
import { SpoolStatements, decodeRow, type BufferedRow } from './statements.js';
import type {
  CommitInfo,
  Spool,
  SpoolDestinationHealth,
  SpoolHealth,
  SpoolOptions,
  SpoolReadOptions,
  SpoolRow,
} from './types.js';

const DEFAULT_MAX_BUFFERED = 20_000;
/** While commits fail, keep at most this many buffered rows; past it the oldest samples go. */
const BUFFER_HARD_LIMIT_FACTOR = 10;
const HEALTH_CACHE_MS = 1_000;
const MAX_DELETE_IDS_PER_COMMIT = 10_000;

export function openSpool(options: SpoolOptions): Spool {
  return new SqliteSpool(options);
}

class SqliteSpool implements Spool {
  private readonly file: string;
  private readonly db: Database.Database;
  private readonly sql: SpoolStatements;
  private readonly pruner: Pruner;
  private readonly drops: DropReporter;
  private readonly recovered: OpenedDb['recovered'];
  private readonly maxBuffered: number;
  private readonly destinations: readonly string[];
  private readonly timer: NodeJS.Timeout;

  private buffer: BufferedRow[] = [];
  private lastId: number;
  private committedId: number;
  private deletedThrough: number;
  private readonly cursors = new Map<string, number>();
  private readonly dirtyCursors = new Set<string>();
  private readonly checkpoints = new Map<string, unknown>();
  private readonly dirtyCheckpoints = new Set<string>();
  private readonly checkpointSources = new Map<string, { read: () => unknown; when: 'events' | 'requested' }>();
  /** Events were appended since the 'events' sources were last read. */
  private checkpointDue = false;
  /** requestCheckpoint() was called: every source is read in the next commit. */
  private checkpointRequested = false;
  private commitQueued = false;
  private readonly listeners = new Set<(info: CommitInfo) => void>();
  private events: number;
  private samples: number;
  private commits = 0;
  private lastCommitAt: number | undefined;
  private lastCommitMs: number | undefined;
  private errors = 0;
  private lastError: string | undefined;
  private unreadable = 0;
  private readonly unreadableIds = new Set<number>();
  private nextAgeCheckMono = 0;
  private readonly ageCheckIntervalMs: number;
  private stuckLogged = false;
  private closed = false;
  private readonly healthCache = new Map<string, { atMono: number; value: SpoolDestinationHealth }>();

  constructor(private readonly opts: SpoolOptions) {
    this.file = path.resolve(opts.dir, opts.fileName ?? 'spool.db');
    const opened = openSpoolDb(this.file, opts.logger, opts.clock.wallMs());
    this.db = opened.db;
    this.recovered = opened.recovered;
    this.sql = new SpoolStatements(this.db);
    this.pruner = new Pruner(this.db);
    this.drops = new DropReporter(opts.logger, this.file);
    this.maxBuffered = opts.maxBufferedRows ?? DEFAULT_MAX_BUFFERED;
    this.destinations = [...new Set(opts.destinations)];
    this.ageCheckIntervalMs = Math.min(5_000, Math.max(250, opts.maxAgeMs / 10));

    const maxRowId = this.sql.maxId.get()?.id ?? 0;
    this.lastId = Math.max(maxRowId, this.sql.getMeta.get('last_id')?.value ?? 0);
    this.committedId = this.lastId;
    for (const row of this.sql.allCursors.all()) this.cursors.set(row.destination, row.acked_id);
    for (const row of this.sql.allCheckpoints.all()) {
      try {
        this.checkpoints.set(row.key, JSON.parse(row.value) as unknown);
      } catch {
        opts.logger.warn({ file: this.file, key: row.key }, 'spool checkpoint is not valid JSON; ignoring it');
      }
    }
    // A new destination starts at the oldest row still in the spool: it gets everything kept.
    const oldestRow = this.sql.minId.get()?.id;
    const startCursor = oldestRow === undefined || oldestRow === null ? this.lastId : oldestRow - 1;
    for (const destination of this.destinations) {
      if (!this.cursors.has(destination)) {
        this.cursors.set(destination, startCursor);
        this.dirtyCursors.add(destination);
      }
    }
    this.deletedThrough = oldestRow === undefined || oldestRow === null ? this.lastId : oldestRow - 1;
    const counts = this.sql.countByKind.get();
    this.events = counts?.events ?? 0;
    this.samples = (counts?.total ?? 0) - this.events;

    this.timer = setInterval(() => this.commit(), Math.max(10, opts.commitIntervalMs));
    // The agent's sources and server keep the process alive; the spool must not block exit.
    this.timer.unref();
    this.commit(); // persist new cursors, delete what was acknowledged before a destination was removed
    opts.logger.info(
      {
        file: this.file,
        rows: this.events + this.samples,
        events: this.events,
        lastId: this.lastId,
        destinations: this.destinations,
      },
      'spool opened',
    );
  }

  appendEvent(event: CoreEvent): number {
    return this.append('event', eventPriority(event), event.ts, event);
  }

  appendSample(sample: Sample): number {
    return this.append('sample', SAMPLE_PRIORITY, sample.ts, sample);
  }

  private append(kind: 'event' | 'sample', priority: 0 | 1 | 2, ts: number, value: CoreEvent | Sample): number {
    if (this.closed) {
      // A shutdown-order bug (outputs must close after the core stopped): say so, loudly for events.
      if (kind === 'sample') this.drops.record('closed', 1, 0, this.opts.clock.wallMs(), this.opts.clock.monoMs());
      else
        this.opts.logger.error(
          { file: this.file, eventId: (value as CoreEvent).id },
          'an event arrived after the spool was closed and is lost',
        );
      return 0;
    }
    let payload: string;
    try {
      payload = JSON.stringify(value);
    } catch (err) {
      this.noteError(
        new LinesideError('SPOOL_IO', `cannot serialise a ${kind} for the spool: ${errorMessage(err)}`, {
          file: this.file,
        }),
      );
      return 0;
    }
    this.lastId += 1;
    const safeTs = Number.isFinite(ts) ? Math.trunc(ts) : this.opts.clock.wallMs();
    this.buffer.push({ id: this.lastId, kind, priority, ts: safeTs, payload });
    if (kind === 'event') this.checkpointDue = true;
    if (this.buffer.length >= this.maxBuffered) this.commitSoon();
    return this.lastId;
  }

  /**
   * A full buffer commits at the end of the current synchronous step, not here: this append may
   * be in the middle of the core's handling of one sample, and a checkpoint taken now would miss
   * the rest of that step (a counter baseline updated after the event went out).
   */
  private commitSoon(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    queueMicrotask(() => {
      this.commitQueued = false;
      this.commit();
    });
  }

  setCheckpoint(key: string, value: unknown): void {
    this.checkpoints.set(key, value);
    this.dirtyCheckpoints.add(key);
  }

  getCheckpoint(key: string): unknown {
    return this.checkpoints.get(key);
  }

  setCheckpointSource(key: string, source: () => unknown, when: 'events' | 'requested' = 'events'): void {
    this.checkpointSources.set(key, { read: source, when });
    this.checkpointRequested = true;
  }

  requestCheckpoint(): void {
    if (this.checkpointSources.size > 0) this.checkpointRequested = true;
  }

  /** Reads the checkpoint sources that are due into the checkpoints this commit writes. */
  private takeCheckpoints(): void {
    if (!this.checkpointDue && !this.checkpointRequested) return;
    const all = this.checkpointRequested;
    this.checkpointDue = false;
    this.checkpointRequested = false;
    for (const [key, source] of this.checkpointSources) {
      if (!all && source.when !== 'events') continue;
      try {
        this.checkpoints.set(key, source.read());
        this.dirtyCheckpoints.add(key);
      } catch (err) {
        // A bug in a source; the rows still go in (losing events would be worse), and it is loud.
        this.opts.logger.error(
          { file: this.file, key, err: errorMessage(err) },
          'checkpoint source threw; the previous checkpoint is kept',
        );
      }
    }
  }

  read(destination: string, afterId: number, limit: number, options: SpoolReadOptions = {}): SpoolRow[] {
    if (this.closed || limit <= 0) return [];
    const kinds = options.kinds;
    const onlyEvents = kinds !== undefined && kinds.length === 1 && kinds[0] === 'event';
    const onlySamples = kinds !== undefined && kinds.length === 1 && kinds[0] === 'sample';
    const stmt = onlyEvents ? this.sql.readEvents : onlySamples ? this.sql.readSamples : this.sql.readAll;
    const out: SpoolRow[] = [];
    // Rows that cannot be decoded are skipped, and the read goes on until `limit` good rows or
    // the end: callers rely on "fewer than limit" meaning "everything committed was scanned".
    let after = afterId;
    while (out.length < limit) {
      const want = limit - out.length;
      const raws = stmt.all(after, want);
      for (const raw of raws) {
        after = raw.id;
        const row = decodeRow(raw);
        if (row === null) {
          this.noteUnreadable(raw.id, destination);
          continue;
        }
        out.push(row);
      }
      if (raws.length < want) break;
    }
    return out;
  }

  private noteUnreadable(id: number, destination: string): void {
    if (this.unreadableIds.has(id)) return; // read again by another destination or after a reconnect
    if (this.unreadableIds.size < 10_000) this.unreadableIds.add(id);
    this.unreadable += 1;
    if (this.unreadable <= 5)
      this.opts.logger.warn({ file: this.file, id, destination }, 'spool row cannot be decoded; skipping it');
  }

  ack(destination: string, uptoId: number): void {
    const current = this.cursors.get(destination) ?? 0;
    const upto = Math.min(uptoId, this.committedId);
    if (upto <= current) return;
    this.cursors.set(destination, upto);
    this.dirtyCursors.add(destination);
    this.healthCache.delete(destination);
  }

  ackedId(destination: string): number {
    return this.cursors.get(destination) ?? 0;
  }

  lastCommittedId(): number {
    return this.committedId;
  }

  onCommit(listener: (info: CommitInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  flush(): void {
    this.commit();
  }

  /** The cursor below which every configured destination is done. */
  private deletableThrough(): number {
    let min = this.committedId;
    for (const destination of this.destinations) min = Math.min(min, this.cursors.get(destination) ?? 0);
    return min;
  }

  private commit(): void {
    if (this.closed) return;
    const { clock } = this.opts;
    const startMono = clock.monoMs();
    this.takeCheckpoints();
    const rows = this.buffer;
    const ageDue = startMono >= this.nextAgeCheckMono;
    // Acknowledged rows go in id ranges of bounded size, so a cursor that jumps over a million
    // rows (a destination skipping samples) does not hold the event loop in one long DELETE.
    // Over the size bound, delivered rows go first in full, so pruning never counts them as drops.
    const deleteCap =
      this.pruner.usedBytes() > this.opts.maxBytes
        ? Number.POSITIVE_INFINITY
        : this.deletedThrough + MAX_DELETE_IDS_PER_COMMIT;
    const deleteThrough = Math.max(this.deletedThrough, Math.min(this.deletableThrough(), this.lastId, deleteCap));
    const hasWork =
      rows.length > 0 ||
      this.dirtyCursors.size > 0 ||
      this.dirtyCheckpoints.size > 0 ||
      deleteThrough > this.deletedThrough ||
      ageDue;
    if (!hasWork) return;

    const lastRowId = rows.length > 0 ? (rows[rows.length - 1]?.id ?? this.committedId) : this.committedId;
    // Rows just inserted may already be acknowledged? No: only committed rows can be read and acked.
    let deleted = { total: 0, events: 0 };
    let pruned = { samples: 0, oeeSnapshots: 0, stuck: false };
    let aged = { samples: 0, oeeSnapshots: 0, stuck: false };
    try {
      this.db.transaction(() => {
        for (const row of rows) this.sql.insert.run(row.id, row.kind, row.priority, row.ts, row.payload);
        for (const key of this.dirtyCheckpoints)
          this.sql.putCheckpoint.run(key, JSON.stringify(this.checkpoints.get(key) ?? null));
        for (const destination of this.dirtyCursors)
          this.sql.putCursor.run(destination, this.cursors.get(destination) ?? 0);
        if (deleteThrough > this.deletedThrough) {
          const counted = this.sql.countRange.get(this.deletedThrough, deleteThrough);
          this.sql.deleteRange.run(this.deletedThrough, deleteThrough);
          deleted = { total: counted?.total ?? 0, events: counted?.events ?? 0 };
        }
        this.sql.putMeta.run('last_id', lastRowId);
        pruned = this.pruner.bySize(this.opts.maxBytes);
        if (ageDue) aged = this.pruner.byAge(clock.wallMs() - this.opts.maxAgeMs);
      })();
    } catch (err) {
      this.noteError(
        new LinesideError(
          'SPOOL_IO',
          `cannot write the spool ${this.file}: ${errorMessage(err)}`,
          { file: this.file },
          { cause: err },
        ),
      );
      this.shedBufferIfOverLimit();
      return;
    }

    // Committed: apply what the transaction did to the in-memory view.
    this.buffer = [];
    const addedEvents = rows.reduce((n, r) => n + (r.kind === 'event' ? 1 : 0), 0);
    this.events += addedEvents - deleted.events - pruned.oeeSnapshots - aged.oeeSnapshots;
    this.samples += rows.length - addedEvents - (deleted.total - deleted.events) - pruned.samples - aged.samples;
    this.committedId = lastRowId;
    this.deletedThrough = deleteThrough;
    this.dirtyCursors.clear();
    this.dirtyCheckpoints.clear();
    if (ageDue) this.nextAgeCheckMono = startMono + this.ageCheckIntervalMs;
    this.commits += 1;
    this.lastCommitAt = clock.wallMs();
    this.lastCommitMs = clock.monoMs() - startMono;
    if (this.lastError !== undefined) {
      this.opts.logger.info({ file: this.file }, 'spool writes work again');
      this.lastError = undefined;
    }
    this.drops.record('size', pruned.samples, pruned.oeeSnapshots, clock.wallMs(), clock.monoMs());
    this.drops.record('age', aged.samples, aged.oeeSnapshots, clock.wallMs(), clock.monoMs());
    this.drops.maybeLog(clock.monoMs());
    this.reportStuck(pruned.stuck);
    if (rows.length > 0) this.notify();
  }

  private reportStuck(stuck: boolean): void {
    if (stuck && !this.stuckLogged) {
      this.opts.logger.error(
        { file: this.file, maxBytes: this.opts.maxBytes, events: this.events },
        'spool is over its size bound and holds only events, which are never dropped; it keeps growing until a destination catches up',
      );
    }
    this.stuckLogged = stuck;
  }

  private notify(): void {
    const info: CommitInfo = { lastCommittedId: this.committedId };
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch (err) {
        this.opts.logger.error({ err: errorMessage(err) }, 'spool commit listener threw');
      }
    }
  }

  private shedBufferIfOverLimit(): void {
    const limit = this.maxBuffered * BUFFER_HARD_LIMIT_FACTOR;
    if (this.buffer.length <= limit) return;
    const excess = this.buffer.length - limit;
    let shed = 0;
    this.buffer = this.buffer.filter((row) => {
      if (shed < excess && row.kind === 'sample') {
        shed += 1;
        return false;
      }
      return true;
    });
    this.drops.record('buffer', shed, 0, this.opts.clock.wallMs(), this.opts.clock.monoMs());
  }

  private noteError(err: LinesideError): void {
    this.errors += 1;
    const text = err.toString();
    if (text !== this.lastError) this.opts.logger.error({ err: { code: err.code, ...err.context } }, text);
    this.lastError = text;
  }

  private destinationHealth(destination: string): SpoolDestinationHealth {
    const nowMono = this.opts.clock.monoMs();
    const cached = this.healthCache.get(destination);
    if (cached !== undefined && nowMono - cached.atMono < HEALTH_CACHE_MS) return cached.value;
    const ackedId = this.cursors.get(destination) ?? 0;
    // Rows after the cursor = all rows - rows still kept at or below it (only those another,
    // slower destination still needs): a short range count instead of counting a whole backlog.
    const keptBelow =
      this.closed || ackedId <= this.deletedThrough
        ? 0
        : (this.sql.countRange.get(this.deletedThrough, Math.min(ackedId, this.committedId))?.total ?? 0);
    const pending = this.closed ? 0 : Math.max(0, this.events + this.samples - keptBelow);
    const oldest = this.closed ? undefined : this.sql.oldestAfter.get(ackedId);
    const oldestUnsentAgeMs = oldest === undefined ? 0 : Math.max(0, this.opts.clock.wallMs() - oldest.ts);
    const value = { ackedId, pending, oldestUnsentAgeMs };
    this.healthCache.set(destination, { atMono: nowMono, value });
    return value;
  }

  health(): SpoolHealth {
    const destinations: Record<string, SpoolDestinationHealth> = {};
    for (const destination of this.destinations) destinations[destination] = this.destinationHealth(destination);
    return {
      file: this.file,
      rows: this.events + this.samples,
      events: this.events,
      samples: this.samples,
      buffered: this.buffer.length,
      bytes: this.closed ? 0 : this.pruner.usedBytes(),
      maxBytes: this.opts.maxBytes,
      maxAgeMs: this.opts.maxAgeMs,
      lastId: this.lastId,
      lastCommittedId: this.committedId,
      commits: this.commits,
      ...(this.lastCommitAt === undefined ? {} : { lastCommitAt: this.lastCommitAt }),
      ...(this.lastCommitMs === undefined ? {} : { lastCommitMs: this.lastCommitMs }),
      destinations,
      dropped: this.drops.counts(),
      unreadable: this.unreadable,
      errors: this.errors,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.recovered === undefined ? {} : { recovered: this.recovered }),
    };
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.commit();
    this.drops.maybeLog(this.opts.clock.monoMs(), true);
    this.closed = true;
    this.listeners.clear();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.opts.logger.warn({ file: this.file, err: errorMessage(err) }, 'spool WAL checkpoint at close failed');
    }
    this.db.close();
    if (this.buffer.length > 0) {
      this.opts.logger.error(
        { file: this.file, rows: this.buffer.length },
        'spool closed with rows it could not write',
      );
    }
  }
}
