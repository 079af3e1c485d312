import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { UserDirectory } from '../../../src/users/directory.js';
import { tokenDigest, writeUsers, type UserRecord } from '../../../src/users/users-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-directory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const logger = pino({ level: 'silent' });
const T = '2025-03-01T06:00:00.000Z';
const record = (name: string, role: UserRecord['role'], token?: string): UserRecord => ({
  name,
  role,
  ...(token === undefined ? {} : { tokenSha256: tokenDigest(token) }),
  created: T,
  updated: T,
});

describe('UserDirectory', () => {
  it('finds users by name (case-insensitively) and by token', () => {
    const path = join(tmp, 'find.json');
    writeUsers(path, { version: 1, users: [record('anna', 'operator'), record('line-report', 'viewer', 'ls_secret')] });
    const directory = new UserDirectory(path, logger);
    expect(directory.size).toBe(2);
    expect(directory.find('Anna')?.role).toBe('operator');
    expect(directory.byToken('ls_secret')?.name).toBe('line-report');
    expect(directory.byToken('ls_other')).toBeUndefined();
    expect(directory.find('nobody')).toBeUndefined();
  });

  it('sees a rewrite of the file at the next lookup, without a restart', () => {
    const path = join(tmp, 'reload.json');
    writeUsers(path, { version: 1, users: [record('anna', 'operator')] });
    const directory = new UserDirectory(path, logger);
    expect(directory.find('anna')?.role).toBe('operator');
    writeUsers(path, { version: 1, users: [record('anna', 'supervisor'), record('max', 'engineer')] });
    expect(directory.find('anna')?.role).toBe('supervisor');
    expect(directory.find('max')?.role).toBe('engineer');
    writeUsers(path, { version: 1, users: [record('max', 'engineer')] });
    expect(directory.find('anna')).toBeUndefined();
  });

  it('keeps the last good users while the file is broken, and takes the fixed file', () => {
    const path = join(tmp, 'broken.json');
    writeUsers(path, { version: 1, users: [record('anna', 'operator')] });
    const directory = new UserDirectory(path, logger);
    expect(directory.find('anna')).toBeDefined();
    writeFileSync(path, '{"version": 1, "users": [');
    expect(directory.find('anna')?.role).toBe('operator');
    expect(directory.size).toBe(1);
    writeUsers(path, { version: 1, users: [record('anna', 'maintenance')] });
    expect(directory.find('anna')?.role).toBe('maintenance');
  });

  it('a removed file means nobody; a file that appears later is picked up', () => {
    const path = join(tmp, 'appears.json');
    const directory = new UserDirectory(path, logger);
    expect(directory.size).toBe(0);
    writeUsers(path, { version: 1, users: [record('anna', 'operator')] });
    expect(directory.find('anna')).toBeDefined();
    unlinkSync(path);
    expect(directory.find('anna')).toBeUndefined();
    expect(directory.size).toBe(0);
  });

  it('refuses to start on a broken file: a config error, not a silent "nobody"', () => {
    const path = join(tmp, 'bad-at-start.json');
    writeFileSync(
      path,
      JSON.stringify({ version: 1, users: [{ name: 'anna', role: 'admin', created: T, updated: T }] }),
    );
    expect(() => new UserDirectory(path, logger)).toThrow(/users\[0\]\.role/);
  });
});
