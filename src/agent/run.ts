import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import type { Agent } from './agent.js';
import { createSdNotifier } from './sd-notify.js';

/** Shutdown budget: sources stop, outputs flush, exit 0 well within systemd's TimeoutStopSec. */
const STOP_BUDGET_MS = 10_000;
/** A second signal sooner than this after the first is the same Ctrl-C delivered twice. */
const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * Runs a built agent until SIGTERM/SIGINT: starts it, tells systemd READY=1 and pings the
 * watchdog from the event loop, then on a signal sends STOPPING=1, stops sources first, flushes
 * outputs and resolves with the exit code. A second signal exits at once, unless it comes within
 * DUPLICATE_SIGNAL_MS of the first: one Ctrl-C often arrives twice (the terminal signals the whole
 * process group, and npm, timeout(1) or a supervisor forward the same signal to their child), and
 * that must not turn a clean stop into exit 1.
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
  notifier.status(
    failed.length === 0 ? 'running' : `running; failed: ${failed.map((s) => `${s.name} (${s.error})`).join(', ')}`,
  );
  const stopWatchdog = notifier.startWatchdog();
  logger.info({ components: statuses.map((s) => `${s.name}:${s.state}`) }, 'agent started');
  onStarted?.();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const firstSignalAt = Date.now();
  logger.info({ signal }, 'stopping');
  notifier.stopping();
  stopWatchdog();
  const force = (again: NodeJS.Signals) => {
    if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) {
      logger.debug({ signal: again }, 'the same stop request delivered twice; still stopping cleanly');
      return;
    }
    logger.warn('second signal: exiting without waiting');
    process.exit(1);
  };
  process.on('SIGTERM', force);
  process.on('SIGINT', force);
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
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
  process.off('unhandledRejection', onRejection);
  logger.info('stopped');
  return 0;
}
