/**
 * The users file: names, roles, password hashes and per-user API token hashes, as JSON
 * (`server.usersFile`, /etc/lineside/users.json when installed). `lineside user` writes it, the
 * agent reads it and re-reads it when it changes. Nothing secret is stored in the clear: passwords
 * are scrypt hashes, tokens SHA-256 digests (tokens are 256 random bits, so a fast hash is enough).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { LinesideError } from '../lib/errors.js';
import { parsePasswordHash } from './password.js';
import { ROLES, type Role } from './roles.js';

/** Letters, digits and . _ - @, starting with a letter or digit: fits a badge id, an e-mail, "anna.schmidt". */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  /** scrypt hash (see password.ts); absent for a script-only user that logs in with a token. */
  readonly password?: string;
  /** SHA-256 (hex) of the user's API token, for scripts: `Authorization: Bearer <token>`. */
  readonly tokenSha256?: string;
  readonly created: string;
  readonly updated: string;
}

export interface UsersDoc {
  readonly version: 1;
  readonly users: readonly UserRecord[];
}

export const EMPTY_USERS: UsersDoc = { version: 1, users: [] };

const UserSchema = z.strictObject({
  name: z.string().regex(USER_NAME, 'letters, digits and . _ - @ (1 to 64, starting with a letter or digit)'),
  role: z.enum(ROLES),
  password: z
    .string()
    .refine(
      (s) => parsePasswordHash(s) !== undefined,
      'not a password hash this version reads (scrypt$N$r$p$salt$hash); set it again with lineside user passwd',
    )
    .optional(),
  tokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')
    .optional(),
  created: z.string(),
  updated: z.string(),
});

const DocSchema = z.strictObject({ version: z.literal(1), users: z.array(UserSchema) });

export function usersError(path: string, message: string, cause?: unknown): LinesideError {
  return new LinesideError(
    'USERS_INVALID',
    `${path}: ${message}`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

/** Parses and checks a users file's text; every problem names its place, e.g. `users[2].role`. */
export function parseUsers(text: string, path: string): UsersDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw usersError(path, `not valid JSON (${(err as Error).message})`);
  }
  const result = DocSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) =>
        `${
          i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(top)'
        }: ${i.message}`,
    );
    throw usersError(path, problems.join('; '));
  }
  const seen = new Map<string, number>();
  result.data.users.forEach((u, i) => {
    const key = u.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw usersError(path, `users[${i}].name: "${u.name}" is already users[${first}] (names are case-insensitive)`);
    seen.set(key, i);
  });
  return result.data as UsersDoc;
}

/** The file's users, or undefined when it does not exist (yet). */
export function readUsers(path: string): UsersDoc | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LinesideError(
      'USERS_IO',
      `${path}: cannot read the users file (${(err as Error).message})`,
      { path },
      { cause: err },
    );
  }
  return parseUsers(text, path);
}

/**
 * Replaces the file atomically (write, fsync, rename): the agent never reads half a file, and a
 * power cut leaves the old or the new one. The new file keeps the old one's mode and owner
 * (`sudo lineside user add` must not make it unreadable for the service user); a new file is 0640
 * and, written by root, takes its directory's group: /etc/lineside is root:lineside 0750, so the
 * service can read a users.json that `sudo lineside user add` created (root:root would lock it out).
 */
export function writeUsers(path: string, doc: UsersDoc): void {
  let mode = 0o640;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = statSync(path);
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    owner = directoryGroupOwner(dirname(path));
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, mode);
    if (owner !== undefined && process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
    renameSync(tmp, path);
  } catch (err) {
    // A failed write must not leave a stray temporary copy (with the hashes) next to the file.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the error below says what went wrong
    }
    throw new LinesideError(
      'USERS_IO',
      `${path}: cannot write the users file (${(err as Error).message})`,
      { path },
      { cause: err },
    );
  }
}

/** root, and the directory's group, for a new file written by root; undefined when that cannot apply. */
function directoryGroupOwner(dir: string): { uid: number; gid: number } | undefined {
  try {
    return { uid: 0, gid: statSync(dir).gid };
  } catch {
    return undefined; // no directory: the write below fails and says so
  }
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function findUser(doc: UsersDoc, name: string): UserRecord | undefined {
  const key = name.toLowerCase();
  return doc.users.find((u) => u.name.toLowerCase() === key);
}
