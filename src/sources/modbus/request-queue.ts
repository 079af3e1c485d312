/**
 * The transport's request queue: strictly one request outstanding at a time, first come first
 * served, with a quiet pause after each one before the next goes out.
 */
import type { LinesideError } from '../../lib/errors.js';

interface Queued<Req, Rep> {
  readonly request: Req;
  readonly resolve: (reply: Rep) => void;
  readonly reject: (error: LinesideError) => void;
}

export class RequestQueue<Req, Rep> {
  private readonly queue: Queued<Req, Rep>[] = [];
  private pumping: Promise<void> | undefined;
  private pumpActive = false;
  private wake: (() => void) | undefined;

  constructor(
    /** Runs one request; a rejection is a LinesideError. */
    private readonly execute: (request: Req) => Promise<Rep>,
    /** Quiet time after a request before the next one, ms. */
    private readonly pauseAfter: (request: Req) => number,
    /** True once the owner stopped: no more pauses. */
    private readonly stopped: () => boolean,
  ) {}

  push(request: Req): Promise<Rep> {
    return new Promise<Rep>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // `pumpActive` is cleared in the same synchronous step that finds the queue empty, so a
      // request queued by a caller resuming from the previous reply is never stranded.
      if (!this.pumpActive) this.pumping = this.pump();
    });
  }

  /** Rejects every queued request (not the one in flight) and cuts a pause short. */
  rejectAll(error: (request: Req) => LinesideError): void {
    for (const item of this.queue.splice(0)) item.reject(error(item.request));
    this.wake?.();
  }

  /** Resolves when the request in flight (if any) and its pause are over. */
  async idle(): Promise<void> {
    await this.pumping;
  }

  private async pump(): Promise<void> {
    this.pumpActive = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        try {
          item.resolve(await this.execute(item.request));
        } catch (err) {
          item.reject(err as LinesideError);
        }
        const pauseMs = this.pauseAfter(item.request);
        if (pauseMs > 0 && !this.stopped()) await this.pause(pauseMs);
      }
    } finally {
      this.pumpActive = false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
