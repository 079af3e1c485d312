/**
 * The agent's side of systemd's notify protocol, against a real unix datagram socket standing in
 * for /run/systemd/notify: READY=1, WATCHDOG=1 at half of WATCHDOG_USEC, pings stop while the
 * event loop is blocked (so systemd would restart a hung agent), STOPPING=1 on SIGTERM, clean exit.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = path.join(repoRoot, 'tests/fixtures/deploy/notify-agent.ts');

interface Datagram {
  readonly text: string;
  /** Receive time on the test's own (never blocked) event loop, ms. */
  readonly atMs: number;
}

interface ReceiverSocket {
  on(event: 'message', listener: (buf: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  bind(path: string): void;
  close(): void;
}
const unixDgram = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): ReceiverSocket };

/** A fake systemd notify socket in a private temp dir: records every datagram it receives. */
class FakeNotifySocket {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-notify-'));
  readonly path = path.join(this.dir, 'notify');
  readonly received: Datagram[] = [];
  private readonly socket = unixDgram.createSocket('unix_dgram');
  private waiters: Array<() => void> = [];

  constructor() {
    this.socket.on('message', (buf) => {
      this.received.push({ text: buf.toString('utf8'), atMs: performance.now() });
      for (const wake of this.waiters) wake();
    });
    this.socket.on('error', (err) => {
      throw err;
    });
    this.socket.bind(this.path);
  }

  messages(text: string): Datagram[] {
    return this.received.filter((d) => d.text === text);
  }

  /** Resolves once `predicate` holds over what was received so far. */
  async until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((d) => d.text))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  close(): void {
    this.socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface FixtureRun {
  readonly child: Child;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function runFixture(env: Record<string, string>): FixtureRun {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const) {
    if (!(key in env)) delete childEnv[key];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  live.add(child);
  void exited.then(() => live.delete(child));
  return { child, exited, output: () => out };
}

/** Resolves when the fixture printed `text`; rejects if it exits first. */
function waitForOutput(run: FixtureRun, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (run.output().includes(text)) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void run.exited.then(() => {
      clearInterval(timer);
      if (run.output().includes(text)) resolve();
      else reject(new Error(`fixture exited before printing "${text}": ${run.output()}`));
    });
  });
}

const live = new Set<Child>();
const sockets: FakeNotifySocket[] = [];

afterEach(() => {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const s of sockets.splice(0)) s.close();
});

function fakeSocket(): FakeNotifySocket {
  const s = new FakeNotifySocket();
  sockets.push(s);
  return s;
}

/** Median gap between consecutive datagrams, ms. */
function medianGapMs(datagrams: readonly Datagram[]): number {
  const gaps = datagrams
    .slice(1)
    .map((d, i) => d.atMs - datagrams[i]!.atMs)
    .sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? Number.NaN;
}

describe('sd_notify with a fake NOTIFY_SOCKET', () => {
  it('sends READY=1 and a status, then WATCHDOG=1 at half of WATCHDOG_USEC, then STOPPING=1 on SIGTERM and exits 0', async () => {
    const notify = fakeSocket();
    const watchdogUsec = 1_000_000; // systemd would kill us after 1 s without a ping
    const run = runFixture({ NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: String(watchdogUsec) });

    await notify.until(() => notify.messages('READY=1').length === 1, 'READY=1');
    await notify.until(() => notify.messages('WATCHDOG=1').length >= 7, 'seven watchdog pings');
    expect(notify.received.map((d) => d.text)).toContain('STATUS=fixture up');

    // Half of 1 s is 500 ms. The guarantee systemd needs: pings never further apart than
    // WATCHDOG_USEC. And not a busy loop: not much faster than the interval asked for.
    const pings = notify.messages('WATCHDOG=1');
    const gap = medianGapMs(pings);
    expect(gap).toBeGreaterThan(400);
    expect(gap).toBeLessThan(watchdogUsec / 1000);

    run.child.kill('SIGTERM');
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    const texts = notify.received.map((d) => d.text);
    expect(texts.indexOf('READY=1')).toBeLessThan(texts.indexOf('WATCHDOG=1'));
    expect(texts.at(-1)).toBe('STOPPING=1');
  });

  it('stops pinging while the event loop is blocked, so systemd would restart a hung agent', async () => {
    const notify = fakeSocket();
    const run = runFixture({ NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '200000', FIXTURE_BLOCK_MS: '3000' });
    await notify.until(() => notify.messages('WATCHDOG=1').length >= 5, 'five watchdog pings');

    const before = notify.messages('WATCHDOG=1').length;
    run.child.kill('SIGUSR2');
    await waitForOutput(run, 'event loop free again');
    await notify.until(() => notify.messages('WATCHDOG=1').length >= before + 5, 'pings to resume');

    // The longest silence spans the 3 s block; the 100 ms interval cannot produce such a gap
    // otherwise. (A slower machine only makes the gap longer, never shorter.)
    const pings = notify.messages('WATCHDOG=1');
    const gaps = pings.slice(1).map((d, i) => d.atMs - pings[i]!.atMs);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(2_500);
    expect(run.output()).toContain('blocking the event loop');
  });

  it('sends READY=1 but no pings when WATCHDOG_PID names another process', async () => {
    const notify = fakeSocket();
    const run = runFixture({ NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' });
    await waitForOutput(run, 'fixture: ready');
    await notify.until(() => notify.messages('READY=1').length === 1, 'READY=1');
    run.child.kill('SIGTERM');
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    // At 50 ms per ping a running watchdog would have sent several by now.
    expect(notify.messages('WATCHDOG=1')).toHaveLength(0);
    expect(notify.received.map((d) => d.text)).toEqual(['READY=1', 'STATUS=fixture up', 'STOPPING=1']);
  });

  it('never keeps the process alive: with the watchdog running and nothing else, the agent exits by itself', async () => {
    const notify = fakeSocket();
    const run = runFixture({ NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '30000000', FIXTURE_EXIT_WHEN_IDLE: '1' });
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    expect(notify.messages('READY=1')).toHaveLength(1);
    expect(notify.messages('WATCHDOG=1')).toHaveLength(1); // the immediate first ping
  });

  it('is a silent no-op without NOTIFY_SOCKET (a terminal, a test, lineside demo)', async () => {
    const run = runFixture({ WATCHDOG_USEC: '100000' });
    await waitForOutput(run, 'fixture: ready');
    run.child.kill('SIGTERM');
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('"enabled":false');
    expect(run.output()).not.toContain('"level":40'); // no warning
  });

  it('does not crash when NOTIFY_SOCKET points at a socket that does not exist: warns once and keeps running', async () => {
    const notify = fakeSocket(); // only for its private temp dir
    const missing = path.join(notify.dir, 'gone');
    const run = runFixture({ NOTIFY_SOCKET: missing, WATCHDOG_USEC: '100000' });
    await waitForOutput(run, 'fixture: ready');
    // Let several pings fail.
    await new Promise((resolve) => setTimeout(resolve, 400));
    run.child.kill('SIGTERM');
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    const warnings = run
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":40') && l.includes('sd_notify: send failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(missing);
  });

  it('refuses an abstract NOTIFY_SOCKET it cannot address with a clear warning, and keeps running', async () => {
    const run = runFixture({ NOTIFY_SOCKET: '@lineside-test-abstract', WATCHDOG_USEC: '100000' });
    await waitForOutput(run, 'fixture: ready');
    run.child.kill('SIGTERM');
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('abstract NOTIFY_SOCKET cannot be addressed');
  });
});
