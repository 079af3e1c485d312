/**
 * Shared by the deploy tests: a throwaway source checkout (the real deploy/, config/, bin/ and
 * a dist/ compiled from the real sources), running deploy/install.sh into a throwaway root, and
 * a fingerprint of a directory tree (paths, modes, symlinks, content hashes).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const repoNodeModules = path.join(repoRoot, 'node_modules');

const tempDirs = new Set<string>();

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lineside-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * A copy of what a fresh checkout plus `npm run build` contains, without touching the shared
 * checkout's own dist/. dist/ is emitted file by file with TypeScript's transpileModule (the
 * same emit as tsc for this isolatedModules project, without type checking: seconds instead of a
 * full build, and independent of type errors in files other engineers are still writing).
 */
export function makeSourceCheckout(): string {
  const src = tempDir('checkout');
  for (const item of [
    'package.json',
    'npm-shrinkwrap.json',
    'README.md',
    'LICENSE',
    'bin',
    'config',
    'deploy',
    'docs',
    'simulator/scenarios',
    'src/web',
  ]) {
    const from = path.join(repoRoot, item);
    if (existsSync(from)) cpSync(from, path.join(src, item), { recursive: true });
  }
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  const emit = (dir: string): void => {
    for (const name of readdirSync(path.join(repoRoot, dir))) {
      const rel = path.join(dir, name);
      const full = path.join(repoRoot, rel);
      if (statSync(full).isDirectory()) {
        if (rel !== path.join('src', 'web')) emit(rel);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const out = ts.transpileModule(readFileSync(full, 'utf8'), { compilerOptions, fileName: rel });
        const dest = path.join(src, 'dist', rel.replace(/\.ts$/, '.js'));
        mkdirSync(path.dirname(dest), { recursive: true });
        writeFileSync(dest, out.outputText);
      }
    }
  };
  emit('src');
  emit('simulator');
  if (!existsSync(path.join(src, 'dist/src/cli/main.js'))) throw new Error('no dist/src/cli/main.js emitted');
  return src;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = repoRoot): RunResult {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** deploy/install.sh of `checkout` into `root`, with the shared node_modules linked (no npm ci). */
export function install(
  checkout: string,
  root: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): RunResult {
  return run(
    'bash',
    [
      path.join(checkout, 'deploy/install.sh'),
      '--root',
      root,
      '--no-build',
      '--node-modules',
      repoNodeModules,
      ...args,
    ],
    env,
  );
}

/** The installed CLI in `root`, with the service's secrets loaded as systemd would. */
export function checkConfigInTree(root: string): RunResult {
  const script = `set -a; . "${root}/etc/lineside/secrets.env"; set +a; exec node "${root}/opt/lineside/bin/lineside.js" check-config "${root}/etc/lineside/config.yaml"`;
  return run('bash', ['-c', script]);
}

export interface TreeEntry {
  readonly mode: string;
  readonly link?: string;
  readonly sha256?: string;
}

/** path -> {mode, symlink target or content hash}; node_modules links are not followed. */
export function fingerprint(root: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) entries.set(rel, { mode, link: readlinkSync(full) });
      else if (st.isDirectory()) {
        entries.set(`${rel}/`, { mode });
        walk(full);
      } else entries.set(rel, { mode, sha256: createHash('sha256').update(readFileSync(full)).digest('hex') });
    }
  };
  walk(root);
  return entries;
}

export function modeOf(file: string): string {
  return (lstatSync(file).mode & 0o7777).toString(8).padStart(4, '0');
}

/** KEY=value from an EnvironmentFile, or undefined. */
export function envValue(file: string, key: string): string | undefined {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .at(-1);
  return line?.slice(key.length + 1);
}
