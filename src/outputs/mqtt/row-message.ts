/**
 * What a spool row is published as: topic, payload, QoS and retain flag (events on their Unified
 * Namespace route, samples retained on their tag topic).
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { SpoolRow } from '../spool/index.js';
import { eventPayload, samplePayload } from './payloads.js';
import { eventRoute, sampleTopic, type TopicNames } from './topics.js';

export interface RowMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
}

/** Tag topics kept at most (a cache; more tags are computed each time). */
const TAG_TOPIC_CACHE = 100_000;

export class RowMessages {
  private readonly tagTopics = new Map<string, string>();

  constructor(
    private readonly names: TopicNames,
    private readonly mqttConfig: LinesideConfig['mqtt'],
  ) {}

  qosOf(row: SpoolRow): 0 | 1 | 2 {
    return row.kind === 'event' ? this.mqttConfig.eventQos : this.mqttConfig.samples.qos;
  }

  message(row: SpoolRow): RowMessage {
    if (row.kind === 'event') {
      const route = eventRoute(this.names, row.event);
      return { topic: route.topic, payload: eventPayload(row.event), qos: this.qosOf(row), retain: route.retain };
    }
    return {
      topic: this.tagTopic(row.sample.tag),
      payload: samplePayload(row.sample),
      qos: this.qosOf(row),
      retain: true,
    };
  }

  private tagTopic(tag: string): string {
    let topic = this.tagTopics.get(tag);
    if (topic === undefined) {
      topic = sampleTopic(this.names, tag);
      if (this.tagTopics.size < TAG_TOPIC_CACHE) this.tagTopics.set(tag, topic);
    }
    return topic;
  }
}
