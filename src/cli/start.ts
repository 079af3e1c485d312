import { parseArgs } from 'node:util';
import { createAgent } from '../agent/agent.js';
import { runUntilSignal } from '../agent/run.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { createLogger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import { EXIT, type CliIo } from './io.js';
import { CONFIG_FILE_CHECKS } from '../users/config-check.js';

export const START_HELP = `usage: lineside start -c FILE

Runs the agent with a config file until SIGTERM or SIGINT (Ctrl-C).
Logs are JSON lines on stdout; LINESIDE_LOG_LEVEL overrides the config's level.
`;

export async function runStart(args: string[], io: CliIo): Promise<number> {
  let file: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(START_HELP);
      return EXIT.ok;
    }
    file = values.config ?? positionals[0];
  } catch (err) {
    io.stderr.write(`lineside start: ${errorMessage(err)}\n\n${START_HELP}`);
    return EXIT.badInput;
  }
  if (file === undefined) {
    io.stderr.write(`lineside start: missing -c FILE\n\n${START_HELP}`);
    return EXIT.badInput;
  }
  const loaded = loadConfigFile(file, { fileChecks: CONFIG_FILE_CHECKS });
  if (!loaded.ok) {
    io.stderr.write(`${file}: ${loaded.issues.length} problem(s); nothing started\n`);
    for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
    return EXIT.badInput;
  }
  const logger = createLogger(loaded.config.logging.level);
  try {
    const agent = createAgent({ config: loaded.config, logger });
    return await runUntilSignal(agent, logger);
  } catch (err) {
    const code = (err as { code?: string }).code;
    logger.fatal({ code, err: errorMessage(err) }, 'agent failed');
    return EXIT.runtime;
  }
}
