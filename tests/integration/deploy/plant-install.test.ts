/**
 * deploy/install.sh --plant against a throwaway root: the plant server installed on a central
 * server as lineside-plant.service. A fresh install lays out the unit, a plant.yaml the installed
 * code accepts and whose history lands in the unit's StateDirectory, and no agent (there is no
 * line to count); re-runs keep an edited plant.yaml; a plain --upgrade keeps the plant server
 * and still adds no agent; uninstall removes the unit, purge the config and history too. The
 * unit passes systemd-analyze verify, and its ExecStartPre and ExecStart command lines, run from
 * the installed tree, check the config and serve the plant page (real broker, real process).
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../helpers/binaries.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { canConnect, freePort } from '../../helpers/ports.js';
import { fingerprint, install, makeSourceCheckout, modeOf, removeTempDirs, repoRoot, run, tempDir } from './support.js';

let checkout: string;
let root: string;
const at = (p: string) => path.join(root, p);
const wants = (unit: string) => at(`etc/systemd/system/multi-user.target.wants/${unit}`);
/** Exists, symlinks included: the wants links point at /etc/systemd/system/..., outside the tree. */
const present = (p: string) => lstatSync(p, { throwIfNoEntry: false }) !== undefined;

beforeAll(() => {
  checkout = makeSourceCheckout();
  root = tempDir('root-plant');
}, 120_000);

afterAll(() => {
  removeTempDirs();
});

/** Stands in for systemd's notify socket: records each datagram (READY=1, WATCHDOG=1, ...). */
function notifySocket(file: string): { received: string[]; close(): void } {
  const unixDgram = createRequire(import.meta.url)('unix-dgram') as {
    createSocket(type: 'unix_dgram'): {
      on(event: 'message', listener: (buf: Buffer) => void): unknown;
      bind(path: string): void;
      close(): void;
    };
  };
  const received: string[] = [];
  const socket = unixDgram.createSocket('unix_dgram');
  socket.on('message', (buf) => received.push(buf.toString('utf8')));
  socket.bind(file);
  return { received, close: () => socket.close() };
}

/** A command line of the unit installed in `tree` (`ExecStart=` or an `ExecStartPre=`), pointed into the tree. */
function unitCommand(tree: string, key: 'ExecStart' | 'ExecStartPre', contains: string): string[] {
  const line = readFileSync(path.join(tree, 'etc/systemd/system/lineside-plant.service'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`) && l.includes(contains));
  if (line === undefined) throw new Error(`no ${key}= with ${contains} in the installed unit`);
  return line
    .slice(key.length + 1)
    .replaceAll('/opt/lineside/', `${tree}/opt/lineside/`)
    .replaceAll('/etc/lineside/', `${tree}/etc/lineside/`)
    .split(' ');
}

describe('install.sh --plant into a throwaway root', () => {
  it('fresh install: plant unit enabled, plant.yaml from the sample with its history in the state dir, no agent', () => {
    const result = install(checkout, root, ['--plant']);
    expect(result.status, result.stderr).toBe(0);

    expect(readFileSync(at('etc/systemd/system/lineside-plant.service'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'deploy/lineside-plant.service'), 'utf8'),
    );
    expect(modeOf(at('etc/systemd/system/lineside-plant.service'))).toBe('0644');
    expect(fingerprint(path.dirname(wants('x'))).get('lineside-plant.service')?.link).toBe(
      '/etc/systemd/system/lineside-plant.service',
    );
    expect(existsSync(at('usr/local/bin/lineside'))).toBe(true);

    const plantYaml = readFileSync(at('etc/lineside/plant.yaml'), 'utf8');
    expect(plantYaml).toMatch(/^ {2}dir: \/var\/lib\/lineside-plant\b/m);
    expect(plantYaml).toContain('kind: plant');
    expect(modeOf(at('etc/lineside/plant.yaml'))).toBe('0640');
    expect(readFileSync(at('etc/lineside/plant.example.yaml'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'config/plant.yaml'), 'utf8'),
    );
    expect(modeOf(at('etc/lineside/secrets.env'))).toBe('0600');
    expect(modeOf(at('var/lib/lineside-plant'))).toBe('0750');

    // A central server has no line: no agent unit, config, GPIO rule or agent data dir.
    for (const p of [
      'etc/systemd/system/lineside.service',
      'etc/systemd/system/multi-user.target.wants/lineside.service',
      'etc/lineside/config.yaml',
      'etc/udev/rules.d/60-lineside-gpio.rules',
      'var/lib/lineside',
    ])
      expect(present(at(p)), p).toBe(false);
    expect(readFileSync(at('etc/lineside/secrets.env'), 'utf8')).not.toContain('LINESIDE_OPERATOR_TOKEN');
  });

  it("the unit's ExecStartPre check (check-config, run from the installed tree) accepts the new plant.yaml", () => {
    const [command, ...args] = unitCommand(root, 'ExecStartPre', 'check-config');
    const result = run(command!, args);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/plant\.yaml: ok \(plant server: /);
    expect(result.status).toBe(0);
  });

  it('re-run with --plant, and a plain --upgrade, keep an edited plant.yaml and still add no agent', () => {
    const edited = `${readFileSync(at('etc/lineside/plant.yaml'), 'utf8')}# edited on site\n`;
    writeFileSync(at('etc/lineside/plant.yaml'), edited);
    for (const args of [['--plant'], ['--upgrade']]) {
      const result = install(checkout, root, args);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('kept your /etc/lineside/plant.yaml');
      expect(readFileSync(at('etc/lineside/plant.yaml'), 'utf8')).toBe(edited);
      expect(existsSync(at('etc/systemd/system/lineside-plant.service'))).toBe(true);
      expect(existsSync(at('etc/systemd/system/lineside.service'))).toBe(false);
      expect(existsSync(at('etc/lineside/config.yaml'))).toBe(false);
    }
  });

  it('--uninstall removes the plant unit and keeps plant.yaml; --purge removes plant.yaml and the plant history', () => {
    const result = install(checkout, root, ['--uninstall']);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(at('etc/systemd/system/lineside-plant.service'))).toBe(false);
    expect(present(wants('lineside-plant.service'))).toBe(false);
    expect(existsSync(at('opt/lineside'))).toBe(false);
    expect(existsSync(at('etc/lineside/plant.yaml'))).toBe(true);
    expect(existsSync(at('var/lib/lineside-plant'))).toBe(true);

    const purge = install(checkout, root, ['--uninstall', '--purge']);
    expect(purge.status, purge.stderr).toBe(0);
    expect(existsSync(at('etc/lineside'))).toBe(false);
    expect(existsSync(at('var/lib/lineside-plant'))).toBe(false);
  });

  it('on a Pi that runs an agent, --plant adds the plant server beside it (both units enabled)', () => {
    const both = tempDir('root-both');
    expect(install(checkout, both).status).toBe(0);
    const result = install(checkout, both, ['--plant']);
    expect(result.status, result.stderr).toBe(0);
    for (const unit of ['lineside.service', 'lineside-plant.service'])
      expect(present(path.join(both, 'etc/systemd/system/multi-user.target.wants', unit)), unit).toBe(true);
    expect(existsSync(path.join(both, 'etc/lineside/config.yaml'))).toBe(true);
    expect(existsSync(path.join(both, 'etc/lineside/plant.yaml'))).toBe(true);
  });

  it('--agent only goes with --plant', () => {
    const result = install(checkout, tempDir('root-agent'), ['--agent']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--agent only goes with --plant');
  });
});

describe('lineside-plant.service', () => {
  let unitRoot: string;
  beforeAll(() => {
    unitRoot = tempDir('root-plant-unit');
    const result = install(checkout, unitRoot, ['--plant']);
    if (result.status !== 0) throw new Error(result.stderr);
  }, 120_000);

  function verify(debug = false) {
    const unit = readFileSync(path.join(unitRoot, 'etc/systemd/system/lineside-plant.service'), 'utf8').replaceAll(
      '/opt/lineside/',
      `${unitRoot}/opt/lineside/`,
    );
    const file = path.join(tempDir('plant-unit'), 'lineside-plant.service');
    writeFileSync(file, unit);
    const analyze = requireBinary('systemd-analyze', 'systemd');
    return run(analyze, ['verify', file], { SYSTEMD_LOG_LEVEL: debug ? 'debug' : 'notice' });
  }

  it('passes systemd-analyze verify without a word about our unit', () => {
    const result = verify();
    const ours = (result.stdout + result.stderr).split('\n').filter((l) => l.includes('lineside'));
    expect(ours).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('systemd parses the settings the plant server relies on: its own state dir, no devices, a server-sized memory cap', () => {
    const dump = verify(true).stdout;
    const setting = (name: string) => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(dump)?.[1];
    expect(setting('Type')).toBe('notify');
    expect(setting('NotifyAccess')).toBe('main');
    expect(setting('WatchdogSec')).toBe('30s');
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('User')).toBe('lineside');
    expect(setting('Group')).toBe('lineside');
    expect(setting('SupplementaryGroups') ?? '').toBe('');
    expect(setting('StateDirectory')).toBe('lineside-plant');
    expect(setting('WorkingDirectory')).toBe('/var/lib/lineside-plant');
    expect(setting('ReadWritePaths')).toBe('/var/lib/lineside-plant');
    expect(setting('EnvironmentFile')).toBe('-/etc/lineside/secrets.env');
    expect(setting('ProtectSystem')).toBe('strict');
    expect(setting('ProtectHome')).toBe('yes');
    expect(setting('PrivateDevices')).toBe('yes');
    expect(setting('CapabilityBoundingSet')).toBe('');
    // docs/plant.md: 150-180 MB RSS at 500 lines; the cap leaves room for twice that.
    expect(Number(setting('MemoryMax'))).toBeGreaterThanOrEqual(384 * 1024 * 1024);
    expect(dump).toContain(
      `Command Line: /usr/bin/env node ${unitRoot}/opt/lineside/bin/lineside.js plant -c /etc/lineside/plant.yaml`,
    );
    const text = readFileSync(path.join(repoRoot, 'deploy/lineside-plant.service'), 'utf8');
    expect(text).toMatch(/^SyslogIdentifier=lineside-plant$/m);
    expect(text).toMatch(/^NoNewPrivileges=yes$/m);
  });

  it("the unit's ExecStart, run from the installed tree in its WorkingDirectory, serves the plant page, writes its history there and speaks sd_notify", async () => {
    requireBinary('mosquitto', 'mosquitto');
    const broker = await startMosquitto();
    const port = await freePort();
    const stateDir = path.join(unitRoot, 'var/lib/lineside-plant');
    const plantFile = path.join(unitRoot, 'etc/lineside/plant.yaml');
    // The installed plant.yaml, pointed at the test broker, a loopback port and the tree's state dir.
    writeFileSync(
      plantFile,
      readFileSync(plantFile, 'utf8')
        .replace(/^ {2}url: .*$/m, `  url: ${broker.url}`)
        .replace(/^ {2}host: .*$/m, '  host: 127.0.0.1')
        .replace(/^ {2}port: .*$/m, `  port: ${port}`)
        .replace(/^ {2}dir: \/var\/lib\/lineside-plant\b/m, `  dir: ${stateDir}`),
    );
    const [command, ...args] = unitCommand(unitRoot, 'ExecStart', ' plant ');
    const log: string[] = [];
    // What systemd gives a Type=notify service with WatchdogSec= (here 2 s: a ping every second).
    const socketFile = path.join(tempDir('plant-notify'), 'notify');
    const notify = notifySocket(socketFile);
    const env: NodeJS.ProcessEnv = { ...process.env, NOTIFY_SOCKET: socketFile, WATCHDOG_USEC: '2000000' };
    delete env.WATCHDOG_PID;
    const child = spawn(command!, args, { cwd: stateDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => canConnect(port, '127.0.0.1'), { timeout: 20_000 }).toBe(true);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status, log.join('')).toBe(200);
      const api = await fetch(`http://127.0.0.1:${port}/api/plant`);
      expect(api.status).toBe(200);
      expect((await api.json()) as { lines: unknown[] }).toHaveProperty('lines');
      expect(existsSync(path.join(stateDir, 'plant.db'))).toBe(true);
      await expect
        .poll(() => notify.received.filter((m) => m === 'WATCHDOG=1').length, { timeout: 5_000 })
        .toBeGreaterThanOrEqual(2);
      expect(notify.received[0]).toBe('READY=1');
      expect(notify.received).toContainEqual(expect.stringMatching(/^STATUS=serving; plant server: /));
      child.kill('SIGTERM');
      expect(await exited, log.join('')).toBe(0);
      expect(notify.received).toContain('STOPPING=1');
    } finally {
      child.kill('SIGKILL');
      notify.close();
      await broker.close();
    }
  }, 60_000);
});
