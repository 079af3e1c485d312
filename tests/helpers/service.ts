/**
 * ManagedProcess: runs one real service binary for a test and stops only that process.
 *
 * - Keeps the last lines of stdout/stderr so a readiness failure can show the service's own log.
 * - start() waits for a readiness probe; stop() is SIGTERM then SIGKILL; restart() re-runs the same
 *   command line (same config file, so the same port and data).
 * - Every child and temp dir is recorded in module-level Sets and removed on process exit, so a
 *   crashed or forgetful test leaves no orphan broker behind. Killing goes through the
 *   ChildProcess handle we spawned (never a pid or a name lookup), so nothing else is ever hit, and
 *   a handle whose process has exited is a no-op even if the pid was reused.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect } from './ports.js';

type Child = ChildProcessByStdio<null, Readable, Readable>;

const liveChildren = new Set<Child>();
const liveTempDirs = new Set<string>();

/** Synchronous last-resort cleanup: 'exit' handlers cannot await. */
function cleanupNow(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
  for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
  liveTempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupNow();
  // If nobody else handles this signal, restore the default action (terminate) by re-raising it;
  // otherwise the listener we added would have swallowed the signal.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

/** A fresh private temp dir (mode 0700), removed on process exit if removeTempDir() was not called. */
export function createTempDir(prefix: string): string {
  installExitHooks();
  const dir = mkdtempSync(path.join(os.tmpdir(), `lineside-${prefix}-`));
  liveTempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveTempDirs.delete(dir);
}

/** Keeps the last `max` lines; partial lines are held per stream until their newline arrives. */
class LogRing {
  private readonly lines: string[] = [];
  private readonly partial = new Map<string, string>();
  constructor(private readonly max: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  write(stream: string, chunk: string): void {
    const parts = ((this.partial.get(stream) ?? '') + chunk).split('\n');
    this.partial.set(stream, parts.pop() ?? '');
    for (const line of parts) this.push(line);
  }

  flush(): void {
    for (const rest of this.partial.values()) if (rest !== '') this.push(rest);
    this.partial.clear();
  }

  text(): string {
    return [...this.lines, ...[...this.partial.values()].filter((p) => p !== '')].join('\n');
  }
}

export interface ManagedProcessOptions {
  /** Short name for error messages, e.g. "mosquitto". */
  name: string;
  /** Absolute path of the binary (see requireBinary). */
  command: string;
  args: readonly string[];
  /** Working directory, normally the service's temp dir. */
  cwd: string;
  /** Full environment for the child; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Resolves true once the service serves requests; exceptions count as "not yet". */
  probe: () => Promise<boolean>;
  /**
   * Loopback ports the service will listen on. start() refuses to spawn if something already
   * accepts connections there: a TCP probe would otherwise "succeed" against that other process
   * while ours exits with "address in use".
   */
  ports?: readonly number[];
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in stop(). */
  stopTimeoutMs?: number;
  logLines?: number;
}

export class ManagedProcess {
  private child: Child | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly ring: LogRing;
  private starts = 0;

  constructor(private readonly opts: ManagedProcessOptions) {
    this.ring = new LogRing(opts.logLines ?? 200);
  }

  get name(): string {
    return this.opts.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The last ~200 lines the service wrote, across restarts, with start/exit markers. */
  logs(): string {
    return this.ring.text();
  }

  /** Spawns the service and resolves once the probe succeeds; throws with the log otherwise. */
  async start(): Promise<void> {
    if (this.child !== null) throw new Error(`${this.opts.name} is already running (pid ${this.child.pid})`);
    installExitHooks();
    for (const port of this.opts.ports ?? []) {
      if (await canConnect(port)) {
        throw new Error(`${this.opts.name}: 127.0.0.1:${port} is already in use by another process`);
      }
    }
    const { command, args, cwd, env } = this.opts;
    const child = spawn(command, [...args], { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.starts += 1;
    this.ring.push(
      `--- ${this.opts.name} start #${this.starts}: ${command} ${args.join(' ')} (pid ${child.pid ?? '?'}) ---`,
    );
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.ring.write('out', d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => this.ring.write('err', d));

    let spawnError: Error | null = null;
    this.exited = new Promise<void>((resolve) => {
      // 'close' (not 'exit') so the log is complete before a failure message is built; it also
      // fires after a spawn 'error'. (It waits for stdio to close: fine for single-process daemons.)
      child.once('error', (err) => {
        spawnError = err;
      });
      child.once('close', (code, signal) => {
        this.ring.flush();
        this.ring.push(`--- ${this.opts.name} exited (code ${code ?? '-'}, signal ${signal ?? '-'}) ---`);
        liveChildren.delete(child);
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    this.child = child;
    liveChildren.add(child);

    const timeoutMs = this.opts.readyTimeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    let exitedEarly = false;
    void this.exited.then(() => {
      exitedEarly = true;
    });
    while (!exitedEarly) {
      const ok = await this.opts.probe().catch(() => false);
      if (ok && this.child === child) return;
      if (Date.now() > deadline) {
        await this.kill9();
        throw this.failure(`did not become ready within ${timeoutMs} ms`);
      }
      await Promise.race([sleep(100), this.exited]);
    }
    const reason =
      spawnError === null ? 'exited before it became ready' : `could not be spawned: ${String(spawnError)}`;
    throw this.failure(reason);
  }

  /** SIGTERM, SIGKILL after the grace period; resolves once the process has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGTERM');
    const graceMs = this.opts.stopTimeoutMs ?? 5_000;
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(graceMs, true)]);
    if (timedOut) {
      this.ring.push(`--- ${this.opts.name} ignored SIGTERM for ${graceMs} ms; sending SIGKILL ---`);
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Simulates a crash: no clean shutdown. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP / SIGCONT: a hung process that keeps its sockets open (its peers' writes back up). */
  freeze(frozen: boolean): void {
    this.child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private failure(reason: string): Error {
    return new Error(`${this.opts.name} ${reason}. Last log lines:\n${this.logs()}`);
  }
}
