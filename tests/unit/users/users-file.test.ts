import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/users/password.js';
import {
  findUser,
  parseUsers,
  readUsers,
  tokenDigest,
  writeUsers,
  type UserRecord,
  type UsersDoc,
} from '../../../src/users/users-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-users-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const T = '2025-03-01T06:00:00.000Z';
const hash = await hashPassword('correct horse', 10);
const anna: UserRecord = { name: 'anna', role: 'operator', password: hash, created: T, updated: T };
const bot: UserRecord = {
  name: 'line-report',
  role: 'viewer',
  tokenSha256: tokenDigest('ls_x'),
  created: T,
  updated: T,
};
const doc = (...users: unknown[]) => JSON.stringify({ version: 1, users });

/** The message parseUsers throws for a text, or undefined when it parses. */
function problem(text: string): string | undefined {
  try {
    parseUsers(text, '/etc/lineside/users.json');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('parseUsers', () => {
  it('reads a valid file', () => {
    expect(parseUsers(doc(anna, bot), 'u.json').users).toEqual([anna, bot]);
    expect(parseUsers(doc(), 'u.json').users).toEqual([]);
  });

  it('names the exact place of a problem, with the file', () => {
    const message = problem(doc(anna, { ...bot, role: 'admin' }));
    expect(message).toMatch(/^\/etc\/lineside\/users\.json: users\[1\]\.role: /);
  });

  it('reports every problem, each with its path', () => {
    const message =
      problem(doc({ ...anna, name: 'a b' }, { ...bot, tokenSha256: 'ABC' }, { ...bot, name: 'x', extra: 1 })) ?? '';
    expect(message).toContain('users[0].name: letters, digits');
    expect(message).toContain('users[1].tokenSha256: 64 lowercase hex digits');
    expect(message).toContain('users[2]');
    expect(message).toContain('extra');
  });

  it('refuses a password that is not a hash this version reads', () => {
    expect(problem(doc({ ...anna, password: 'hunter22' }))).toContain('users[0].password: not a password hash');
  });

  it('refuses duplicate names, case-insensitively, naming both entries', () => {
    expect(problem(doc(anna, bot, { ...bot, name: 'Anna' }))).toContain(
      'users[2].name: "Anna" is already users[0] (names are case-insensitive)',
    );
  });

  it('refuses bad JSON, a wrong version and a missing list', () => {
    expect(problem('{"version": 1, "users": [')).toMatch(/^\/etc\/lineside\/users\.json: not valid JSON \(/);
    expect(problem(JSON.stringify({ version: 2, users: [] }))).toContain('version');
    expect(problem(JSON.stringify({ version: 1 }))).toContain('users');
    expect(problem('[]')).toContain('(top)');
  });
});

describe('findUser', () => {
  it('looks names up case-insensitively', () => {
    const users: UsersDoc = { version: 1, users: [anna, bot] };
    expect(findUser(users, 'ANNA')).toBe(anna);
    expect(findUser(users, 'Line-Report')).toBe(bot);
    expect(findUser(users, 'ann')).toBeUndefined();
  });
});

describe('writeUsers and readUsers', () => {
  it('round trip', () => {
    const path = join(tmp, 'round.json');
    const written: UsersDoc = { version: 1, users: [anna, bot] };
    writeUsers(path, written);
    expect(readUsers(path)).toEqual(written);
    expect(readFileSync(path, 'utf8')).toMatch(/\n$/);
  });

  it('a missing file reads as undefined; a broken one throws its message', () => {
    expect(readUsers(join(tmp, 'missing.json'))).toBeUndefined();
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, doc({ ...anna, role: 'boss' }));
    expect(() => readUsers(broken)).toThrow(/users\[0\]\.role/);
  });

  it('creates a new file 0640, and keeps the mode of an existing 0600 one', () => {
    const fresh = join(tmp, 'fresh.json');
    writeUsers(fresh, { version: 1, users: [anna] });
    expect(statSync(fresh).mode & 0o777).toBe(0o640);

    const strict = join(tmp, 'strict.json');
    writeFileSync(strict, doc());
    chmodSync(strict, 0o600);
    writeUsers(strict, { version: 1, users: [anna] });
    expect(statSync(strict).mode & 0o777).toBe(0o600);
    expect(readUsers(strict)?.users).toEqual([anna]);
  });

  it('replaces the file (a new inode), so a reader never sees half of it', () => {
    const path = join(tmp, 'atomic.json');
    writeUsers(path, { version: 1, users: [] });
    const before = statSync(path).ino;
    writeUsers(path, { version: 1, users: [anna] });
    expect(statSync(path).ino).not.toBe(before);
  });

  it('a failed write throws USERS_IO, keeps the old file and leaves no temporary copy', () => {
    const dir = join(tmp, 'failing');
    mkdirSync(join(dir, 'users.json'), { recursive: true }); // a directory where the file should be
    expect(() => writeUsers(join(dir, 'users.json'), { version: 1, users: [anna] })).toThrow(
      expect.objectContaining({ code: 'USERS_IO' }),
    );
    expect(readdirSync(dir)).toEqual(['users.json']);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "as root, a new file takes its directory's group (root:lineside in /etc/lineside)",
    () => {
      const dir = join(tmp, 'etc-lineside');
      mkdirSync(dir);
      chownSync(dir, 0, 4242);
      writeUsers(join(dir, 'users.json'), { version: 1, users: [anna] });
      const st = statSync(join(dir, 'users.json'));
      expect([st.uid, st.gid]).toEqual([0, 4242]);
    },
  );
});
