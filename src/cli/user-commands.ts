/**
 * What each `lineside user` subcommand does to the users file. Arguments are already split by
 * user.ts; everything here checks what it is given against the file, changes it and says so in
 * one line. Changes are re-applied to a fresh read right before writing, so a password prompt
 * left open for a minute does not undo a change another admin made meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { closest, didYouMean } from '../config/suggest.js';
import { hashPassword } from '../users/password.js';
import { isRole, ROLE_SUMMARY, ROLES, type Role } from '../users/roles.js';
import { findUser, tokenDigest, USER_NAME, type UserRecord, type UsersDoc } from '../users/users-file.js';
import { EXIT, type CliIo } from './io.js';
import { UserFailure } from './user-failure.js';
import { canAskForPassword, obtainPassword, type PasswordInput } from './user-password.js';
import { loadUsers, saveUsers, type UsersFile } from './user-store.js';

export interface UserCommandContext {
  /** The positional arguments after the subcommand, as many as its usage names. */
  readonly args: readonly string[];
  readonly role?: string | undefined;
  readonly passwordStdin: boolean;
  readonly noPassword: boolean;
  readonly revoke: boolean;
  readonly json: boolean;
  /** Located on demand: `lineside user roles` needs no file. */
  usersFile(): UsersFile;
  readonly io: CliIo;
  readonly stdin: PasswordInput;
  now(): Date;
}

/** The server's UserDirectory re-reads the file on the next lookup: no restart, no signal. */
const PICKED_UP = 'the running agent picks it up at the next login';

export async function addUser(ctx: UserCommandContext): Promise<number> {
  const name = arg(ctx, 0);
  if (!USER_NAME.test(name))
    throw UserFailure.badInput(
      `"${name}" is not a user name: letters, digits and . _ - @, 1 to 64 characters, starting with a letter or digit`,
    );
  if (ctx.role === undefined) throw UserFailure.usage(`--role is required: one of ${ROLES.join(', ')}`);
  const role = checkedRole(ctx.role);
  if (ctx.noPassword && ctx.passwordStdin)
    throw UserFailure.usage('--no-password and --password-stdin contradict each other; give one');
  const file = ctx.usersFile();
  refuseTaken(loadUsers(file, { missingIsEmpty: true }), name, file);
  let password: string | undefined;
  if (!ctx.noPassword) {
    canAskForPassword(ctx.passwordStdin, ctx.stdin);
    password = await hashPassword(await obtainPassword(name, ctx.passwordStdin, ctx.stdin, ctx.io.stderr));
  }
  const now = ctx.now().toISOString();
  const user: UserRecord = { name, role, ...(password === undefined ? {} : { password }), created: now, updated: now };
  change(file, true, (doc) => {
    refuseTaken(doc, name, file);
    return [...doc.users, user];
  });
  if (password !== undefined) say(ctx, `added ${name} (${role}) to ${file.path}; ${PICKED_UP}`);
  else
    say(
      ctx,
      `added ${name} (${role}, no password: API token only) to ${file.path}; give it a token with: lineside user token ${name}${file.option}`,
    );
  return EXIT.ok;
}

export async function setPassword(ctx: UserCommandContext): Promise<number> {
  const file = ctx.usersFile();
  const user = existing(loadUsers(file, { missingIsEmpty: false }), arg(ctx, 0), file);
  canAskForPassword(ctx.passwordStdin, ctx.stdin);
  const password = await hashPassword(await obtainPassword(user.name, ctx.passwordStdin, ctx.stdin, ctx.io.stderr));
  const updated = ctx.now().toISOString();
  change(file, false, (doc) => replace(doc, existing(doc, user.name, file), (u) => ({ ...u, password, updated })));
  say(ctx, `set a new password for ${user.name} in ${file.path}; ${PICKED_UP}`);
  return EXIT.ok;
}

export function setRole(ctx: UserCommandContext): number {
  const role = checkedRole(arg(ctx, 1));
  const file = ctx.usersFile();
  const user = existing(loadUsers(file, { missingIsEmpty: false }), arg(ctx, 0), file);
  if (user.role === role) {
    say(ctx, `${user.name} is already ${role}; nothing changed`);
    return EXIT.ok;
  }
  const updated = ctx.now().toISOString();
  change(file, false, (doc) => replace(doc, existing(doc, user.name, file), (u) => ({ ...u, role, updated })));
  say(ctx, `${user.name} is now ${role} (was ${user.role}) in ${file.path}; ${PICKED_UP}`);
  return EXIT.ok;
}

/**
 * A new API token: shown once, on stdout alone (so `TOKEN=$(lineside user token ...)` works),
 * and stored only as its SHA-256. One token per user: a new one replaces the old.
 */
export function issueToken(ctx: UserCommandContext): number {
  const file = ctx.usersFile();
  const user = existing(loadUsers(file, { missingIsEmpty: false }), arg(ctx, 0), file);
  const updated = ctx.now().toISOString();
  if (ctx.revoke) {
    if (user.tokenSha256 === undefined) {
      say(ctx, `${user.name} has no API token; nothing to revoke`);
      return EXIT.ok;
    }
    change(file, false, (doc) =>
      replace(doc, existing(doc, user.name, file), (u) => {
        const { tokenSha256: _revoked, ...rest } = u;
        return { ...rest, updated };
      }),
    );
    say(ctx, `revoked the API token of ${user.name} in ${file.path}; requests with it are refused from now on`);
    return EXIT.ok;
  }
  const token = `ls_${randomBytes(32).toString('base64url')}`;
  const tokenSha256 = tokenDigest(token);
  change(file, false, (doc) => replace(doc, existing(doc, user.name, file), (u) => ({ ...u, tokenSha256, updated })));
  ctx.io.stdout.write(`${token}\n`);
  const replaced = user.tokenSha256 === undefined ? '' : ' (the old one no longer works)';
  ctx.io.stderr.write(
    `new API token for ${user.name} (${user.role})${replaced}; it is shown only this once, so store it now. Send it as: Authorization: Bearer <token>\n`,
  );
  return EXIT.ok;
}

export function removeUser(ctx: UserCommandContext): number {
  const file = ctx.usersFile();
  const user = existing(loadUsers(file, { missingIsEmpty: false }), arg(ctx, 0), file);
  change(file, false, (doc) => {
    const gone = existing(doc, user.name, file);
    return doc.users.filter((u) => u !== gone);
  });
  say(ctx, `removed ${user.name} (${user.role}) from ${file.path}; ${PICKED_UP}`);
  return EXIT.ok;
}

/** Names, roles and whether a password or token is set; never the hashes themselves. */
export function listUsers(ctx: UserCommandContext): number {
  const file = ctx.usersFile();
  const { users } = loadUsers(file, { missingIsEmpty: false });
  const rows = users.map((u) => ({
    name: u.name,
    role: u.role,
    password: u.password !== undefined,
    token: u.tokenSha256 !== undefined,
    created: u.created,
    updated: u.updated,
  }));
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    say(ctx, `no users in ${file.path}`);
    return EXIT.ok;
  }
  const yesNo = (b: boolean) => (b ? 'yes' : 'no');
  ctx.io.stdout.write(
    table([
      ['NAME', 'ROLE', 'PASSWORD', 'TOKEN', 'UPDATED'],
      ...rows.map((r) => [r.name, r.role, yesNo(r.password), yesNo(r.token), r.updated]),
    ]),
  );
  return EXIT.ok;
}

/** The table in roles.ts, the same one the server's checks read. */
export function listRoles(ctx: UserCommandContext): number {
  ctx.io.stdout.write(table([['ROLE', 'MAY'], ...ROLES.map((role) => [role, ROLE_SUMMARY[role]])]));
  return EXIT.ok;
}

function arg(ctx: UserCommandContext, index: number): string {
  const value = ctx.args[index];
  if (value === undefined) throw UserFailure.usage('missing argument');
  return value;
}

function checkedRole(role: string): Role {
  if (isRole(role)) return role;
  const hint = closest(role, ROLES);
  throw UserFailure.badInput(
    `unknown role "${role}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; the roles are ${ROLES.join(', ')} (lineside user roles)`,
  );
}

function refuseTaken(doc: UsersDoc, name: string, file: UsersFile): void {
  const taken = findUser(doc, name);
  if (taken === undefined) return;
  const same = taken.name === name ? '' : ` as "${taken.name}" (names are case-insensitive)`;
  throw UserFailure.badInput(
    `${name} already exists${same} in ${file.path}; change it with lineside user passwd or lineside user role`,
  );
}

function existing(doc: UsersDoc, name: string, file: UsersFile): UserRecord {
  const user = findUser(doc, name);
  if (user !== undefined) return user;
  const names = doc.users.map((u) => u.name);
  throw UserFailure.badInput(
    `no user "${name}" in ${file.path}${didYouMean(name, names)}${names.length === 0 ? ' (it has no users)' : ''}`,
  );
}

function replace(doc: UsersDoc, user: UserRecord, edit: (u: UserRecord) => UserRecord): UserRecord[] {
  return doc.users.map((u) => (u === user ? edit(u) : u));
}

/** Reads the file again, applies the change and writes it atomically. */
function change(file: UsersFile, missingIsEmpty: boolean, edit: (doc: UsersDoc) => UserRecord[]): void {
  const doc = loadUsers(file, { missingIsEmpty });
  saveUsers(file, { ...doc, users: edit(doc) });
}

function say(ctx: UserCommandContext, line: string): void {
  ctx.io.stdout.write(`${line}\n`);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return (
    rows
      .map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  '))
      .join('\n') + '\n'
  );
}
