import { createSdNotifier } from '../agent/sd-notify.js';
import { formatIssue } from '../config/issues.js';
import { loadPlantConfigFile, summarizePlant } from '../config/plant-load.js';
import { systemClock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { startPlantServer } from '../plant/service.js';
import { configFileArg } from './config-arg.js';
import { EXIT, type CliIo } from './io.js';

export const PLANT_HELP = `usage: lineside plant -c FILE

Runs the plant server (docs/plant.md): one page and API for every line of the plant, fed from the
MQTT broker all line agents publish to. FILE is a plant file (kind: plant; config/plant.yaml is a
sample; check it with lineside check-config FILE). Runs until SIGTERM or SIGINT (Ctrl-C).
Logs are JSON lines on stdout; LINESIDE_LOG_LEVEL overrides the config's level. Under systemd
(deploy/lineside-plant.service, Type=notify) it sends READY=1 once serving and pings the watchdog.

exit codes: 0 stopped cleanly, 2 bad config or arguments, 1 runtime failure
`;

/** Shutdown budget, as the agent's: the subscriber disconnects, the server closes, the history closes. */
const STOP_BUDGET_MS = 10_000;

export async function runPlant(args: string[], io: CliIo): Promise<number> {
  const file = configFileArg('plant', args, PLANT_HELP, io);
  if (typeof file === 'number') return file;
  const loaded = loadPlantConfigFile(file);
  if (!loaded.ok) {
    io.stderr.write(`${file}: ${loaded.issues.length} problem(s); nothing started\n`);
    for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
    return EXIT.badInput;
  }
  const config = loaded.config;
  const logger = createLogger(config.logging.level);
  const onRejection = (reason: unknown) =>
    logger.error({ err: errorMessage(reason) }, 'unhandled promise rejection (bug); continuing');
  process.on('unhandledRejection', onRejection);
  // A no-op outside systemd (no NOTIFY_SOCKET), as for the agent (src/agent/run.ts).
  const notifier = createSdNotifier({ logger: logger.child({ component: 'systemd' }) });
  try {
    const running = await startPlantServer({ config, logger, clock: systemClock });
    notifier.ready();
    notifier.status(`serving; ${summarizePlant(config)}`);
    const stopWatchdog = notifier.startWatchdog();
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'stopping');
    notifier.stopping();
    stopWatchdog();
    const hardStop = setTimeout(() => {
      logger.error('shutdown took longer than the budget; exiting');
      process.exit(EXIT.runtime);
    }, STOP_BUDGET_MS);
    hardStop.unref();
    await running.stop();
    clearTimeout(hardStop);
    logger.info('stopped');
    return EXIT.ok;
  } catch (err) {
    const code = (err as { code?: string }).code;
    logger.fatal({ code, err: errorMessage(err) }, 'plant server failed');
    return EXIT.runtime;
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}
