/**
 * The Unified Namespace topics (pure; docs/architecture.md#mqtt). Every level below the root is an Id
 * from the validated config (letters, digits, "_" and "-"), so no level can contain "/", "+"
 * or "#".
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { CoreEvent } from '../../core/events.js';

export interface TopicNames {
  /** `mqtt.topicRoot`, default `site.enterprise`. */
  readonly root: string;
  readonly site: string;
  readonly agentId: string;
}

/** The namespace's names from the config: root (`mqtt.topicRoot` or `site.enterprise`), site, agent. */
export function topicNames(config: Readonly<LinesideConfig>): TopicNames {
  return { root: config.mqtt.topicRoot ?? config.site.enterprise, site: config.site.site, agentId: config.agent.id };
}

export interface TopicRoute {
  readonly topic: string;
  /** Retained topics hold the current value for late subscribers (state, OEE, status, tags). */
  readonly retain: boolean;
}

/** Where an event is published and whether the broker retains it. */
export function eventRoute(names: TopicNames, event: CoreEvent): TopicRoute {
  const linePath = `${names.root}/${names.site}/${event.line}`;
  if (event.type === 'oee') {
    // Line-level OEE (no station) is the line roll-up.
    return {
      topic: event.station === undefined ? `${linePath}/oee` : `${linePath}/${event.station}/oee`,
      retain: true,
    };
  }
  // The line's order: the latest event of its latest order, retained (progress included).
  if (event.type === 'order') return { topic: `${linePath}/order`, retain: true };
  // The line's shift ledger: the latest of the current (or just ended) shift, for plant views.
  if (event.type === 'ledger') return { topic: `${linePath}/ledger`, retain: true };
  // State and product are "what is it now" topics: a late subscriber needs the current value.
  return {
    topic: `${linePath}/${event.station}/${event.type}`,
    retain: event.type === 'state' || event.type === 'product',
  };
}

/** `{root}/{site}/agents/{agentId}/status`, retained "online" / "offline" (last will). */
export function statusTopic(names: TopicNames): string {
  return `${names.root}/${names.site}/agents/${names.agentId}/status`;
}

/**
 * Raw tag values (optional, report by exception): `{root}/{site}/agents/{agentId}/tags/{device}/{tag}`.
 * "plc1.temp" -> ".../tags/plc1/temp", "gpio.in1.level" -> ".../tags/gpio/in1/level".
 */
export function sampleTopic(names: TopicNames, tag: string): string {
  const levels = tag.split('.').map((level) => level.replace(/[/+#]/g, '_'));
  return `${names.root}/${names.site}/agents/${names.agentId}/tags/${levels.join('/')}`;
}

/**
 * Order commands (docs/mqtt.md#commands): the filter the agent subscribes to, the line a matched
 * topic names, and where the answer goes: `{root}/{site}/{line}/order/cmd` and `.../cmd/result`.
 */
export function orderCommandTopics(names: TopicNames): {
  readonly filter: string;
  lineOf(topic: string): string | undefined;
  resultTopic(line: string): string;
} {
  const base = `${names.root}/${names.site}`;
  const suffix = '/order/cmd';
  return {
    filter: `${base}/+${suffix}`,
    lineOf(topic) {
      if (!topic.startsWith(`${base}/`) || !topic.endsWith(suffix)) return undefined;
      const line = topic.slice(base.length + 1, -suffix.length);
      return line.length > 0 && !line.includes('/') ? line : undefined;
    },
    resultTopic: (line) => `${base}/${line}${suffix}/result`,
  };
}
