/**
 * Webhooks for the agent's registry: alert events as they happen, to every configured receiver.
 * Not spooled (a webhook is a notification, not a record; the alert itself is spooled for MQTT and
 * InfluxDB), so it runs only with the predictors on and at least one webhook configured.
 */
import type { OutputFactory } from '../output.js';
import { createWebhooks } from './index.js';

/** How long stop() gives queued alert events to go out. */
const STOP_GRACE_MS = 2_000;

export const webhookOutput: OutputFactory = {
  name: 'webhooks',
  spooled: false,
  enabled: (config) => config.alerts.enabled && config.alerts.webhooks.length > 0,
  readsSamples: () => false,
  create({ config, logger, events }) {
    const hooks = createWebhooks(
      config.alerts.webhooks.map((w) => ({
        url: w.url,
        minSeverity: w.minSeverity,
        ...(w.secret !== undefined ? { secret: w.secret } : {}),
      })),
      { logger: logger.child({ component: 'webhook' }), agentId: config.agent.id },
    );
    let unsubscribe: (() => void) | undefined;
    return {
      output: hooks,
      components: [
        {
          name: 'webhooks',
          role: 'output',
          start: async () => {
            unsubscribe = events.add('webhooks', (e) => {
              if (e.type === 'alert') hooks.send(e);
            });
          },
          stop: async () => {
            unsubscribe?.();
            await hooks.close(STOP_GRACE_MS);
          },
        },
      ],
    };
  },
};
