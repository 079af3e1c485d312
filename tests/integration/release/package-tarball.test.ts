/**
 * What `npm pack` ships, installed into a clean prefix, runs: the demo, the simulator with a
 * bundled scenario and check-config, all from an empty directory. The tarball holds the built
 * dist/, every file the runtime reads and its lockfile (npm-shrinkwrap.json), nothing of the tests.
 *
 * The prefix is laid out as `npm install -g` lays it out (lib/node_modules/lineside, bin/lineside
 * linked to bin/lineside.js) with the dependencies from the shipped lockfile (`npm ci --omit=dev`
 * in the unpacked package). `npm install -g TARBALL` itself would first ask the registry for
 * package metadata, which npm does not cache from an `npm ci` and which no test may fetch.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/cli.js';
import { expectCheckConfig, expectDemoRuns, expectSimulateServes, type Launcher } from './installed.js';
import { OFFLINE_NPM_ENV, removeTempDirs, tempDir } from './support.js';

let tarball: string;
let files: string[];
let prefix: string;
let lineside: Launcher;

beforeAll(() => {
  // dist/ is current (tests/global-setup.ts); --ignore-scripts so packing does not rebuild it
  // under the feet of tests running in parallel.
  const out = tempDir('pack');
  const report = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, ...OFFLINE_NPM_ENV },
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const [packed] = report;
  if (packed === undefined) throw new Error('npm pack reported nothing');
  tarball = join(out, packed.filename);
  files = packed.files.map((f) => f.path);
  console.info(`npm pack: ${packed.filename}, ${statSync(tarball).size} bytes, ${files.length} files`);

  prefix = tempDir('prefix');
  const pkg = join(prefix, 'lib/node_modules/lineside');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', pkg]);
  // The native modules compile here (better-sqlite3 from source, as on a Pi without prebuilds).
  execFileSync('npm', ['ci', '--omit=dev'], {
    cwd: pkg,
    env: { ...process.env, ...OFFLINE_NPM_ENV },
    stdio: 'pipe',
    timeout: 600_000,
  });
  mkdirSync(join(prefix, 'bin'));
  symlinkSync('../lib/node_modules/lineside/bin/lineside.js', join(prefix, 'bin/lineside'));
  lineside = [join(prefix, 'bin', 'lineside')];
}, 660_000);

afterAll(() => removeTempDirs());

describe('the npm tarball, installed into a clean prefix', () => {
  it('ships the built CLI and every file the runtime reads, and no tests, sources or source maps', () => {
    for (const needed of [
      'bin/lineside.js',
      'dist/src/cli/main.js',
      'dist/simulator/index.js',
      'simulator/scenarios/demo.yaml',
      'simulator/scenarios/steady.yaml',
      'config/demo.yaml',
      'config/example.yaml',
      'config/lineside.schema.json',
      'src/web/index.html',
      'src/web/app.js',
      'deploy/install.sh',
      'LICENSE',
      'README.md',
      'npm-shrinkwrap.json',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(
      files.filter((f) => f.startsWith('tests/') || f.endsWith('.map') || (f.startsWith('src/') && f.endsWith('.ts'))),
    ).toEqual([]);
  });

  it('lineside demo runs from the installed package', async () => {
    await expectDemoRuns(lineside);
  }, 180_000);

  it('lineside simulate -s steady serves non-zero registers within its first seconds', async () => {
    await expectSimulateServes(lineside);
  }, 60_000);

  it('lineside check-config accepts the shipped example and names a typo', async () => {
    await expectCheckConfig(lineside, join(prefix, 'lib/node_modules/lineside/config/example.yaml'));
  }, 60_000);
});
