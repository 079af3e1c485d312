/**
 * The key that signs named users' session cookies: 32 random bytes in `<storage.dir>/session.key`
 * (0600), made on first use. Kept on disk so a restart does not log out the TV and the tablets;
 * deleting the file logs everybody out.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LinesideError } from '../lib/errors.js';

const KEY_BYTES = 32;

export function loadSessionKey(path: string): Buffer {
  try {
    const key = readFileSync(path);
    if (key.length >= KEY_BYTES) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyError(path, err);
  }
  const key = randomBytes(KEY_BYTES);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, key, { mode: 0o600 });
  } catch (err) {
    throw keyError(path, err);
  }
  return key;
}

function keyError(path: string, err: unknown): LinesideError {
  return new LinesideError(
    'SERVER_START',
    `${path}: cannot read or create the session key (${(err as Error).message})`,
    { path },
    { cause: err },
  );
}
