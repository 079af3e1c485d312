/**
 * The outage probe's schedule, on a fake clock and fake timers (no sleeping): at most one ping a
 * second with bounded jitter, never two at once, the wait ended by the first answer after an
 * unanswered write, and (after a timeout or a 5xx) only by an answer that follows a failed ping.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeMode } from '../../../src/outputs/influx/failures.js';
import { PROBE_JITTER, startProbing, type ProbeTimers } from '../../../src/outputs/influx/probe.js';

/** A manual clock with timers; advance() runs what falls due, letting pings settle in between. */
class FakeTime implements ProbeTimers {
  now = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }

  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }

  get pending(): number {
    return this.due.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await flush();
      const next = [...this.due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      this.due.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

interface Harness {
  time: FakeTime;
  /** Monotonic ms at which each ping started. */
  starts: number[];
  woken: number[];
  probing: ReturnType<typeof startProbing>;
  /** Answers of the server, by ping start time. */
  up: (at: number) => boolean;
}

function harness(opts: {
  mode: ProbeMode;
  up: (at: number) => boolean;
  pingMs?: number;
  random?: () => number;
  intervalMs?: number;
}): Harness {
  const time = new FakeTime();
  const starts: number[] = [];
  const woken: number[] = [];
  const h: Partial<Harness> = { time, starts, woken, up: opts.up };
  h.probing = startProbing({
    mode: opts.mode,
    intervalMs: opts.intervalMs ?? 1_000,
    now: () => time.now,
    random: opts.random ?? (() => 0.5),
    timers: time,
    ping: (signal) =>
      new Promise<boolean>((resolve) => {
        const at = time.now;
        starts.push(at);
        const answer = opts.up(at);
        if ((opts.pingMs ?? 0) === 0) resolve(answer);
        else time.set(() => resolve(signal.aborted ? false : answer), opts.pingMs ?? 0);
      }),
    onReachable: () => woken.push(time.now),
  });
  return h as Harness;
}

describe('outage probe', () => {
  it('pings about once a second while the server is down, never faster, with jitter in [1, 1.2] s', async () => {
    let r = 0;
    const randoms = [0, 0.999, 0.5, 0.25, 0.75, 0.1, 0.9, 0.3, 0.6, 0.01, 0.99];
    const h = harness({ mode: 'answer', up: () => false, random: () => randoms[r++ % randoms.length] ?? 0 });
    await h.time.advance(30_000);
    const gaps = h.starts.map((t, i) => t - (i === 0 ? 0 : (h.starts[i - 1] ?? 0)));
    expect(h.starts.length).toBeGreaterThanOrEqual(25);
    expect(h.starts.length).toBeLessThanOrEqual(30);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(1_000);
      expect(g).toBeLessThanOrEqual(1_000 * (1 + PROBE_JITTER));
    }
    expect(new Set(gaps).size).toBeGreaterThan(3); // jittered, not lockstep
    expect(h.woken).toEqual([]);
    h.probing.stop();
    expect(h.time.pending).toBe(0);
  });

  it('after an unanswered write, ends the wait at the first ping that answers, and pings no more', async () => {
    const backAt = 7_300;
    const h = harness({ mode: 'answer', up: (at) => at >= backAt });
    await h.time.advance(60_000);
    expect(h.woken).toHaveLength(1);
    const woken = h.woken[0] ?? Infinity;
    expect(woken).toBeGreaterThanOrEqual(backAt);
    expect(woken - backAt).toBeLessThanOrEqual(1_000 * (1 + PROBE_JITTER)); // within one ping spacing of the server answering
    expect(h.starts.at(-1)).toBe(woken);
    expect(h.probing.pings).toBe(h.starts.length);
    expect(h.time.pending).toBe(0);
  });

  it('after a timeout or a 5xx, ignores pings that answer until one has failed (no write a second against a server that answers pings)', async () => {
    const always = harness({ mode: 'recovery', up: () => true });
    await always.time.advance(20_000);
    expect(always.woken).toEqual([]);
    expect(always.starts.length).toBeGreaterThan(10); // it keeps looking, once a second
    always.probing.stop();

    // Down from 2.5 s to 6 s (a proxy answering 502 for a restarting InfluxDB): woken once it is back.
    const flap = harness({ mode: 'recovery', up: (at) => at < 2_500 || at >= 6_000 });
    await flap.time.advance(20_000);
    expect(flap.woken).toHaveLength(1);
    expect(flap.woken[0]).toBeGreaterThanOrEqual(6_000);
    expect((flap.woken[0] ?? Infinity) - 6_000).toBeLessThanOrEqual(1_200);
  });

  it('never has two pings in flight: a slow ping (a dead host timing out) delays the next, still at most one a second', async () => {
    const h = harness({ mode: 'answer', up: () => false, pingMs: 2_000 });
    await h.time.advance(20_000);
    const gaps = h.starts.slice(1).map((t, i) => t - (h.starts[i] ?? 0));
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(2_000);
    // A ping faster than the interval waits for the rest of it.
    const fast = harness({ mode: 'answer', up: () => false, pingMs: 300 });
    await fast.time.advance(10_000);
    const fastGaps = fast.starts.slice(1).map((t, i) => t - (fast.starts[i] ?? 0));
    for (const g of fastGaps) expect(g).toBe(1_100); // random 0.5: 1,000 × 1.1, counted from the start of the previous ping
  });

  it('stop() ends it: no further ping, an answer in flight is ignored', async () => {
    const h = harness({ mode: 'answer', up: (at) => at >= 1_000, pingMs: 500 });
    await h.time.advance(1_200); // first ping started at 1,100 and is in flight
    expect(h.starts).toEqual([1_100]);
    h.probing.stop();
    await h.time.advance(10_000);
    expect(h.woken).toEqual([]);
    expect(h.starts).toEqual([1_100]);
    h.probing.stop(); // twice is fine
  });
});
