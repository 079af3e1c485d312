import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import type { Agent } from './agent.js';
import { createSdNotifier } from './sd-notify.js';

/** Shutdown budget: sources stop, outputs flush, exit 0 well within systemd's TimeoutStopSec. */
const STOP_BUDGET_MS = 10_000;

/**
 * Runs a built agent until SIGTERM/SIGINT: starts it, tells systemd READY=1 and pings the
 * watchdog from the event loop, then on a signal sends STOPPING=1, stops sources first, flushes
 * outputs and resolves with the exit code. A second signal exits at once.
 */
export async function runUntilSignal(agent: Agent, logger: Logger, onStarted?: () => void): Promise<number> {
  const notifier = createSdNotifier({ logger: logger.child({ component: 'systemd' }) });
  const onRejection = (reason: unknown) => {
    // A bug somewhere, but one failed promise must not take the line's data down with it.
    logger.error({ err: errorMessage(reason) }, 'unhandled promise rejection (bug); continuing');
  };
  process.on('unhandledRejection', onRejection);

  await agent.start();
  const statuses = agent.lifecycle.statuses();
  const failed = statuses.filter((s) => s.state === 'failed');
  notifier.ready();
  notifier.status(failed.length === 0 ? 'running' : `running; failed: ${failed.map((s) => `${s.name} (${s.error})`).join(', ')}`);
  const stopWatchdog = notifier.startWatchdog();
  logger.info({ components: statuses.map((s) => `${s.name}:${s.state}`) }, 'agent started');
  onStarted?.();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping');
  notifier.stopping();
  stopWatchdog();
  const force = () => {
    logger.warn('second signal: exiting without waiting');
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  const hardStop = setTimeout(() => {
    logger.error('shutdown took longer than the budget; exiting');
    process.exit(1);
  }, STOP_BUDGET_MS + 2_000);
  hardStop.unref();
  try {
    await agent.stop();
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'error during shutdown');
  }
  clearTimeout(hardStop);
  process.off('unhandledRejection', onRejection);
  logger.info('stopped');
  return 0;
}
