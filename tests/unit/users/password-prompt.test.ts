/**
 * The password prompt of `lineside user add|passwd`, against a stand-in terminal: the integration
 * tests cannot give the CLI a TTY, so raw mode, backspace and Ctrl-C are checked here.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserFailure } from '../../../src/cli/user-failure.js';
import { obtainPassword, readFirstLine, type PasswordInput } from '../../../src/cli/user-password.js';

class FakeTerminal extends PassThrough implements PasswordInput {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(raw: boolean): this {
    this.rawModes.push(raw);
    return this;
  }
}

function output() {
  let text = '';
  return {
    write: (t: string) => (text += t),
    get text() {
      return text;
    },
  };
}

/** Types each string as one read of the terminal, after the prompt is up. */
function typeAfterPrompt(terminal: FakeTerminal, ...keys: string[]): void {
  setImmediate(() => {
    for (const k of keys) terminal.write(k);
  });
}

describe('the password prompt on a terminal', () => {
  it('asks twice without echo, in raw mode, and restores the terminal', async () => {
    const terminal = new FakeTerminal();
    const out = output();
    const pending = obtainPassword('anna', false, terminal, out);
    typeAfterPrompt(terminal, 'correct horse\r');
    await new Promise((r) => setTimeout(r, 10));
    typeAfterPrompt(terminal, 'correct horse\r');
    expect(await pending).toBe('correct horse');
    expect(out.text).toBe('Password for anna: \nAgain: \n');
    expect(terminal.rawModes).toEqual([true, false, true, false]);
  });

  it('handles backspace, Ctrl-U and arrow keys', async () => {
    const terminal = new FakeTerminal();
    const pending = obtainPassword('anna', false, terminal, output());
    typeAfterPrompt(terminal, 'wrong', '\u0015', 'correct horsee', '\u007f', '\u001b[D', '\r');
    await new Promise((r) => setTimeout(r, 10));
    typeAfterPrompt(terminal, 'correct horse\r');
    expect(await pending).toBe('correct horse');
  });

  it('Ctrl-C stops with exit 130 and leaves raw mode', async () => {
    const terminal = new FakeTerminal();
    const pending = obtainPassword('anna', false, terminal, output());
    typeAfterPrompt(terminal, 'corr', '\u0003');
    await expect(pending).rejects.toMatchObject({ exitCode: 130 });
    expect(terminal.rawModes.at(-1)).toBe(false);
  });

  it('refuses two different entries and a short password (before asking again)', async () => {
    const differ = new FakeTerminal();
    const pending = obtainPassword('anna', false, differ, output());
    typeAfterPrompt(differ, 'correct horse\r');
    await new Promise((r) => setTimeout(r, 10));
    typeAfterPrompt(differ, 'correct house\r');
    await expect(pending).rejects.toThrow('the two passwords differ');

    const short = new FakeTerminal();
    const out = output();
    const tooShort = obtainPassword('anna', false, short, out);
    typeAfterPrompt(short, 'short\r');
    await expect(tooShort).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('at least 8') });
    expect(out.text).not.toContain('Again');
  });

  it('without a terminal and without --password-stdin, fails at once instead of waiting', async () => {
    const pipe = new PassThrough();
    await expect(obtainPassword('anna', false, pipe, output())).rejects.toThrow(UserFailure);
    await expect(obtainPassword('anna', false, pipe, output())).rejects.toThrow('--password-stdin');
  });
});

describe('--password-stdin', () => {
  it('takes the first line only, without its line end, and stops reading', async () => {
    const pipe = new PassThrough();
    const pending = readFirstLine(pipe);
    pipe.write('correct ');
    pipe.write('horse\r\nsecond line\n');
    expect(await pending).toBe('correct horse');
    expect(pipe.isPaused()).toBe(true);
  });

  it('takes the text without a line end at the end of the input', async () => {
    const pipe = new PassThrough();
    const pending = readFirstLine(pipe);
    pipe.end('correct horse');
    expect(await pending).toBe('correct horse');
  });

  it('keeps a multi-byte character split across two reads', async () => {
    const pipe = new PassThrough();
    const pending = readFirstLine(pipe);
    const bytes = Buffer.from('Grüße1234\n');
    pipe.write(bytes.subarray(0, 3));
    pipe.write(bytes.subarray(3));
    expect(await pending).toBe('Grüße1234');
  });

  it('checks the length: 8 to 1024 characters', async () => {
    const run = (text: string) => {
      const pipe = new PassThrough();
      const pending = obtainPassword('anna', true, pipe, output());
      pipe.end(text);
      return pending;
    };
    await expect(run('1234567\n')).rejects.toMatchObject({ exitCode: 2 });
    await expect(run('12345678\n')).resolves.toBe('12345678');
    await expect(run(`${'x'.repeat(1024)}\n`)).resolves.toHaveLength(1024);
    await expect(run(`${'x'.repeat(1025)}\n`)).rejects.toThrow('at most 1024');
    await expect(run('')).rejects.toThrow('stdin was empty');
  });
});
