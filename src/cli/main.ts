import { CHECK_CONFIG_HELP, runCheckConfig } from './check-config.js';
import { EXIT, processIo, type CliIo } from './io.js';
import { jsonSchemaText } from '../config/json-schema.js';
import { packageVersion } from '../lib/paths.js';

const HELP = `lineside — edge agent for production lines (Modbus/GPIO in; OEE, downtime, alerts out)

usage: lineside <command> [options]

commands:
  start -c FILE        run the agent with a config (production)
  plant -c FILE        run the plant server: every line's OEE from the MQTT broker (docs/plant.md)
  demo                 simulator + agent + embedded MQTT broker + dashboard, no external service
  check-config FILE    validate a config; lists every problem with its path and line:column
  simulate -s FILE     run the virtual line alone (Modbus server for external tools)
  probe ...            read registers ad hoc while commissioning (lineside probe --help)
  user ...             manage dashboard users, roles and API tokens (lineside user --help)
  schema               print the config JSON Schema (for editors)

options:
  -h, --help           this help (or "lineside <command> --help")
  -v, --version        print the version

exit codes: 0 ok, 2 bad input (config, arguments), 1 runtime failure
`;

type Command = (args: string[], io: CliIo) => Promise<number> | number;

/** Commands load lazily so `lineside check-config` does not pay for Modbus, MQTT or the server. */
const COMMANDS: Record<string, Command> = {
  'check-config': runCheckConfig,
  schema: (_args, io) => {
    io.stdout.write(jsonSchemaText());
    return EXIT.ok;
  },
  start: async (args, io) => (await import('./start.js')).runStart(args, io),
  plant: async (args, io) => (await import('./plant.js')).runPlant(args, io),
  demo: async (args, io) => (await import('./demo.js')).runDemo(args, io),
  simulate: async (args, io) => (await import('./simulate.js')).runSimulate(args, io),
  probe: async (args, io) => (await import('./probe-command.js')).runProbeCommand(args, io),
  user: async (args, io) => (await import('./user.js')).runUser(args, io),
};

/**
 * `lineside schema | head` or `lineside simulate | grep ...` closes our stdout early: Node then
 * emits EPIPE as an unhandled 'error' and crashes with a stack. A reader that went away is a
 * normal end for a command-line tool, so exit quietly instead.
 */
function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) exitQuietlyOnClosedPipe();
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(HELP);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.stderr.write(`lineside: unknown command "${command}"\n\n${HELP}`);
    return EXIT.badInput;
  }
  return run(rest, io);
}

export { CHECK_CONFIG_HELP };
