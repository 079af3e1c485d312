/**
 * How the spool's writes are going, for health(): commits made, the last one's time and
 * duration, errors. An error is logged when it first appears (not on every retry), and recovery once.
 */
import type { Clock } from '../../core/sample.js';
import type { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export class WriteStatus {
  private commitCount = 0;
  private lastCommitAtMs: number | undefined;
  private lastCommitTookMs: number | undefined;
  private errorCount = 0;
  private lastErrorText: string | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly file: string,
  ) {}

  get commits(): number {
    return this.commitCount;
  }

  get lastCommitAt(): number | undefined {
    return this.lastCommitAtMs;
  }

  /** Duration of the last commit transaction, ms. */
  get lastCommitMs(): number | undefined {
    return this.lastCommitTookMs;
  }

  get errors(): number {
    return this.errorCount;
  }

  /** "CODE message" of the last error, until a commit goes through again. */
  get lastError(): string | undefined {
    return this.lastErrorText;
  }

  failed(err: LinesideError): void {
    this.errorCount += 1;
    const text = err.toString();
    if (text !== this.lastErrorText) this.logger.error({ err: { code: err.code, ...err.context } }, text);
    this.lastErrorText = text;
  }

  /** A commit that began at `startMono` went through. */
  committed(clock: Clock, startMono: number): void {
    this.commitCount += 1;
    this.lastCommitAtMs = clock.wallMs();
    this.lastCommitTookMs = clock.monoMs() - startMono;
    if (this.lastErrorText !== undefined) {
      this.logger.info({ file: this.file }, 'spool writes work again');
      this.lastErrorText = undefined;
    }
  }
}
