/**
 * Runs once before the suite: makes sure the built CLI (dist/) that the CLI, package and install
 * tests spawn is current with the sources, so a local `npx vitest run` never tests yesterday's
 * build. In CI `npm run test:all` has just built it, so this is a cheap freshness check there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');
const BUILT = join(REPO, 'dist/src/cli/main.js');

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  if (process.env.LINESIDE_TEST_CLI === 'source' && process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error('LINESIDE_TEST_CLI=source is for local iteration only: CI must test the built CLI (dist/)');
  }
  const sourcesMs = Math.max(
    newestSourceMs(join(REPO, 'src')),
    newestSourceMs(join(REPO, 'simulator')),
    statSync(join(REPO, 'tsconfig.json')).mtimeMs,
    statSync(join(REPO, 'tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sourcesMs) return;
  // npm run build, without npm's banner; tsc reports type errors itself and fails the run.
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json')],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
}
