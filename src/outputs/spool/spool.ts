/**
 * The SQLite spool (see types.ts for the contract). One connection, prepared statements, one
 * write transaction per commit interval holding the new rows, cursors, checkpoints, the deletion
 * of acknowledged rows and pruning. This file opens the spool and answers the Spool interface;
 * the work is done by the parts beside it: committer and transaction (writing), reader,
 * acks (cursors), checkpoints, destination-health and write-status (health).
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../core/events.js';
import type { Sample } from '../../core/sample.js';
import { LinesideError, errorMessage } from '../../lib/errors.js';
import { Acks } from './acks.js';
import { Checkpoints } from './checkpoints.js';
import { Committer } from './committer.js';
import { DestinationHealthCache } from './destination-health.js';
import { DropReporter } from './drop-reporter.js';
import { openSpoolDb, type OpenedDb } from './open-db.js';
import { SampleColumns } from './sample-row.js';
import { SAMPLE_PRIORITY, eventPriority } from './priority.js';
import { Pruner } from './prune.js';
import { RecentRows } from './recent-rows.js';
import { RowReader } from './reader.js';
import { restoreState, type SpoolState } from './state.js';
import { SpoolStatements } from './statements.js';
import type {
  CommitInfo,
  Spool,
  SpoolDestinationHealth,
  SpoolHealth,
  SpoolOptions,
  SpoolReadOptions,
  SpoolRow,
} from './types.js';
import { WriteStatus } from './write-status.js';

/** Samples in one row at most (a poll of a large device stays one row). */
const SAMPLES_PER_ROW = 1_000;

const DEFAULT_MAX_BUFFERED = 20_000;

export function openSpool(options: SpoolOptions): Spool {
  return new SqliteSpool(options);
}

class SqliteSpool implements Spool {
  private readonly file: string;
  private readonly db: Database.Database;
  private readonly pruner: Pruner;
  private readonly drops: DropReporter;
  private readonly recovered: OpenedDb['recovered'];
  private readonly maxBuffered: number;
  private readonly acks: Acks;
  private readonly checkpoints: Checkpoints;
  private readonly reader: RowReader;
  private readonly healthCache: DestinationHealthCache;
  private readonly status: WriteStatus;
  private readonly state: SpoolState;
  private readonly committer: Committer;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: SpoolOptions) {
    this.file = path.resolve(opts.dir, opts.fileName ?? 'spool.db');
    const opened = openSpoolDb(this.file, opts.logger, opts.clock.wallMs());
    this.db = opened.db;
    this.recovered = opened.recovered;
    const sql = new SpoolStatements(this.db);
    this.pruner = new Pruner(this.db);
    this.drops = new DropReporter(opts.logger, this.file);
    this.maxBuffered = opts.maxBufferedRows ?? DEFAULT_MAX_BUFFERED;
    this.acks = new Acks([...new Set(opts.destinations)]);
    this.checkpoints = new Checkpoints(opts.logger, this.file);
    const recent = new RecentRows(this.maxBuffered);
    this.reader = new RowReader(sql, opts.logger, this.file, recent);
    this.healthCache = new DestinationHealthCache(sql, opts.clock);
    this.status = new WriteStatus(opts.logger, this.file);
    this.state = restoreState(sql, this.acks, this.checkpoints);
    this.committer = new Committer({
      opts,
      file: this.file,
      maxBuffered: this.maxBuffered,
      state: this.state,
      targets: { db: this.db, sql, pruner: this.pruner, checkpoints: this.checkpoints, acks: this.acks },
      drops: this.drops,
      status: this.status,
      recent,
    });

    this.timer = setInterval(() => this.committer.commit(), Math.max(10, opts.commitIntervalMs));
    // The agent's sources and server keep the process alive; the spool must not block exit.
    this.timer.unref();
    this.committer.commit(); // persist new cursors, delete what was acknowledged before a destination was removed
    opts.logger.info(
      {
        file: this.file,
        rows: this.state.events + this.state.samples,
        events: this.state.events,
        lastId: this.state.lastId,
        destinations: this.acks.destinations,
      },
      'spool opened',
    );
  }

  appendEvent(event: CoreEvent): number {
    const { state } = this;
    if (state.closed) {
      // A shutdown-order bug (outputs must close after the core stopped): say so, loudly.
      this.opts.logger.error(
        { file: this.file, eventId: event.id },
        'an event arrived after the spool was closed and is lost',
      );
      return 0;
    }
    let payload: string;
    try {
      payload = JSON.stringify(event);
    } catch (err) {
      this.status.failed(
        new LinesideError('SPOOL_IO', `cannot serialise an event for the spool: ${errorMessage(err)}`, {
          file: this.file,
        }),
      );
      return 0;
    }
    state.lastId += 1;
    state.buffer.push({
      id: state.lastId,
      kind: 'event',
      priority: eventPriority(event),
      ts: this.safeTs(event.ts),
      payload,
    });
    this.checkpoints.eventAppended();
    if (state.lastId - state.committedId >= this.maxBuffered) this.committer.commitSoon();
    return state.lastId;
  }

  /**
   * Samples appended one after another (a poll's, with no event between) share one row of up to
   * SAMPLES_PER_ROW: one insert, read and delete for all of them. Each still has its own id.
   */
  appendSample(sample: Sample): number {
    const { state } = this;
    if (state.closed) {
      this.drops.record('closed', 1, 0, this.opts.clock.wallMs(), this.opts.clock.monoMs());
      return 0;
    }
    state.lastId += 1;
    const last = state.buffer.at(-1);
    if (last !== undefined && last.kind === 'sample' && last.samples.size < SAMPLES_PER_ROW) last.samples.push(sample);
    else
      state.buffer.push({
        id: state.lastId,
        kind: 'sample',
        priority: SAMPLE_PRIORITY,
        ts: this.safeTs(sample.ts),
        samples: new SampleColumns(sample),
      });
    if (state.lastId - state.committedId >= this.maxBuffered) this.committer.commitSoon();
    return state.lastId;
  }

  private safeTs(ts: number): number {
    return Number.isFinite(ts) ? Math.trunc(ts) : this.opts.clock.wallMs();
  }

  setCheckpoint(key: string, value: unknown): void {
    this.checkpoints.set(key, value);
  }

  getCheckpoint(key: string): unknown {
    return this.checkpoints.get(key);
  }

  setCheckpointSource(key: string, source: () => unknown, when: 'events' | 'requested' = 'events'): void {
    this.checkpoints.setSource(key, source, when);
  }

  requestCheckpoint(): void {
    this.checkpoints.request();
  }

  read(destination: string, afterId: number, limit: number, options: SpoolReadOptions = {}): SpoolRow[] {
    if (this.state.closed || limit <= 0) return [];
    return this.reader.read(destination, afterId, limit, options);
  }

  ack(destination: string, uptoId: number): void {
    if (this.acks.ack(destination, uptoId, this.state.committedId)) this.healthCache.forget(destination);
  }

  ackedId(destination: string): number {
    return this.acks.ackedId(destination);
  }

  lastCommittedId(): number {
    return this.state.committedId;
  }

  onCommit(listener: (info: CommitInfo) => void): () => void {
    return this.committer.onCommit(listener);
  }

  flush(): void {
    this.committer.commit();
  }

  health(): SpoolHealth {
    const { state } = this;
    const destinations: Record<string, SpoolDestinationHealth> = {};
    for (const destination of this.acks.destinations) {
      destinations[destination] = this.healthCache.get(destination, {
        closed: state.closed,
        ackedId: this.acks.ackedId(destination),
        deletedThrough: state.deletedThrough,
        committedId: state.committedId,
        rows: state.events + state.samples,
      });
    }
    const { commits, lastCommitAt, lastCommitMs, errors, lastError } = this.status;
    return {
      file: this.file,
      rows: state.events + state.samples,
      events: state.events,
      samples: state.samples,
      buffered: state.buffer.length,
      bytes: state.closed ? 0 : this.pruner.usedBytes(),
      maxBytes: this.opts.maxBytes,
      maxAgeMs: this.opts.maxAgeMs,
      lastId: state.lastId,
      lastCommittedId: state.committedId,
      commits,
      ...(lastCommitAt === undefined ? {} : { lastCommitAt }),
      ...(lastCommitMs === undefined ? {} : { lastCommitMs }),
      destinations,
      dropped: this.drops.counts(),
      unreadable: this.reader.unreadable,
      errors,
      ...(lastError === undefined ? {} : { lastError }),
      ...(this.recovered === undefined ? {} : { recovered: this.recovered }),
    };
  }

  close(): void {
    if (this.state.closed) return;
    clearInterval(this.timer);
    this.committer.commit();
    this.drops.maybeLog(this.opts.clock.monoMs(), true);
    this.state.closed = true;
    this.committer.clearListeners();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.opts.logger.warn({ file: this.file, err: errorMessage(err) }, 'spool WAL checkpoint at close failed');
    }
    this.db.close();
    if (this.state.buffer.length > 0) {
      this.opts.logger.error(
        { file: this.file, rows: this.state.buffer.length },
        'spool closed with rows it could not write',
      );
    }
  }
}
