/**
 * Checks run against an installed Lineside (the npm tarball in a prefix, the tree install.sh
 * lays out): the commands a user runs first must work from there, with the bundled scenarios,
 * dashboard files and configs found from the installed package, not from this checkout.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { closeClient, tcpClient, type Client } from '../simulator/modbus-client.js';
import { freePort } from '../../helpers/ports.js';
import { exitWithin, firstCycle, httpStatus, interrupt, tempDir, waitForText } from './support.js';

/** argv that runs the installed CLI: [node, .../bin/lineside.js] or [.../bin/lineside]. */
export type Launcher = readonly [string, ...string[]];

function start(launcher: Launcher, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const [command, ...prefix] = launcher;
  // Run from an empty directory: nothing may be found relative to the current directory.
  const cwd = tempDir('cwd');
  const child = spawn(command, [...prefix, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output, cwd });
}

/** `lineside demo`: banner, dashboard page and /healthz, a published cycle; Ctrl-C exits 0. */
export async function expectDemoRuns(launcher: Launcher): Promise<void> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const demo = start(launcher, [
    'demo',
    '--speed',
    '60',
    '--http-port',
    String(httpPort),
    '--mqtt-port',
    String(mqttPort),
  ]);
  try {
    await waitForText(demo, /Lineside demo is running/, 60_000);
    expect(await httpStatus(`http://127.0.0.1:${httpPort}/`)).toBe(200);
    expect(await httpStatus(`http://127.0.0.1:${httpPort}/healthz`)).toBe(200);
    expect((await firstCycle(mqttPort, 90_000)).cycleTimeMs).toBeGreaterThan(0);
    interrupt(demo);
    expect(await exitWithin(demo, 10_000), demo.output()).toBe(0);
    // The default data directory is relative to where the user started it.
    expect(demo.output()).toContain(join(demo.cwd, '.lineside/demo'));
  } finally {
    interrupt(demo, 'SIGKILL');
  }
}

/** `lineside simulate -s steady --duration 5s`: live, non-zero registers in its first seconds. */
export async function expectSimulateServes(launcher: Launcher): Promise<void> {
  const port = await freePort();
  const sim = start(launcher, ['simulate', '-s', 'steady', '--duration', '5s', '--modbus-port', String(port)]);
  let client: Client | undefined;
  try {
    await waitForText(sim, new RegExp(`127\\.0\\.0\\.1:${port}`), 30_000);
    client = await tcpClient(port);
    const { data } = await client.readHoldingRegisters(0, 18);
    expect(
      data.some((word) => word !== 0),
      `holding 0..17 = ${data.join(' ')}`,
    ).toBe(true);
    await closeClient(client);
    expect(await exitWithin(sim, 15_000), sim.output()).toBe(0);
  } finally {
    await closeClient(client);
    interrupt(sim, 'SIGKILL');
  }
}

/** `lineside check-config FILE`: exit 0 on the shipped example, 2 naming the path on a typo. */
export async function expectCheckConfig(launcher: Launcher, example: string): Promise<void> {
  const run = async (file: string) => {
    const child = start(launcher, ['check-config', file]);
    const code = await exitWithin(child, 30_000);
    return { code, output: child.output() };
  };
  const ok = await run(example);
  expect(ok.code, ok.output).toBe(0);
  const broken = join(tempDir('config'), 'broken.yaml');
  writeFileSync(broken, readFileSync(example, 'utf8').replace(/^site:/m, 'siet:'));
  const bad = await run(broken);
  expect(bad.code, bad.output).toBe(2);
  expect(bad.output).toContain('siet');
}
