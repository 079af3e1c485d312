/**
 * Helpers for tests that run `lineside simulate` as a real process (tests/helpers/cli.ts spawns
 * the CLI) and for socat pty pairs, the null-modem cable of the RTU tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/cli.js';
import { requireBinary } from '../../helpers/binaries.js';

export interface ServedSim {
  readonly child: ChildProcess;
  /** Everything printed up to the end of the banner. */
  readonly banner: string;
  /** TCP port of a PLC, from the banner. */
  port(plc: string): number;
  /** SIGINT, as Ctrl-C would; resolves with the exit code and all stdout. */
  stop(): Promise<{ code: number | null; stdout: string }>;
}

/** Spawns `lineside simulate ARGS` and waits until the banner's PLC lines are out. */
export async function startServed(args: readonly string[]): Promise<ServedSim> {
  const child = spawnCli(['simulate', ...args]);
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let banner: string;
  try {
    banner = await waitForOutput(child, /\n {2}try: [^\n]*\n(?:(?: {7}| {2}gpio)[^\n]*\n)*/, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nstderr:\n${stderr}`, { cause: err });
  }
  return {
    child,
    banner,
    port(plc) {
      const m = new RegExp(`\\n {2}${plc} \\([^)]*\\): tcp://[^:]+:(\\d+) unit`).exec(banner);
      if (m === null) throw new Error(`no TCP endpoint for ${plc} in the banner:\n${banner}`);
      return Number(m[1]);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exitOf(child);
      return { code, stdout };
    },
  };
}

export interface PtyPair {
  /** The simulator's end (the PLC side of the cable). */
  readonly plcEnd: string;
  /** The Modbus master's end. */
  readonly masterEnd: string;
  close(): Promise<void>;
}

/** `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`, as simulator/README.md shows. */
export async function ptyPair(): Promise<PtyPair> {
  const binary = requireBinary('socat', 'socat');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-simpty-'));
  const plcEnd = path.join(dir, 'ttyV0');
  const masterEnd = path.join(dir, 'ttyV1');
  const socat = spawn(binary, ['-d', '-d', `pty,raw,echo=0,link=${plcEnd}`, `pty,raw,echo=0,link=${masterEnd}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100 && !(existsSync(plcEnd) && existsSync(masterEnd)); i++) await sleep(50);
  const close = async () => {
    if (socat.exitCode === null && socat.signalCode === null) {
      const exited = new Promise((resolve) => socat.once('exit', resolve));
      socat.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!existsSync(plcEnd) || !existsSync(masterEnd)) {
    await close();
    throw new Error('socat did not create the pty links within 5 s');
  }
  return { plcEnd, masterEnd, close };
}
