/**
 * Counts every row the spool drops and logs it without flooding the journal: the first drop after
 * a quiet period is logged at once, later ones are summed and logged at most once a minute.
 */
import type { Logger } from '../../lib/logger.js';
import type { SpoolDropCounts } from './types.js';

type Reason = NonNullable<SpoolDropCounts['lastReason']>;

const SUMMARY_INTERVAL_MS = 60_000;

const WHY: Record<Reason, string> = {
  size: 'the spool reached its size bound (storage.spoolMaxMB)',
  age: 'they were older than storage.spoolMaxAge',
  buffer: 'the spool could not be written and its memory buffer was full',
  closed: 'they arrived after the spool was closed',
};

export class DropReporter {
  private samples = 0;
  private oeeSnapshots = 0;
  private lastAt: number | undefined;
  private lastReason: Reason | undefined;
  private unloggedSamples = 0;
  private unloggedOee = 0;
  private unloggedReason: Reason | undefined;
  private lastLogMono: number | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly file: string,
  ) {}

  record(reason: Reason, samples: number, oeeSnapshots: number, wallMs: number, monoMs: number): void {
    if (samples + oeeSnapshots === 0) return;
    this.samples += samples;
    this.oeeSnapshots += oeeSnapshots;
    this.lastAt = wallMs;
    this.lastReason = reason;
    this.unloggedSamples += samples;
    this.unloggedOee += oeeSnapshots;
    this.unloggedReason = reason;
    this.maybeLog(monoMs);
  }

  /** Logs the pending summary when a minute has passed; call it regularly (every commit). */
  maybeLog(monoMs: number, force = false): void {
    if (this.unloggedSamples + this.unloggedOee === 0 || this.unloggedReason === undefined) return;
    if (!force && this.lastLogMono !== undefined && monoMs - this.lastLogMono < SUMMARY_INTERVAL_MS) return;
    this.logger.warn(
      {
        file: this.file,
        droppedSamples: this.unloggedSamples,
        droppedOeeSnapshots: this.unloggedOee,
        totalDropped: this.samples + this.oeeSnapshots,
        reason: this.unloggedReason,
      },
      `spool dropped ${this.unloggedSamples} raw samples and ${this.unloggedOee} periodic OEE snapshots because ${WHY[this.unloggedReason]}; no cycle, state, downtime or alert was dropped`,
    );
    this.lastLogMono = monoMs;
    this.unloggedSamples = 0;
    this.unloggedOee = 0;
  }

  counts(): SpoolDropCounts {
    return {
      samples: this.samples,
      oeeSnapshots: this.oeeSnapshots,
      total: this.samples + this.oeeSnapshots,
      ...(this.lastAt === undefined ? {} : { lastAt: this.lastAt }),
      ...(this.lastReason === undefined ? {} : { lastReason: this.lastReason }),
    };
  }
}
