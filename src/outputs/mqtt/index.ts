export {
  createMqttPublisher,
  DESTINATION as MQTT_DESTINATION,
  type MqttPublisher,
  type MqttPublisherDeps,
} from './publisher.js';
export type { MqttPublisherHealth } from './health.js';
export { eventRoute, sampleTopic, statusTopic, type TopicNames, type TopicRoute } from './topics.js';
export { eventPayload, eventPayloadObject, samplePayload, isoTime } from './payloads.js';
