/**
 * Which users file `lineside user` works on, and reading and writing it with the errors a person
 * can act on: a broken file is bad input (exit 2, naming users[i].field), a file the current
 * user may not write is a runtime failure (exit 1) that says to use sudo.
 */
import { dirname, resolve } from 'node:path';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { isLinesideError } from '../lib/errors.js';
import { EMPTY_USERS, readUsers, writeUsers, type UsersDoc } from '../users/users-file.js';
import { UserFailure } from './user-failure.js';

export interface UsersFile {
  /** Absolute path of the users file. */
  readonly path: string;
  /** How this command was told about it (" -c /etc/lineside/config.yaml"), to repeat in hints; empty for the environment variable. */
  readonly option: string;
}

export const USERS_FILE_ENV = 'LINESIDE_USERS_FILE';

/** -f PATH, else -c CONFIG (its server.usersFile), else $LINESIDE_USERS_FILE. */
export function locateUsersFile(
  given: { file?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
): UsersFile {
  if (given.file !== undefined && given.config !== undefined)
    throw UserFailure.usage('give -f/--file or -c/--config, not both');
  if (given.file !== undefined) return { path: resolve(given.file), option: ` -f ${shellWord(given.file)}` };
  if (given.config !== undefined)
    return { path: usersFileOfConfig(given.config), option: ` -c ${shellWord(given.config)}` };
  const fromEnv = env[USERS_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(fromEnv), option: '' };
  throw UserFailure.usage(
    `which users file? give -f/--file PATH, or -c/--config CONFIG to use its server.usersFile (or set ${USERS_FILE_ENV})`,
  );
}

function usersFileOfConfig(config: string): string {
  const loaded = loadConfigFile(config);
  if (!loaded.ok) {
    const n = loaded.issues.length;
    throw UserFailure.badInput(
      `${config}: ${n} problem${n === 1 ? '' : 's'}\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
  }
  // loadConfigFile has made it absolute, relative to the config's directory.
  const path = loaded.config.server.usersFile;
  if (path === undefined)
    throw UserFailure.badInput(
      `${config} has no server.usersFile; add e.g. usersFile: /etc/lineside/users.json under server:`,
    );
  return path;
}

/**
 * The users in the file. A missing file is an empty list only for `add` (which creates it); for
 * every other command it most likely means the wrong path was given.
 */
export function loadUsers(file: UsersFile, options: { missingIsEmpty: boolean }): UsersDoc {
  let doc: UsersDoc | undefined;
  try {
    doc = readUsers(file.path);
  } catch (err) {
    throw failureOf(err, file.path);
  }
  if (doc !== undefined) return doc;
  if (options.missingIsEmpty) return EMPTY_USERS;
  throw UserFailure.badInput(
    `no users file at ${file.path} yet; add a user first (lineside user add NAME --role ROLE${file.option})`,
  );
}

export function saveUsers(file: UsersFile, doc: UsersDoc): void {
  try {
    writeUsers(file.path, doc);
  } catch (err) {
    throw failureOf(err, file.path);
  }
}

function failureOf(err: unknown, path: string): unknown {
  if (!isLinesideError(err)) return err;
  if (err.code === 'USERS_INVALID') return UserFailure.badInput(err.message);
  if (err.code !== 'USERS_IO') return err;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM')
    return UserFailure.runtime(`${err.message}; run it with sudo, or as the owner of ${path}`);
  if (code === 'ENOENT') return UserFailure.badInput(`${err.message}; the directory ${dirname(path)} does not exist`);
  if (code === 'EISDIR')
    return UserFailure.badInput(
      `${path} is a directory; give the path of the users file itself (e.g. ${path}/users.json)`,
    );
  return UserFailure.runtime(err.message);
}

/** A path as it can be pasted back into a shell. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
