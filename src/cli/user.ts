/**
 * `lineside user`: manages the users file (named logins, roles, API tokens) that the agent's
 * server reads. The file is plain JSON so it can be backed up and reviewed, but this command is
 * the way to change it: it hashes passwords, validates names and roles and writes atomically.
 *
 *   sudo lineside user add anna --role operator -c /etc/lineside/config.yaml
 *   sudo lineside user token line-report -c /etc/lineside/config.yaml
 *
 * Exit codes: 0 ok, 2 bad input (arguments, broken file), 1 runtime (cannot write the file),
 * 130 Ctrl-C at the password prompt.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../lib/errors.js';
import { EXIT, type CliIo } from './io.js';
import {
  addUser,
  issueToken,
  listRoles,
  listUsers,
  removeUser,
  setPassword,
  setRole,
  type UserCommandContext,
} from './user-commands.js';
import { UserFailure } from './user-failure.js';
import type { PasswordInput } from './user-password.js';
import { locateUsersFile, USERS_FILE_ENV } from './user-store.js';

/** Every option of every subcommand; each subcommand accepts the file options and its own. */
const OPTIONS = {
  file: { type: 'string', short: 'f' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  role: { type: 'string', short: 'r' },
  'password-stdin': { type: 'boolean' },
  'no-password': { type: 'boolean' },
  revoke: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;
type Option = keyof typeof OPTIONS;
const COMMON: readonly Option[] = ['file', 'config', 'help'];

interface Subcommand {
  /** What follows `lineside user `, without the file options. */
  readonly usage: string;
  readonly about: string;
  /** How many positional arguments it takes. */
  readonly arity: number;
  readonly options: readonly Option[];
  readonly run: (ctx: UserCommandContext) => Promise<number> | number;
}

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  add: {
    usage: 'add NAME --role ROLE [--password-stdin | --no-password]',
    about:
      "add a user; asks for the password (or reads stdin's first line with --password-stdin); --no-password: API token only",
    arity: 1,
    options: ['role', 'password-stdin', 'no-password'],
    run: addUser,
  },
  passwd: {
    usage: 'passwd NAME [--password-stdin]',
    about: 'set a new password',
    arity: 1,
    options: ['password-stdin'],
    run: setPassword,
  },
  role: { usage: 'role NAME ROLE', about: 'change the role', arity: 2, options: [], run: setRole },
  token: {
    usage: 'token NAME [--revoke]',
    about: 'print a new API token (shown once; replaces the old one), or --revoke it',
    arity: 1,
    options: ['revoke'],
    run: issueToken,
  },
  remove: { usage: 'remove NAME', about: 'remove the user', arity: 1, options: [], run: removeUser },
  list: {
    usage: 'list [--json]',
    about: 'name, role, password and token set or not (never the hashes)',
    arity: 0,
    options: ['json'],
    run: listUsers,
  },
  roles: { usage: 'roles', about: 'what each role may do', arity: 0, options: [], run: listRoles },
};

const FILE_HELP = `the users file, for every command but roles:
  -f, --file PATH      the users file itself
  -c, --config CONFIG  the config's server.usersFile (relative to the config)
                       or the environment variable ${USERS_FILE_ENV}
`;

export const USER_HELP = `usage: lineside user COMMAND [ARGS] (-f USERS_FILE | -c CONFIG)

Manages the users who log in to the dashboard by name, their roles and API tokens.
Changes apply without restarting the agent.

commands:
${Object.values(SUBCOMMANDS)
  .map((s) => `  ${s.usage}\n      ${s.about}`)
  .join('\n')}

${FILE_HELP}
Passwords are never taken from the command line. Examples:
  sudo lineside user add anna --role operator -c /etc/lineside/config.yaml
  printf '%s\\n' "$PW" | lineside user passwd anna --password-stdin -f users.json

exit codes: 0 ok, 2 bad input, 1 runtime failure (e.g. cannot write the file)
`;

/** `roles` reads no file; every other subcommand needs one. */
const fileArgs = (command: string) => (command === 'roles' ? '' : ' (-f USERS_FILE | -c CONFIG)');
const usageOf = (command: string, sub: Subcommand) => `usage: lineside user ${sub.usage}${fileArgs(command)}\n`;

function subcommandHelp(command: string, sub: Subcommand): string {
  return `${usageOf(command, sub)}\n${sub.about}\n${command === 'roles' ? '' : `\n${FILE_HELP}`}`;
}

export async function runUser(
  argv: readonly string[],
  io: CliIo,
  stdin: PasswordInput = process.stdin,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(USER_HELP);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  const sub = Object.hasOwn(SUBCOMMANDS, command) ? SUBCOMMANDS[command] : undefined;
  if (sub === undefined) {
    io.stderr.write(`lineside user: unknown command "${command}"\n\n${USER_HELP}`);
    return EXIT.badInput;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help === true) {
      io.stdout.write(subcommandHelp(command, sub));
      return EXIT.ok;
    }
    const foreign = (Object.keys(values) as Option[]).find(
      (key) => !COMMON.includes(key) && !sub.options.includes(key),
    );
    if (foreign !== undefined) throw UserFailure.usage(`--${foreign} is not an option of "lineside user ${command}"`);
    if (positionals.length !== sub.arity) {
      throw UserFailure.usage(
        positionals.length < sub.arity ? 'missing arguments' : `unexpected argument "${positionals[sub.arity]}"`,
      );
    }
    return await sub.run({
      args: positionals,
      role: values.role,
      passwordStdin: values['password-stdin'] === true,
      noPassword: values['no-password'] === true,
      revoke: values.revoke === true,
      json: values.json === true,
      usersFile: () => locateUsersFile({ file: values.file, config: values.config }, env),
      io,
      stdin,
      now: () => new Date(),
    });
  } catch (err) {
    if (err instanceof UserFailure) {
      io.stderr.write(`lineside user ${command}: ${err.message}\n${err.showUsage ? `\n${usageOf(command, sub)}` : ''}`);
      return err.exitCode;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`lineside user ${command}: ${errorMessage(err)}\n\n${usageOf(command, sub)}`);
      return EXIT.badInput;
    }
    throw err;
  }
}
