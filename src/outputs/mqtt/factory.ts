/**
 * The MQTT output for the agent's registry: the publisher of the JSON Unified Namespace
 * (`mqtt.json`, default on), for `mqtt.url: embedded` its broker, and with
 * `mqtt.sparkplug.enabled` a Sparkplug B edge node on the same broker (an output of its own,
 * "sparkplug", with its own connection and spool cursor). Either or both.
 */
import type { Component } from '../../lib/component.js';
import { EmbeddedBrokerComponent } from '../broker/component.js';
import type { OutputFactory, OutputHandle } from '../output.js';
import { createSparkplugNode, SPARKPLUG_DESTINATION } from '../sparkplug/edge-node.js';
import { spoolsTagValues } from './destination.js';
import { createMqttPublisher, DESTINATION } from './publisher.js';

export const mqttOutput: OutputFactory = {
  name: DESTINATION,
  spooled: true,
  spoolDestinations: (config) => [
    ...(config.mqtt.json ? [DESTINATION] : []),
    ...(config.mqtt.sparkplug.enabled ? [SPARKPLUG_DESTINATION] : []),
  ],
  enabled: (config) => config.mqtt.enabled && (config.mqtt.json || config.mqtt.sparkplug.enabled),
  // The JSON namespace's raw tag values at QoS 1 (QoS 0 ones go live); the edge node's condition
  // signals (for store and forward).
  readsSamples: (config) =>
    (config.mqtt.json && spoolsTagValues(config.mqtt)) ||
    (config.mqtt.sparkplug.enabled && config.lines.some((l) => l.stations.some((s) => s.conditions.length > 0))),
  create({ config, spool, clock, logger, events, samples }) {
    const broker = config.mqtt.url === 'embedded' ? new EmbeddedBrokerComponent(config.mqtt, logger) : undefined;
    const embeddedBroker = broker ? { embeddedBroker: () => broker.running } : {};
    const components: Component[] = broker ? [broker] : [];
    const outputs: OutputHandle[] = [];
    if (config.mqtt.json) {
      const publisher = createMqttPublisher({ config, spool, clock, logger, samples, ...embeddedBroker });
      outputs.push(publisher);
      components.push({
        name: DESTINATION,
        role: 'output',
        start: () => publisher.start(),
        stop: () => publisher.stop(),
      });
    }
    if (config.mqtt.sparkplug.enabled) {
      const node = createSparkplugNode({ config, spool, clock, logger, events, samples, ...embeddedBroker });
      outputs.push(node);
      components.push({
        name: SPARKPLUG_DESTINATION,
        role: 'output',
        start: () => node.start(),
        stop: () => node.stop(),
      });
    }
    const [output, ...siblings] = outputs;
    if (output === undefined) throw new Error('mqtt output built with neither JSON nor Sparkplug (enabled() says no)');
    return {
      output,
      ...(siblings.length > 0 ? { siblings } : {}),
      components,
      ...(broker ? { embeddedBroker: () => broker.running } : {}),
    };
  },
};
