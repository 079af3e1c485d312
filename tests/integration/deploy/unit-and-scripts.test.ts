/**
 * The systemd unit as systemd itself reads it (systemd-analyze verify), the shell scripts as
 * shellcheck reads them, and preflight.sh, which runs before every start: a too-old Node is named,
 * a Node upgrade that changed the native-module ABI triggers one rebuild, and a rebuild that
 * failed is not retried in a loop by automatic restarts.
 *
 * `npm rebuild` is played by a stand-in script on PATH that records how it was called: the real
 * one compiles better-sqlite3 for minutes and needs the network or a compiler cache.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../helpers/binaries.js';
import { install, makeSourceCheckout, removeTempDirs, repoRoot, run, tempDir } from './support.js';

let root: string;

beforeAll(() => {
  const checkout = makeSourceCheckout();
  root = tempDir('root-unit');
  const result = install(checkout, root);
  if (result.status !== 0) throw new Error(result.stderr);
}, 120_000);

afterAll(() => {
  removeTempDirs();
});

describe('deploy/*.sh', () => {
  it('is shellcheck clean (following sourced files)', () => {
    const shellcheck = requireBinary('shellcheck', 'shellcheck');
    const scripts = [
      ...readdirSync(path.join(repoRoot, 'deploy'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `deploy/${f}`),
      ...readdirSync(path.join(repoRoot, 'deploy/lib'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `deploy/lib/${f}`),
    ];
    expect(scripts).toEqual(
      expect.arrayContaining([
        'deploy/install.sh',
        'deploy/preflight.sh',
        'deploy/lib/code.sh',
        'deploy/lib/common.sh',
        'deploy/lib/services.sh',
      ]),
    );
    const result = run(shellcheck, ['-x', '--severity=style', ...scripts]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('lineside.service', () => {
  /** The installed unit with /opt/lineside moved into the test root, so its commands exist. */
  function unitInRoot(extra = ''): string {
    const unit = readFileSync(path.join(root, 'etc/systemd/system/lineside.service'), 'utf8').replaceAll(
      '/opt/lineside/',
      `${root}/opt/lineside/`,
    );
    const dir = tempDir('unit');
    const file = path.join(dir, 'lineside.service');
    writeFileSync(file, unit.replace('[Service]\n', `[Service]\n${extra}`));
    return file;
  }

  function verify(file: string, debug = false) {
    const analyze = requireBinary('systemd-analyze', 'systemd');
    return run(analyze, ['verify', file], debug ? { SYSTEMD_LOG_LEVEL: 'debug' } : { SYSTEMD_LOG_LEVEL: 'notice' });
  }

  it('passes systemd-analyze verify without a word about our unit', () => {
    const result = verify(unitInRoot());
    const ours = (result.stdout + result.stderr).split('\n').filter((l) => l.includes('lineside'));
    expect(ours).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('the check can fail: a typo in the unit is reported by name', () => {
    const result = verify(unitInRoot('WatchdogSecs=30s\n'));
    expect(result.stdout + result.stderr).toMatch(/lineside\.service.*WatchdogSecs/);
  });

  it('systemd parses the settings the agent and the field rely on', () => {
    const dump = verify(unitInRoot(), true).stdout;
    const setting = (name: string) => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(dump)?.[1];
    expect(setting('Type')).toBe('notify');
    expect(setting('NotifyAccess')).toBe('main');
    expect(setting('WatchdogSec')).toBe('30s');
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('RestartSec')).toBe('5s');
    expect(setting('TimeoutStopSec')).toBe('15s');
    expect(setting('User')).toBe('lineside');
    expect(setting('Group')).toBe('lineside');
    expect(setting('SupplementaryGroups')).toBe('gpio dialout');
    expect(setting('EnvironmentFile')).toBe('-/etc/lineside/secrets.env');
    expect(setting('StateDirectory')).toBe('lineside');
    expect(setting('ProtectSystem')).toBe('strict');
    expect(setting('ProtectHome')).toBe('yes');
    expect(setting('PrivateTmp')).toBe('yes');
    expect(setting('ReadWritePaths')).toBe('/var/lib/lineside');
    expect(setting('CapabilityBoundingSet')).toBe('');
    // Hardware access survives the sandbox.
    expect(setting('PrivateDevices')).toBe('no');
    expect(setting('DevicePolicy')).toBe('auto');
    expect(setting('ProtectClock')).toBe('no');
    expect(setting('ProtectKernelTunables')).toBe('no');
    expect(Number(setting('MemoryMax'))).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(dump).toMatch(/Command Line: \S+\/preflight\.sh/);
    expect(dump).toContain(
      'Command Line: /usr/bin/env node /opt/lineside/bin/lineside.js check-config /etc/lineside/config.yaml'.replace(
        '/opt/lineside/',
        `${root}/opt/lineside/`,
      ),
    );
    expect(dump).toContain(
      'Command Line: /usr/bin/env node /opt/lineside/bin/lineside.js start -c /etc/lineside/config.yaml'.replace(
        '/opt/lineside/',
        `${root}/opt/lineside/`,
      ),
    );
    // Not in the dump of systemd 252; the unit text carries them.
    const text = readFileSync(path.join(repoRoot, 'deploy/lineside.service'), 'utf8');
    expect(text).toMatch(/^NoNewPrivileges=yes$/m);
    expect(text).toMatch(/^SyslogIdentifier=lineside$/m); // journal lines "lineside[pid]", not "env[pid]"
  });
});

describe('preflight.sh (ExecStartPre=+, before every start)', () => {
  const preflight = () => path.join(root, 'opt/lineside/deploy/preflight.sh');
  const abiStamp = () => path.join(root, 'opt/lineside/.install-node-abi');
  const currentAbi = process.versions.modules;

  /** A PATH whose npm records "cwd args nodedir" to a log and exits with `exitCode`. */
  function fakeNpm(exitCode: number): { path: string; log: string } {
    const dir = tempDir('fake-npm');
    const log = path.join(dir, 'calls.log');
    writeFileSync(
      path.join(dir, 'npm'),
      `#!/bin/sh\necho "$PWD|$*|\${npm_config_nodedir:-}" >> "${log}"\nexit ${exitCode}\n`,
      { mode: 0o755 },
    );
    writeFileSync(log, '');
    return { path: `${dir}:${process.env.PATH ?? ''}`, log };
  }

  it('passes silently when Node and the native modules match', () => {
    writeFileSync(abiStamp(), `${currentAbi}\n`);
    const npm = fakeNpm(0);
    const result = run('bash', [preflight()], { PATH: npm.path });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
    expect(readFileSync(npm.log, 'utf8')).toBe('');
  });

  it('names a too-old Node (Debian 18) and where to get Node 22, and fails', () => {
    const dir = tempDir('old-node');
    writeFileSync(path.join(dir, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const result = run('bash', [preflight()], { PATH: `${dir}:${process.env.PATH ?? ''}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Node 18.19.0');
    expect(result.stderr).toContain('too old');
    expect(result.stderr).toContain('Node 22 LTS');
  });

  it('after a Node upgrade (new ABI) rebuilds the native modules once, with local headers, and records the ABI', () => {
    writeFileSync(abiStamp(), '108\n'); // built under Node 18
    const npm = fakeNpm(0);
    const result = run('bash', [preflight()], { PATH: npm.path, INVOCATION_ID: 'systemd-start-1' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`native modules were built for ABI 108: rebuilding`);
    const calls = readFileSync(npm.log, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(1);
    const [cwd, args, nodedir] = calls[0]!.split('|');
    expect(cwd).toBe(path.join(root, 'opt/lineside'));
    expect(args).toBe('rebuild --no-audit --no-fund');
    // Debian/NodeSource put Node's headers under /usr/include/node: node-gyp needs no download.
    expect(nodedir).toBe(path.dirname(path.dirname(process.execPath)));
    expect(readFileSync(abiStamp(), 'utf8').trim()).toBe(currentAbi);

    const next = run('bash', [preflight()], { PATH: npm.path, INVOCATION_ID: 'systemd-start-2' });
    expect(next.status).toBe(0);
    expect(readFileSync(npm.log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a failed rebuild fails the start with what to do, is not retried by automatic restarts, and is retried by hand', () => {
    writeFileSync(abiStamp(), '108\n');
    const npm = fakeNpm(1);
    const first = run('bash', [preflight()], { PATH: npm.path, INVOCATION_ID: 'systemd-start-1' });
    expect(first.status).toBe(1);
    expect(first.stderr).toContain('rebuilding native modules for Node');
    expect(first.stderr).toContain('sudo');

    const restart = run('bash', [preflight()], { PATH: npm.path, INVOCATION_ID: 'systemd-start-2' });
    expect(restart.status).toBe(1);
    expect(restart.stderr).toContain('failed before');
    expect(readFileSync(npm.log, 'utf8').trim().split('\n')).toHaveLength(1);

    const byHand = run('bash', [preflight()], { PATH: fakeNpm(0).path, INVOCATION_ID: '' });
    expect(byHand.status, byHand.stderr).toBe(0);
    expect(readFileSync(abiStamp(), 'utf8').trim()).toBe(currentAbi);
  });
});
