/**
 * The MQTT output for the agent's registry: the publisher (the JSON Unified Namespace), for
 * `mqtt.url: embedded` its broker, and with `mqtt.sparkplug.enabled` a Sparkplug B edge node on
 * the same broker (an output of its own, "sparkplug", with its own connection and spool cursor).
 */
import type { Component } from '../../lib/component.js';
import { EmbeddedBrokerComponent } from '../broker/component.js';
import type { OutputFactory } from '../output.js';
import { createSparkplugNode, SPARKPLUG_DESTINATION } from '../sparkplug/edge-node.js';
import { createMqttPublisher, DESTINATION } from './publisher.js';

export const mqttOutput: OutputFactory = {
  name: DESTINATION,
  spooled: true,
  spoolDestinations: (config) => [DESTINATION, ...(config.mqtt.sparkplug.enabled ? [SPARKPLUG_DESTINATION] : [])],
  enabled: (config) => config.mqtt.enabled,
  readsSamples: (config) => config.mqtt.samples.publish,
  create({ config, spool, clock, logger, events }) {
    const broker = config.mqtt.url === 'embedded' ? new EmbeddedBrokerComponent(config.mqtt, logger) : undefined;
    const embeddedBroker = broker ? { embeddedBroker: () => broker.running } : {};
    const publisher = createMqttPublisher({ config, spool, clock, logger, ...embeddedBroker });
    const sparkplug = config.mqtt.sparkplug.enabled
      ? createSparkplugNode({ config, spool, clock, logger, events, ...embeddedBroker })
      : undefined;
    const components: Component[] = [
      ...(broker ? [broker] : []),
      { name: DESTINATION, role: 'output', start: () => publisher.start(), stop: () => publisher.stop() },
    ];
    if (sparkplug)
      components.push({
        name: SPARKPLUG_DESTINATION,
        role: 'output',
        start: () => sparkplug.start(),
        stop: () => sparkplug.stop(),
      });
    return { output: publisher, ...(sparkplug ? { siblings: [sparkplug] } : {}), components };
  },
};
