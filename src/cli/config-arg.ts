/**
 * The `-c FILE` argument of the long-running commands (`start`, `plant`): the file, or the exit
 * code to return (help printed: 0; a bad or missing argument, said on stderr: 2).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../lib/errors.js';
import { EXIT, type CliIo } from './io.js';

export function configFileArg(command: string, args: string[], help: string, io: CliIo): string | number {
  let file: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(help);
      return EXIT.ok;
    }
    file = values.config ?? positionals[0];
  } catch (err) {
    io.stderr.write(`lineside ${command}: ${errorMessage(err)}\n\n${help}`);
    return EXIT.badInput;
  }
  if (file === undefined) {
    io.stderr.write(`lineside ${command}: missing -c FILE\n\n${help}`);
    return EXIT.badInput;
  }
  return file;
}
