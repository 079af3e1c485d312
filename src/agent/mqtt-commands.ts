/**
 * The MQTT command channel (`mqtt.commands: true`, docs/mqtt.md#commands): a connection of its
 * own that subscribes to `{root}/{site}/+/order/cmd` and answers each command on
 * `{root}/{site}/{line}/order/cmd/result` (or an MQTT 5 response topic, with its correlation
 * data). What a command does and who may send it is src/server/order-commands.ts.
 *
 * Choices, each for a failure a plant would otherwise meet:
 * - A clean session: commands sent while the agent is down are not queued by the broker and run
 *   hours later; the sender gets no answer and decides again.
 * - Retained messages are ignored: a retained "start" would run again on every reconnect.
 * - No will: the agent's status topic belongs to the publisher's connection.
 * - A rate limit (2 a second, bursts of 10): a runaway sender cannot swamp the core.
 * - The token is never logged.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { LinesideConfig } from '../config/schema.js';
import type { Clock } from '../core/sample.js';
import type { Component } from '../lib/component.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { TokenBucket } from '../lib/token-bucket.js';
import type { EmbeddedBroker } from '../outputs/broker/embedded-broker.js';
import { buildClientOptions } from '../outputs/mqtt/client-options.js';
import { resolveTarget } from '../outputs/mqtt/target.js';
import { orderCommandTopics, statusTopic, topicNames } from '../outputs/mqtt/topics.js';
import { handleOrderCommand, type OrderCommandDeps, type OrderCommandReply } from '../server/order-commands.js';

const RECONNECT_MS = 5_000;
const COMMANDS_PER_SECOND = 2;
const BURST = 10;

export interface MqttCommandsDeps extends OrderCommandDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly embeddedBroker?: () => EmbeddedBroker | undefined;
  /** Commands a second and burst; default 2 and 10. */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
}

export function mqttCommandsComponent(deps: MqttCommandsDeps): Component {
  const log = deps.logger.child({ component: 'mqtt-commands' });
  const names = topicNames(deps.config);
  const topics = orderCommandTopics(names);
  const rate = deps.rateLimit ?? { perSecond: COMMANDS_PER_SECOND, burst: BURST };
  const bucket = new TokenBucket(rate.perSecond, deps.clock.monoMs(), rate.burst);
  let client: MqttClient | undefined;
  let chain: Promise<void> = Promise.resolve();

  function answer(c: MqttClient, packet: IPublishPacket, line: string, reply: OrderCommandReply): void {
    const responseTopic = packet.properties?.responseTopic;
    const correlationData = packet.properties?.correlationData;
    const topic = responseTopic ?? topics.resultTopic(line);
    const options =
      responseTopic !== undefined && correlationData !== undefined
        ? { qos: 1 as const, retain: false, properties: { correlationData } }
        : { qos: 1 as const, retain: false };
    c.publish(topic, JSON.stringify(reply), options, (err) => {
      if (err) log.warn({ topic, err: errorMessage(err) }, 'the answer to an order command was not delivered');
    });
  }

  async function onMessage(c: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const line = topics.lineOf(topic);
    if (line === undefined) return;
    if (packet.retain) {
      log.warn(
        { topic },
        'ignored a retained order command: it would run again on every reconnect; publish commands without retain',
      );
      return;
    }
    const now = deps.clock.monoMs();
    if (bucket.takeUpTo(1, now) === 0) {
      answer(c, packet, line, {
        ok: false,
        code: 'RATE_LIMITED',
        message: `at most ${rate.perSecond} order commands a second`,
      });
      return;
    }
    const { reply, principal } = await handleOrderCommand(line, payload, deps);
    const who = principal !== undefined ? { user: principal.user, role: principal.role, via: principal.via } : {};
    if (reply.ok) log.info({ line, action: reply.action, ...who }, 'order command done');
    else log.warn({ line, code: reply.code, message: reply.message, ...who }, 'order command refused');
    answer(c, packet, line, reply);
  }

  return {
    name: 'mqtt-commands',
    role: 'server',
    async start() {
      // No will on this connection (deleted below); the status topic only fills the field.
      const { target, tlsFiles } = resolveTarget(deps.config, statusTopic(names), deps.embeddedBroker?.(), log);
      const options: IClientOptions = {
        ...buildClientOptions(
          deps.config.mqtt,
          { ...target, clientId: `${target.clientId}-commands`, cleanSession: true },
          tlsFiles,
        ),
        reconnectPeriod: RECONNECT_MS,
        resubscribe: true,
      };
      delete options.will;
      const c = mqtt.connect(target.url, options);
      client = c;
      c.on('connect', () => {
        c.subscribe(topics.filter, { qos: 1 }, (err) => {
          if (err)
            log.error({ topic: topics.filter, err: errorMessage(err) }, 'cannot subscribe to the order command topic');
          else log.info({ topic: topics.filter }, 'listening for order commands');
        });
      });
      c.on('error', (err) => log.warn({ err: errorMessage(err) }, 'order command connection error'));
      c.on('message', (topic, payload, packet) => {
        // One at a time, in arrival order: a stop right after a start acts on that start.
        chain = chain
          .then(() => onMessage(c, topic, payload, packet))
          .catch((err: unknown) => log.error({ topic, err: errorMessage(err) }, 'order command failed'));
      });
    },
    async stop() {
      const c = client;
      client = undefined;
      if (c === undefined) return;
      await chain;
      await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    },
  };
}
