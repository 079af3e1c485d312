/**
 * A spooled output's counts and up/down state as the runner keeps them: what /metrics, /readyz
 * and the page show for it, and the one log line per outage (down once, back once).
 */
import type { Logger } from '../lib/logger.js';
import type { OutputStatus } from './output.js';
import type { DeliveryFailure } from './runner-contract.js';

export class DeliveryStatus {
  private up = true;
  /** This logged that the destination went down, so it logs when it comes back. */
  private outageLogged = false;
  private sent = 0;
  private errors = 0;
  /** Items refused for good (dropped), one by one or with their batch. */
  dropped = 0;
  private lastError: string | undefined;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  get isUp(): boolean {
    return this.up;
  }

  /** An attempt (send or prepare) failed. */
  failed(failure: DeliveryFailure): void {
    this.errors++;
    this.lastError = failure.message;
  }

  /** A bug or a spool I/O error, not an outage. */
  internalError(message: string): void {
    this.errors++;
    this.lastError = `INTERNAL ${message}`;
  }

  delivered(count: number, refused: number): void {
    this.sent += count - refused;
    this.dropped += refused;
    this.errors += refused;
  }

  /** Down: said once per outage, unless the destination said it already. */
  down(failure: DeliveryFailure, message: string): void {
    if (this.up && failure.logged !== true) {
      this.log.warn({ err: failure.message }, message);
      this.outageLogged = true;
    }
    this.up = false;
  }

  back(): void {
    if (this.outageLogged) this.log.info(`${this.name} takes data again`);
    this.outageLogged = false;
    this.up = true;
  }

  snapshot(upNow: boolean | undefined): OutputStatus {
    return {
      name: this.name,
      up: upNow ?? this.up,
      sent: this.sent,
      errors: this.errors,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}
