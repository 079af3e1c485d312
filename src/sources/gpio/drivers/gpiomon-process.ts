/**
 * Keeps one long-running gpiomon alive: spawns it, hands its stdout over line by line, and when
 * it dies (killed, line lost, chip gone) reports that and starts it again after an exponential
 * backoff. Before every restart the owner re-syncs line levels (gpioget cannot read a line that
 * gpiomon holds, so this is the only moment it can).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lastLine } from './run-tool.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** "ENOENT" when gpiomon could not be started at all. */
  readonly errno?: string;
  /** Last line the tool wrote to stderr ("gpiomon: error waiting for events: ..."). */
  readonly stderr: string;
  /** Real milliseconds until the next start attempt. */
  readonly restartInMs: number;
  /** How long the process ran, real ms. */
  readonly uptimeMs: number;
}

export interface GpiomonProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** First restart delay, doubled after each quick death up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A process that ran at least this long resets the backoff. */
  readonly stableAfterMs: number;
  /** Taken as up (onUp) once it has run this long without dying, or printed something. */
  readonly upAfterMs: number;
  /** Complete stdout lines, in order, one chunk at a time. */
  onLines(lines: readonly string[]): void;
  onExit(info: ExitInfo): void;
  onUp(): void;
  /** Runs before each restart; false counts as a failed attempt (backoff grows, retried later). */
  beforeRestart(): Promise<boolean>;
}

const STDERR_TAIL_CHARS = 4096;

export class GpiomonProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private upTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private restarts = 0;

  constructor(private readonly options: GpiomonProcessOptions) {
    this.backoffMs = options.initialBackoffMs;
  }

  /** Times the process has been started again after dying. */
  get restartCount(): number {
    return this.restarts;
  }

  /** True while a gpiomon process exists. */
  get running(): boolean {
    return this.child !== null;
  }

  /** Process id of the current gpiomon, if one runs (for logs and tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping || this.child !== null) return;
    this.spawnOnce();
  }

  /** Stops restarting, terminates gpiomon (SIGTERM, then SIGKILL) and resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const child = this.child;
    if (child === null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(killer);
  }

  private spawnOnce(): void {
    const o = this.options;
    const startedAt = performance.now();
    let stderrTail = '';
    let pending = '';
    let announcedUp = false;
    let errno: string | undefined;
    let done = false;
    let resolveExited!: () => void;
    this.exited = new Promise((resolve) => (resolveExited = resolve));

    const child = spawn(o.command, [...o.args], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const up = () => {
      if (announcedUp || done) return;
      announcedUp = true;
      if (this.upTimer) clearTimeout(this.upTimer);
      this.upTimer = null;
      o.onUp();
    };
    this.upTimer = setTimeout(up, o.upAfterMs);

    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      const lines = pending.slice(0, cut).split('\n');
      pending = pending.slice(cut + 1);
      up();
      o.onLines(lines);
    });
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    // Pipe errors must not become unhandled 'error' events; the exit handler reports the death.
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});

    const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      if (this.child === child) this.child = null;
      if (this.upTimer) clearTimeout(this.upTimer);
      this.upTimer = null;
      resolveExited();
      if (this.stopping) return;
      const uptimeMs = performance.now() - startedAt;
      if (uptimeMs >= o.stableAfterMs) this.backoffMs = o.initialBackoffMs;
      const restartInMs = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, o.maxBackoffMs);
      o.onExit({
        code,
        signal,
        ...(errno !== undefined ? { errno } : {}),
        stderr: lastLine(stderrTail),
        restartInMs,
        uptimeMs,
      });
      this.scheduleRestart(restartInMs);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      errno = err.code ?? 'EIO';
      if (child.pid === undefined) onGone(null, null);
    });
    child.on('close', onGone);
  }

  private scheduleRestart(delayMs: number): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.restart();
    }, delayMs);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const ready = await this.options.beforeRestart().catch(() => false);
    if (this.stopping) return;
    if (!ready) {
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
      this.scheduleRestart(delay);
      return;
    }
    this.restarts++;
    this.spawnOnce();
  }

  private clearTimers(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.upTimer) clearTimeout(this.upTimer);
    this.restartTimer = null;
    this.upTimer = null;
  }
}
