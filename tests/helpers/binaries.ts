/**
 * Locates the service binaries integration tests need. A missing binary is a hard failure with an
 * install hint, never a skip: a skipped integration test looks green and hides a broken machine.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

// Debian puts daemons in /usr/sbin, which is not on a normal user's PATH; searched after PATH, as
// scripts/test-prereqs.sh does.
export const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const found = new Map<string, string>();

/** True when running under CI (any non-empty CI value except "false"/"0"). */
export function isCI(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of `name` on PATH or in EXTRA_DIRS, or null. */
export function findBinary(name: string): string | null {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of [...pathDirs, ...EXTRA_DIRS]) {
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) {
      found.set(name, candidate);
      return candidate;
    }
  }
  return null;
}

/**
 * Absolute path of `name`, or throws with the Debian package to install. Throws both locally and
 * on CI; only the hint differs.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const file = findBinary(name);
  if (file !== null) return file;
  const hint = isCI() ? 'run it in the CI image before the tests' : 'run: sudo bash scripts/test-prereqs.sh';
  throw new Error(
    `${name} not found; install Debian package ${debianPackage} (scripts/test-prereqs.sh does this; ${hint})`,
  );
}
