/**
 * Where `lineside user add|passwd` gets a password. Never from argv: it would stay in the shell
 * history and be visible in `ps` to everyone on the box. Either typed twice at a prompt that
 * echoes nothing, or the first line of stdin with --password-stdin (scripts, provisioning).
 */
import { StringDecoder } from 'node:string_decoder';
import { UserFailure } from './user-failure.js';

export const MIN_PASSWORD_LENGTH = 8;
/** scrypt takes any length; the cap only keeps a pasted file from becoming a "password". */
export const MAX_PASSWORD_LENGTH = 1024;

/** process.stdin, or a stand-in in tests. */
export interface PasswordInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

/** Checked before anything is asked, so a script without --password-stdin fails at once instead of hanging. */
export function canAskForPassword(fromStdin: boolean, input: PasswordInput): void {
  if (fromStdin || (input.isTTY === true && typeof input.setRawMode === 'function')) return;
  throw UserFailure.badInput(
    'stdin is not a terminal, so nobody can type the password: pipe it in and add --password-stdin (printf \'%s\\n\' "$PW" | lineside user ...)',
  );
}

export async function obtainPassword(
  name: string,
  fromStdin: boolean,
  input: PasswordInput,
  prompt: PromptOutput,
): Promise<string> {
  canAskForPassword(fromStdin, input);
  if (fromStdin) {
    const line = await readFirstLine(input);
    if (line === '')
      throw UserFailure.badInput('--password-stdin: stdin was empty; give the password as its first line');
    return checkedLength(line);
  }
  const first = checkedLength(await promptHidden(`Password for ${name}: `, input, prompt));
  const again = await promptHidden('Again: ', input, prompt);
  if (again !== first) throw UserFailure.badInput('the two passwords differ; nothing changed');
  return first;
}

function checkedLength(password: string): string {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    throw UserFailure.badInput(`the password is ${length} characters; use at least ${MIN_PASSWORD_LENGTH}`);
  if (length > MAX_PASSWORD_LENGTH)
    throw UserFailure.badInput(`the password is ${length} characters; at most ${MAX_PASSWORD_LENGTH}`);
  return password;
}

/**
 * The first line of a stream, without its line end. Stops reading there (the writer may keep the
 * pipe open) and once the line is too long to be a password anyway.
 */
export function readFirstLine(input: PasswordInput): Promise<string> {
  const limit = MAX_PASSWORD_LENGTH * 4 + 2;
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    const finish = (settle: () => void) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      // Paused, stdin no longer keeps the process alive.
      input.pause();
      settle();
    };
    const onData = (chunk: Buffer | string) => {
      text += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const end = text.indexOf('\n');
      if (end >= 0) finish(() => resolve(text.slice(0, end).replace(/\r$/, '')));
      else if (text.length > limit) finish(() => resolve(text));
    };
    const onEnd = () => finish(() => resolve((text + decoder.end()).replace(/\r$/, '')));
    const onError = (err: Error) => finish(() => reject(UserFailure.runtime(`cannot read stdin (${err.message})`)));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/**
 * Reads one line from a terminal in raw mode, so nothing typed is echoed. Raw mode also means the
 * terminal no longer turns Ctrl-C into SIGINT or handles backspace: both are done here.
 */
export function promptHidden(question: string, input: PasswordInput, output: PromptOutput): Promise<string> {
  output.write(question);
  const decoder = new StringDecoder('utf8');
  input.setRawMode?.(true);
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (settle: () => void) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      settle();
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      // Arrow and function keys arrive as one escape sequence per read: not part of a password.
      if (text.startsWith('\u001b')) return;
      for (const ch of text) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(() => resolve(typed.join('')));
        if (ch === '\u0003') return finish(() => reject(UserFailure.interrupted()));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch === '\u0015')
          typed = []; // Ctrl-U: start the line again
        else if (ch >= ' ') typed.push(ch);
      }
    };
    const onEnd = () => finish(() => reject(UserFailure.interrupted()));
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
