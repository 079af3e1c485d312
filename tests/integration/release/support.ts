/**
 * What the release tests share: running shell commands the way a user types them, npm kept
 * offline (the suite's own `npm ci` has just filled npm's cache from the same lockfile), and the
 * checks that say "the demo is up": banner, /healthz, a cycle on the embedded broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { REPO } from '../../helpers/cli.js';

/**
 * npm without the network: packages come from npm's cache (`offline`), and better-sqlite3 builds
 * from source instead of asking GitHub for a prebuilt binary (which no test may reach). Other
 * native modules compile or use the prebuilds inside their npm packages, as on a plant's Pi.
 */
export const OFFLINE_NPM_ENV: Readonly<Record<string, string>> = {
  npm_config_offline: 'true',
  npm_config_build_from_source: 'better-sqlite3',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

const temps: string[] = [];
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lineside-${prefix}-`));
  temps.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The shell block that follows `marker` in the README: the command exactly as a user copies it. */
export function readmeCommand(marker: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(at));
  if (block?.[1] === undefined) throw new Error(`README.md has no sh block after "${marker}"`);
  return block[1].trim();
}

/**
 * Runs `command` through bash (the shell a user pastes it into) in its own process group, so
 * `interrupt` can send Ctrl-C's SIGINT to every process of it (bash, npm, sh and node), as a
 * terminal does.
 */
export function spawnShell(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): ChildProcess & { output: () => string } {
  const child = spawn('bash', ['-c', command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export function interrupt(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}

/** True while any process of the group led by `child` is alive (npm's children included). */
export function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once every process of the group is gone; rejects after `timeoutMs`. */
export async function groupGoneWithin(child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(child) || (child.exitCode === null && child.signalCode === null)) {
    if (Date.now() > deadline) throw new Error(`processes still running ${timeoutMs} ms after the signal`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the exit code, or rejects after `timeoutMs` (the caller then kills the group). */
export function exitWithin(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after the signal`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Polls until `output()` matches; rejects if the process exits first or on timeout. */
export async function waitForText(
  child: ChildProcess & { output: () => string },
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output())) {
    if (child.exitCode !== null)
      throw new Error(`exited (${child.exitCode}) before ${pattern}; output:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return child.output();
}

export async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/** Waits for one cycle message (with a cycle time) from any station on the broker. */
export async function firstCycle(mqttPort: number, timeoutMs: number): Promise<{ topic: string; cycleTimeMs: number }> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no cycle published within ${timeoutMs} ms`)), timeoutMs);
      client.on('message', (topic, payload) => {
        if (!topic.endsWith('/cycle')) return;
        const cycle = JSON.parse(payload.toString()) as { cycleTimeMs?: number };
        if ((cycle.cycleTimeMs ?? 0) > 0) {
          clearTimeout(timer);
          resolve({ topic, cycleTimeMs: cycle.cycleTimeMs ?? 0 });
        }
      });
      client.subscribe('#', { qos: 0 }, (err) => {
        if (err) reject(err);
      });
    });
  } finally {
    await client.endAsync();
  }
}
