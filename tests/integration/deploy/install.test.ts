/**
 * deploy/install.sh against a throwaway root: what a controls engineer relies on when nobody
 * touches the Pi for a year. A fresh install lays out code, unit, config and a 0600 secrets file;
 * a re-run changes nothing; an upgrade replaces code but never the config, secrets or spooled
 * data; an upgrade that would break a working config is refused; uninstall keeps config and
 * data; purge removes everything.
 *
 * npm ci is replaced by --node-modules (a link to the checkout's node_modules): a real
 * `npm ci --omit=dev` compiles four native modules and needs the network, which tests must not.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConfigInTree,
  envValue,
  fingerprint,
  install,
  makeSourceCheckout,
  modeOf,
  removeTempDirs,
  repoRoot,
  run,
  tempDir,
} from './support.js';

let checkout: string;

beforeAll(() => {
  checkout = makeSourceCheckout();
}, 120_000);

afterAll(() => {
  removeTempDirs();
});

/** Bumps the checkout's version and changes one compiled file: "a new release". */
function release(version: string): void {
  const pkgFile = path.join(checkout, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  pkg.version = version;
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  appendFileSync(path.join(checkout, 'dist/src/cli/main.js'), `\n// release ${version}\n`);
}

function installedVersion(root: string, dir = 'opt/lineside'): string {
  return (JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('install.sh into a throwaway root', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('root');
  });

  it('fresh install: code, unit, command, config from the example, secrets 0600, data dir, service enabled', () => {
    const result = install(checkout, root);
    expect(result.status, result.stderr).toBe(0);

    const at = (p: string) => path.join(root, p);
    expect(existsSync(at('opt/lineside/dist/src/cli/main.js'))).toBe(true);
    expect(existsSync(at('opt/lineside/simulator/scenarios/demo.yaml'))).toBe(true);
    expect(modeOf(at('opt/lineside/bin/lineside.js'))).toBe('0755');
    expect(modeOf(at('opt/lineside/deploy/preflight.sh'))).toBe('0755');
    expect(readFileSync(at('etc/systemd/system/lineside.service'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'deploy/lineside.service'), 'utf8'),
    );
    expect(modeOf(at('etc/systemd/system/lineside.service'))).toBe('0644');
    expect(modeOf(at('usr/local/bin/lineside'))).toBe('0755');
    expect(readFileSync(at('usr/local/bin/lineside'), 'utf8')).toContain('/opt/lineside/bin/lineside.js');

    expect(readFileSync(at('etc/lineside/config.yaml'), 'utf8')).toBe(
      readFileSync(path.join(repoRoot, 'config/example.yaml'), 'utf8'),
    );
    expect(modeOf(at('etc/lineside/config.yaml'))).toBe('0640');
    expect(modeOf(at('etc/lineside'))).toBe('0750');
    expect(modeOf(at('etc/lineside/secrets.env'))).toBe('0600');
    expect(envValue(at('etc/lineside/secrets.env'), 'LINESIDE_OPERATOR_TOKEN')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(modeOf(at('var/lib/lineside'))).toBe('0750');
    // The users file the example config names (usersFile: users.json), readable by the service.
    expect(JSON.parse(readFileSync(at('etc/lineside/users.json'), 'utf8'))).toEqual({ version: 1, users: [] });
    expect(modeOf(at('etc/lineside/users.json'))).toBe('0640');
    // Debian/Ubuntu leave /dev/gpiochip* root-only; the rule gives them to group gpio.
    expect(readFileSync(at('etc/udev/rules.d/60-lineside-gpio.rules'), 'utf8')).toMatch(
      /^SUBSYSTEM=="gpio", KERNEL=="gpiochip\*", GROUP="gpio", MODE="0660"$/m,
    );

    // Enabled the way `systemctl enable` does it: a wants link for multi-user.target.
    const wants = at('etc/systemd/system/multi-user.target.wants/lineside.service');
    expect(existsSync(path.dirname(wants))).toBe(true);
    expect(fingerprint(path.dirname(wants)).get('lineside.service')?.link).toBe('/etc/systemd/system/lineside.service');

    // System changes that need a real system are reported, not done.
    expect(result.stdout).toContain('would run: groupadd --system gpio');
    expect(result.stdout).toMatch(/would run: useradd .*--groups gpio,dialout.* lineside/);

    // The installed tree runs: the installed CLI accepts the installed config.
    const check = checkConfigInTree(root);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain(': ok (');
  });

  it('re-run: idempotent, the tree is byte-for-byte the same and the code is reported unchanged', () => {
    const before = fingerprint(root);
    const result = install(checkout, root);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('is unchanged');
    expect(fingerprint(root)).toEqual(before);
  });

  it('--upgrade: new code in place, the previous kept, config, secrets and spooled data untouched', () => {
    const config = path.join(root, 'etc/lineside/config.yaml');
    const secrets = path.join(root, 'etc/lineside/secrets.env');
    const spool = path.join(root, 'var/lib/lineside/spool.db');
    writeFileSync(config, readFileSync(config, 'utf8').replace('site: stuttgart', 'site: leipzig'));
    appendFileSync(secrets, 'PLC_PASSWORD=hunter2\n');
    writeFileSync(spool, 'rows that were not delivered yet');
    const kept = new Map([config, secrets, spool].map((f) => [f, readFileSync(f)]));
    const oldVersion = installedVersion(root);

    release('9.9.1');
    const result = install(checkout, root, ['--upgrade']);
    expect(result.status, result.stderr).toBe(0);

    expect(installedVersion(root)).toBe('9.9.1');
    expect(readFileSync(path.join(root, 'opt/lineside/dist/src/cli/main.js'), 'utf8')).toContain('// release 9.9.1');
    expect(installedVersion(root, 'opt/lineside.prev')).toBe(oldVersion);
    for (const [file, content] of kept) expect(readFileSync(file), file).toEqual(content);
    expect(modeOf(secrets)).toBe('0600');
    expect(result.stdout).toContain('config check with the new version');
    expect(checkConfigInTree(root).stdout).toContain(': ok (');
  });

  it('--upgrade refuses a release that rejects the config the installed one accepts, and changes nothing', () => {
    release('9.9.2');
    // The new release is stricter: its check-config rejects everything.
    const checkConfigJs = path.join(checkout, 'dist/src/cli/check-config.js');
    const original = readFileSync(checkConfigJs, 'utf8');
    writeFileSync(
      checkConfigJs,
      original.replace(
        /export function runCheckConfig\(args, io\) \{/,
        '$&\n    io.stderr.write("config.yaml: 1 problem\\n  site.area: no longer supported\\n");\n    return 2;',
      ),
    );
    try {
      const before = fingerprint(root);
      const refused = install(checkout, root, ['--upgrade']);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('site.area: no longer supported');
      expect(refused.stderr).toContain('Nothing was changed');
      expect(fingerprint(root)).toEqual(before);

      const forced = install(checkout, root, ['--upgrade', '--force']);
      expect(forced.status, forced.stderr).toBe(0);
      expect(installedVersion(root)).toBe('9.9.2');
    } finally {
      writeFileSync(checkConfigJs, original);
    }
    // Back to a release that accepts the config.
    release('9.9.3');
    expect(install(checkout, root, ['--upgrade']).status).toBe(0);
    expect(installedVersion(root)).toBe('9.9.3');
  });

  it('--uninstall: code, unit and command gone; config, secrets and data kept', () => {
    const config = readFileSync(path.join(root, 'etc/lineside/config.yaml'));
    const result = install(checkout, root, ['--uninstall']);
    expect(result.status, result.stderr).toBe(0);
    for (const gone of [
      'opt/lineside',
      'opt/lineside.prev',
      'etc/systemd/system/lineside.service',
      'etc/systemd/system/multi-user.target.wants/lineside.service',
      'usr/local/bin/lineside',
    ]) {
      expect(existsSync(path.join(root, gone)), gone).toBe(false);
    }
    expect(readFileSync(path.join(root, 'etc/lineside/config.yaml'))).toEqual(config);
    expect(envValue(path.join(root, 'etc/lineside/secrets.env'), 'PLC_PASSWORD')).toBe('hunter2');
    expect(readFileSync(path.join(root, 'var/lib/lineside/spool.db'), 'utf8')).toBe('rows that were not delivered yet');
  });

  it('reinstall after uninstall keeps the old config, then --uninstall --purge leaves nothing of Lineside', () => {
    const config = readFileSync(path.join(root, 'etc/lineside/config.yaml'));
    expect(install(checkout, root).status).toBe(0);
    expect(readFileSync(path.join(root, 'etc/lineside/config.yaml'))).toEqual(config);

    const result = install(checkout, root, ['--uninstall', '--purge']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('would run: userdel lineside');
    const left = [...fingerprint(root).keys()].filter((p) => p.includes('lineside'));
    expect(left).toEqual([]);
  });
});

describe('install.sh refuses what cannot work', () => {
  it('names the Node version and how to get Node 22 when node is too old (Debian 18), and writes nothing', () => {
    const root = tempDir('root-old-node');
    const fakeBin = tempDir('old-node');
    writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const result = install(checkout, root, [], { PATH: `${fakeBin}:${process.env.PATH ?? ''}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('18.19.0');
    expect(result.stderr).toContain('too old');
    expect(result.stderr).toContain('deb.nodesource.com/setup_22.x');
    expect(result.stderr).toContain('linux-armv7l');
    expect(fingerprint(root).size).toBe(0);
  });

  it('--upgrade without an installation says so', () => {
    const root = tempDir('root-empty');
    const result = install(checkout, root, ['--upgrade']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('not installed');
  });

  it('rejects unknown options and --purge without --uninstall with exit 2 and the usage', () => {
    const root = tempDir('root-args');
    for (const args of [['--frobnicate'], ['--purge']]) {
      const result = install(checkout, root, args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
  });

  it('will not install or upgrade from the installed copy (no checkout to build from)', () => {
    const root = tempDir('root-self');
    expect(install(checkout, root).status).toBe(0);
    const result = run('bash', [
      path.join(root, 'opt/lineside/deploy/install.sh'),
      '--root',
      root,
      '--no-build',
      '--no-deps',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('installed copy');
    // ...but uninstalling from it works (the checkout may be long gone).
    const uninstall = run('bash', [path.join(root, 'opt/lineside/deploy/install.sh'), '--root', root, '--uninstall']);
    expect(uninstall.status, uninstall.stderr).toBe(0);
    expect(existsSync(path.join(root, 'opt/lineside'))).toBe(false);
  });
});
