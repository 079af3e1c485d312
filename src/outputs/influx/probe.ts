/**
 * Cuts an outage's backoff short (pure apart from its injected ports): while the writer waits out
 * a long retry delay after InfluxDB stopped answering, it asks `GET /ping` (cheap, no database
 * work; 204 on 1.x, also on 2.x/3.x and their v1 API) about once a second, and retries the write
 * as soon as the server answers again. Without it, the writer would sit out up to the whole
 * backoff (up to 30 s) after InfluxDB was back.
 *
 * Rules:
 * - At most one ping a second: each starts at least `intervalMs` (plus up to 20 % jitter, so a
 *   plant full of agents does not ping in lockstep) after the previous one started, and never
 *   while the previous one is still waiting for its answer.
 * - `answer` mode (nothing answered the write): the first ping that answers ends the wait.
 *   `recovery` mode (the write timed out or got a 5xx): a ping that answers ends the wait only
 *   after a ping failed, so a server that answers pings but fails writes keeps its backoff
 *   (failures.ts, probeModeFor).
 * - stop() (the wait ended anyway: backoff elapsed, or the writer is stopping) ends the probing
 *   and aborts a ping in flight; its answer is ignored.
 */
import type { ProbeMode } from './failures.js';

/** Asks the server whether it answers; resolves true when it does. Must not reject (rejecting counts as false). */
export type Ping = (signal: AbortSignal) => Promise<boolean>;

/** The timer seam: real timers in the writer, a fake one in tests. */
export interface ProbeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: ProbeTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Extra spacing between pings, as a fraction of the interval, drawn uniformly. */
export const PROBE_JITTER = 0.2;

export interface ProbeOptions {
  readonly ping: Ping;
  readonly mode: ProbeMode;
  /** Least spacing between the starts of two pings, ms (1,000 in the writer). */
  readonly intervalMs: number;
  /** Monotonic ms. */
  readonly now: () => number;
  /** Uniform [0, 1), for the jitter. */
  readonly random: () => number;
  readonly timers: ProbeTimers;
  /** Called once, when a ping shows the server is back; probing has stopped by then. */
  readonly onReachable: () => void;
}

export interface Probing {
  stop(): void;
  /** Pings started so far. */
  readonly pings: number;
}

export function startProbing(o: ProbeOptions): Probing {
  let stopped = false;
  let pings = 0;
  let sawDown = o.mode === 'answer';
  let timer: unknown;
  let inFlight: AbortController | undefined;
  const spacing = (): number => o.intervalMs * (1 + PROBE_JITTER * o.random());

  const schedule = (ms: number): void => {
    timer = o.timers.set(
      () => {
        timer = undefined;
        void probe();
      },
      Math.max(0, ms),
    );
  };

  const probe = async (): Promise<void> => {
    if (stopped) return;
    const startedAt = o.now();
    const gap = spacing();
    pings += 1;
    const controller = new AbortController();
    inFlight = controller;
    let up: boolean;
    try {
      up = await o.ping(controller.signal);
    } catch {
      up = false;
    }
    inFlight = undefined;
    if (stopped) return;
    if (up && sawDown) {
      stopped = true;
      o.onReachable();
      return;
    }
    if (!up) sawDown = true;
    schedule(gap - (o.now() - startedAt));
  };

  schedule(spacing());
  return {
    stop() {
      if (stopped && timer === undefined && inFlight === undefined) return;
      stopped = true;
      if (timer !== undefined) o.timers.clear(timer);
      timer = undefined;
      inFlight?.abort();
      inFlight = undefined;
    },
    get pings() {
      return pings;
    },
  };
}
