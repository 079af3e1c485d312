import { EXIT } from './io.js';

/**
 * Why a `lineside user` command stopped, with its exit code. Thrown from wherever the problem is
 * found (argument, file, prompt) and turned into one line on stderr by runUser, so every helper
 * can simply stop without each caller threading exit codes back.
 */
export class UserFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** Print the subcommand's usage after the message: the arguments were wrong. */
    readonly showUsage = false,
  ) {
    super(message);
    this.name = 'UserFailure';
  }

  static usage(message: string): UserFailure {
    return new UserFailure(EXIT.badInput, message, true);
  }

  static badInput(message: string): UserFailure {
    return new UserFailure(EXIT.badInput, message);
  }

  static runtime(message: string): UserFailure {
    return new UserFailure(EXIT.runtime, message);
  }

  /** Ctrl-C at a prompt: 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
  static interrupted(): UserFailure {
    return new UserFailure(130, 'interrupted; nothing changed');
  }
}
