/**
 * The spool's checkpoints: values set directly, and sources read afresh for the commits that need
 * them (see types.ts), each written in the same transaction as the rows they cover.
 */
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { SpoolStatements } from './statements.js';

export class Checkpoints {
  private readonly values = new Map<string, unknown>();
  private readonly dirty = new Set<string>();
  private readonly sources = new Map<string, { read: () => unknown; when: 'events' | 'requested' }>();
  /** Events were appended since the 'events' sources were last read. */
  private due = false;
  /** requestCheckpoint() was called: every source is read in the next commit. */
  private requested = false;

  constructor(
    private readonly logger: Logger,
    private readonly file: string,
  ) {}

  /** Restores the values a previous run committed; one that does not parse is skipped, not fatal. */
  load(rows: Iterable<{ key: string; value: string }>): void {
    for (const row of rows) {
      try {
        this.values.set(row.key, JSON.parse(row.value) as unknown);
      } catch {
        this.logger.warn({ file: this.file, key: row.key }, 'spool checkpoint is not valid JSON; ignoring it');
      }
    }
  }

  set(key: string, value: unknown): void {
    this.values.set(key, value);
    this.dirty.add(key);
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  setSource(key: string, source: () => unknown, when: 'events' | 'requested'): void {
    this.sources.set(key, { read: source, when });
    this.requested = true;
  }

  request(): void {
    if (this.sources.size > 0) this.requested = true;
  }

  /** An event was appended: the 'events' sources are read in the next commit. */
  eventAppended(): void {
    this.due = true;
  }

  /** Reads the checkpoint sources that are due into the checkpoints this commit writes. */
  take(): void {
    if (!this.due && !this.requested) return;
    const all = this.requested;
    this.due = false;
    this.requested = false;
    for (const [key, source] of this.sources) {
      if (!all && source.when !== 'events') continue;
      try {
        this.values.set(key, source.read());
        this.dirty.add(key);
      } catch (err) {
        // A bug in a source; the rows still go in (losing events would be worse), and it is loud.
        this.logger.error(
          { file: this.file, key, err: errorMessage(err) },
          'checkpoint source threw; the previous checkpoint is kept',
        );
      }
    }
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Writes the changed checkpoints; call inside the commit transaction. */
  writeDirty(sql: SpoolStatements): void {
    for (const key of this.dirty) sql.putCheckpoint.run(key, JSON.stringify(this.values.get(key) ?? null));
  }

  /** The commit that wrote them went through. */
  clearDirty(): void {
    this.dirty.clear();
  }
}
