import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/users/password.js';
import { tokenDigest, type UsersDoc } from '../../../src/users/users-file.js';
import { REPO, runCli } from '../../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-user-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NO_ENV_FILE = { LINESIDE_USERS_FILE: '' };
const user = (args: readonly string[], input?: string, env: NodeJS.ProcessEnv = NO_ENV_FILE) =>
  runCli(['user', ...args], { env, ...(input === undefined ? {} : { input }) });
const readDoc = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as UsersDoc;
const find = (path: string, name: string) => readDoc(path).users.find((u) => u.name === name);

describe('lineside user: the users file, step by step', () => {
  const file = join(tmp, 'users.json');
  const f = ['-f', file];

  it('adds a user with the password from stdin: a new 0640 file holding an scrypt hash', async () => {
    const r = await user(['add', 'anna', '--role', 'operator', '--password-stdin', ...f], 'correct horse\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('added anna (operator)');
    expect(r.stdout).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const anna = find(file, 'anna');
    expect(anna?.role).toBe('operator');
    expect(anna?.password).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse', anna?.password ?? '')).toBe(true);
    expect(Date.parse(anna?.created ?? '')).not.toBeNaN();
    expect(anna?.updated).toBe(anna?.created);
  });

  it('lists users without any hash, as a table and as JSON', async () => {
    expect((await user(['add', 'line-report', '--role', 'viewer', '--no-password', ...f])).stdout).toContain(
      'lineside user token line-report',
    );
    const r = await user(['list', ...f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/anna\s+operator\s+yes\s+no/);
    expect(r.stdout).toMatch(/line-report\s+viewer\s+no\s+no/);
    expect(r.stdout).not.toContain('scrypt');
    const json = await user(['list', '--json', ...f]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name: 'anna', role: 'operator', password: true, token: false }),
      expect.objectContaining({ name: 'line-report', role: 'viewer', password: false, token: false }),
    ]);
    expect(json.stdout).not.toContain('scrypt');
  });

  it('passwd replaces the hash (names are case-insensitive)', async () => {
    const before = find(file, 'anna');
    const r = await user(['passwd', 'ANNA', '--password-stdin', ...f], 'battery staple\r\n');
    expect(r.code).toBe(0);
    const after = find(file, 'anna');
    expect(await verifyPassword('battery staple', after?.password ?? '')).toBe(true);
    expect(after?.created).toBe(before?.created);
    expect(after?.updated).not.toBe(before?.updated);
  });

  it('role changes the role', async () => {
    const r = await user(['role', 'anna', 'supervisor', ...f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('supervisor (was operator)');
    expect(find(file, 'anna')?.role).toBe('supervisor');
  });

  it('token prints a token once, stores only its digest, and a new one replaces the old', async () => {
    const first = await user(['token', 'line-report', ...f]);
    expect(first.code).toBe(0);
    const token = first.stdout.trim();
    expect(token).toMatch(/^ls_[A-Za-z0-9_-]{43}$/);
    expect(first.stderr).toContain('Authorization: Bearer');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    expect(find(file, 'line-report')?.tokenSha256).toBe(tokenDigest(token));

    const second = (await user(['token', 'line-report', ...f])).stdout.trim();
    expect(second).not.toBe(token);
    expect(find(file, 'line-report')?.tokenSha256).toBe(tokenDigest(second));
    expect((await user(['list', ...f])).stdout).toMatch(/line-report\s+viewer\s+no\s+yes/);
  });

  it('token --revoke removes it', async () => {
    const r = await user(['token', 'line-report', '--revoke', ...f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('revoked');
    expect(find(file, 'line-report')).not.toHaveProperty('tokenSha256');
    expect((await user(['token', 'line-report', '--revoke', ...f])).stdout).toContain('nothing to revoke');
  });

  it('remove takes the user out and keeps the others', async () => {
    const r = await user(['remove', 'line-report', ...f]);
    expect(r.code).toBe(0);
    expect(readDoc(file).users.map((u) => u.name)).toEqual(['anna']);
    expect((await user(['remove', 'line-report', ...f])).code).toBe(2);
  });

  it('keeps the mode of an existing file', async () => {
    const own = join(tmp, 'private.json');
    expect((await user(['add', 'max', '--role', 'engineer', '--no-password', '-f', own])).code).toBe(0);
    chmodSync(own, 0o600);
    expect((await user(['role', 'max', 'viewer', '-f', own])).code).toBe(0);
    expect(statSync(own).mode & 0o777).toBe(0o600);
  });
});

describe('lineside user: bad input is exit 2 and names the problem; nothing is written', () => {
  const file = join(tmp, 'bad.json');
  const f = ['-f', file];

  it('a duplicate name, also in another case', async () => {
    expect((await user(['add', 'otto', '--role', 'viewer', '--password-stdin', ...f], 'long enough\n')).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    const r = await user(['add', 'Otto', '--role', 'operator', '--password-stdin', ...f], 'long enough\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('an unknown role, listing the roles', async () => {
    const r = await user(['add', 'eva', '--role', 'admin', '--password-stdin', ...f], 'long enough\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown role "admin"');
    expect(r.stderr).toContain('viewer, operator, maintenance, supervisor, engineer');
    expect((await user(['role', 'otto', 'boss', ...f])).code).toBe(2);
  });

  it('a short password, an empty stdin, and no stdin to read from', async () => {
    const short = await user(['add', 'eva', '--role', 'viewer', '--password-stdin', ...f], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 8');
    expect((await user(['add', 'eva', '--role', 'viewer', '--password-stdin', ...f], '')).code).toBe(2);
    const noTty = await user(['add', 'eva', '--role', 'viewer', ...f]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
    expect(readDoc(file).users.map((u) => u.name)).toEqual(['otto']);
  });

  it('a bad name, a missing --role, an unknown subcommand or option', async () => {
    expect((await user(['add', '.hidden', '--role', 'viewer', '--no-password', ...f])).code).toBe(2);
    expect((await user(['add', 'a b', '--role', 'viewer', '--no-password', ...f])).stderr).toContain('not a user name');
    expect((await user(['add', 'eva', '--no-password', ...f])).stderr).toContain('--role is required');
    const unknown = await user(['rename', 'otto', ...f]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage: lineside user');
    expect((await user(['list', '--revoke', ...f])).code).toBe(2);
  });

  it('no users file given: names both options', async () => {
    const r = await user(['list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-f/--file');
    expect(r.stderr).toContain('-c/--config');
  });

  it('LINESIDE_USERS_FILE is the fallback', async () => {
    const r = await user(['list'], undefined, { LINESIDE_USERS_FILE: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('otto');
  });

  it('a missing file, for anything but add', async () => {
    const missing = join(tmp, 'nobody.json');
    const r = await user(['list', '-f', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no users file at ${missing} yet`);
  });

  it('a broken file: the parse message with the field', async () => {
    const broken = join(tmp, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ version: 1, users: [{ name: 'x', role: 'admin', created: '', updated: '' }] }),
    );
    const r = await user(['list', '-f', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('users[0].role');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('help is exit 0', async () => {
    const all = await user(['--help']);
    expect(all.code).toBe(0);
    for (const sub of ['add', 'passwd', 'role', 'token', 'remove', 'list', 'roles'])
      expect(all.stdout).toContain(`  ${sub}`);
    const add = await user(['add', '--help']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('usage: lineside user add NAME --role ROLE');
  });

  it('roles prints the role table', async () => {
    const r = await user(['roles']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/supervisor\s+assigns and edits any downtime reason/);
  });
});

describe('lineside user: runtime failures are exit 1', () => {
  // root may write anywhere, so this only runs as an ordinary user (as CI does).
  it.skipIf(process.getuid?.() === 0)('a file it may not write says to use sudo', async () => {
    const dir = join(tmp, 'readonly');
    mkdirSync(dir);
    const file = join(dir, 'users.json');
    expect((await user(['add', 'anna', '--role', 'viewer', '--no-password', '-f', file])).code).toBe(0);
    chmodSync(dir, 0o500);
    try {
      const r = await user(['role', 'anna', 'operator', '-f', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`run it with sudo, or as the owner of ${file}`);
      expect(find(file, 'anna')?.role).toBe('viewer');
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

describe('lineside user -c CONFIG: the config names the users file', () => {
  const plant = join(tmp, 'plant');
  mkdirSync(plant, { recursive: true });
  const minimal = readFileSync(join(REPO, 'tests/configs/valid-minimal.yaml'), 'utf8');

  it('a relative server.usersFile lands next to the config, and check-config accepts the result', async () => {
    const config = join(plant, 'lineside.yaml');
    writeFileSync(config, `${minimal}server:\n  usersFile: users.json\n`);
    expect((await runCli(['check-config', config])).code).toBe(0);
    // Run from the repo, not the config's directory: the path must not depend on the cwd.
    const r = await user(['add', 'anna', '--role', 'maintenance', '--password-stdin', '-c', config], 'long enough\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(find(join(plant, 'users.json'), 'anna')?.role).toBe('maintenance');
    expect((await user(['list', '-c', config])).stdout).toContain('anna');
    expect((await runCli(['check-config', config])).code).toBe(0);
  });

  it('a config without server.usersFile says how to add one', async () => {
    const config = join(plant, 'no-users.yaml');
    writeFileSync(config, minimal);
    const r = await user(['list', '-c', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no server.usersFile');
    expect(r.stderr).toContain('usersFile: /etc/lineside/users.json');
  });
});
