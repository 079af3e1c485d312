/**
 * Webhooks for the agent's registry: alert events, spooled, to every configured receiver (each a
 * spool destination of its own). Runs only with the predictors on and at least one webhook.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { OutputFactory } from '../output.js';
import { createWebhooks, webhookDestinations, type WebhookTarget } from './index.js';

function targets(config: Readonly<LinesideConfig>): WebhookTarget[] {
  return config.alerts.webhooks.map((w) => ({
    url: w.url,
    minSeverity: w.minSeverity,
    ...(w.secret !== undefined ? { secret: w.secret } : {}),
  }));
}

export const webhookOutput: OutputFactory = {
  name: 'webhooks',
  spooled: true,
  spoolDestinations: (config) => webhookDestinations(targets(config)),
  enabled: (config) => config.alerts.enabled && config.alerts.webhooks.length > 0,
  readsSamples: () => false,
  create({ config, logger, spool }) {
    const hooks = createWebhooks(targets(config), {
      spool,
      logger: logger.child({ component: 'webhook' }),
      agentId: config.agent.id,
    });
    return {
      output: hooks,
      components: [{ name: 'webhooks', role: 'output', start: () => hooks.start(), stop: () => hooks.stop() }],
    };
  },
};
