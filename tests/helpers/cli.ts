import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../..');

/**
 * How tests run the CLI: the built package (`bin/lineside.js` → `dist/`), exactly what users, the
 * npm tarball and the systemd unit run. tests/global-setup.ts builds dist/ when it is stale.
 * `LINESIDE_TEST_CLI=source` runs src/ through tsx instead, for quick local iteration; CI refuses it.
 */
export function cliCommand(): readonly string[] {
  if (process.env.LINESIDE_TEST_CLI === 'source') return ['--import', 'tsx', join(REPO, 'src/cli/run.ts')];
  return [join(REPO, 'bin/lineside.js')];
}

/**
 * Runs the CLI as a user would run `lineside ...`, and collects its output. `input` is piped to
 * its stdin (then closed); without it stdin is /dev/null, as under a service manager.
 */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): ChildProcess {
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) {
    // A CLI that exits before reading all of it closes the pipe: that is its business, not an error here.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  }
  return child;
}

/** Resolves with the output so far once `pattern` appears on stdout; rejects on exit or timeout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) done(() => resolve(seen));
    };
    const onExit = (code: number | null) =>
      done(() => reject(new Error(`exited (${code}) before ${pattern}; output:\n${seen}`)));
    const timer = setTimeout(
      () => done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`))),
      timeoutMs,
    );
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      fn();
    };
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Resolves with the exit code. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
