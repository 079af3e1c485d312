/** The MQTT output for the agent's registry: the publisher and, for `mqtt.url: embedded`, its broker. */
import type { Component } from '../../lib/component.js';
import { EmbeddedBrokerComponent } from '../broker/component.js';
import type { OutputFactory } from '../output.js';
import { createMqttPublisher, DESTINATION } from './publisher.js';

export const mqttOutput: OutputFactory = {
  name: DESTINATION,
  spooled: true,
  enabled: (config) => config.mqtt.enabled,
  readsSamples: (config) => config.mqtt.samples.publish,
  create({ config, spool, clock, logger }) {
    const broker = config.mqtt.url === 'embedded' ? new EmbeddedBrokerComponent(config.mqtt, logger) : undefined;
    const publisher = createMqttPublisher({
      config,
      spool,
      clock,
      logger,
      ...(broker ? { embeddedBroker: () => broker.running } : {}),
    });
    const components: Component[] = [
      ...(broker ? [broker] : []),
      { name: DESTINATION, role: 'output', start: () => publisher.start(), stop: () => publisher.stop() },
    ];
    return { output: publisher, components };
  },
};
