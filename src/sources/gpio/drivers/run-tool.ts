/**
 * Runs one short-lived libgpiod tool (gpiodetect, gpioget, gpiomon --version) and collects its
 * output. Never rejects: a missing binary, a non-zero exit and a hang all come back as a result.
 */
import { spawn } from 'node:child_process';

export interface ToolResult {
  /** Exit code 0 and no spawn error. */
  readonly ok: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the process could not be started ("ENOENT": not on PATH) or timed out ("ETIMEDOUT"). */
  readonly errno?: string;
}

export interface RunToolOptions {
  /** Environment, for PATH (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed after this long, ms. gpioget and gpiodetect answer in milliseconds. */
  readonly timeoutMs?: number;
}

const MAX_OUTPUT_CHARS = 64 * 1024;

export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let errno: string | undefined;
    let settled = false;
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      errno = 'ETIMEDOUT';
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 5_000);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        ok: code === 0 && errno === undefined,
        code,
        signal,
        stdout,
        stderr,
        ...(errno !== undefined ? { errno } : {}),
      });
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    // Stream errors (EPIPE and the like) must not become unhandled 'error' events.
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      errno = err.code ?? 'EIO';
      // A process that never started emits no 'close' on some Node versions.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}

/** The last non-empty line of a tool's stderr, for error messages. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}
