import { createAgent } from '../agent/agent.js';
import { runUntilSignal } from '../agent/run.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { createLogger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import { configFileArg } from './config-arg.js';
import { EXIT, type CliIo } from './io.js';
import { CONFIG_FILE_CHECKS } from '../users/config-check.js';

export const START_HELP = `usage: lineside start -c FILE

Runs the agent with a config file until SIGTERM or SIGINT (Ctrl-C).
Logs are JSON lines on stdout; LINESIDE_LOG_LEVEL overrides the config's level.
`;

export async function runStart(args: string[], io: CliIo): Promise<number> {
  const file = configFileArg('start', args, START_HELP, io);
  if (typeof file === 'number') return file;
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
