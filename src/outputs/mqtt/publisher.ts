/**
 * The MQTT publisher: the spool's "mqtt" destination published as the Unified Namespace
 * (docs/architecture.md#mqtt). It is the generic spooled-output runner (../runner.ts) with the
 * MQTT destination (destination.ts) on one broker connection (connection.ts).
 *
 * Guarantees and how:
 * - Nothing is lost: a spool row is released only after the broker's PUBACK for it and for every
 *   row before it (the stream's window reports that prefix). On any disconnect, sending resumes
 *   after it: at-least-once; consumers deduplicate by `eventId`.
 * - In order: one connection, rows sent in id order, at most `inflightWindow` unacknowledged;
 *   a resend starts at the oldest unacknowledged row, so after dedupe every station's seq
 *   increases.
 * - The core never waits: appends go to the spool; the runner reads it when the spool commits.
 * - The backlog after an outage drains at `backlogMessagesPerSecond` at most (the runner's rate).
 * - Retained state is current after restarts of agent or broker (RetainedCache), and the status
 *   topic reads "online" while connected, "offline" after a clean stop or (last will) a crash.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { OutputStatus } from '../output.js';
import { SpooledOutput } from '../runner.js';
import type { ConnectionTarget } from './client-options.js';
import { BrokerConnection } from './connection.js';
import { MqttDestination, spoolsTagValues, type RowOut } from './destination.js';
import type { MqttPublisherHealth } from './health.js';
import { publisherHealth } from './health-snapshot.js';
import { LiveTagValues } from './live-tag-values.js';
import type { MqttPublisher, MqttPublisherDeps } from './publisher-api.js';
import { RetainedCache } from './retained-cache.js';
import { resolveTarget } from './target.js';
import { statusTopic, topicNames, type TopicNames } from './topics.js';

export const DESTINATION = 'mqtt';

/** Batches published and not yet all acknowledged, at most (with batchSize: the most a reconnect resends). */
const SENDS_IN_FLIGHT = 4;

export type { MqttPublisher, MqttPublisherDeps } from './publisher-api.js';

export function createMqttPublisher(deps: MqttPublisherDeps): MqttPublisher {
  return new Publisher(deps);
}

class Publisher implements MqttPublisher {
  readonly name = DESTINATION;
  private readonly log: Logger;
  private readonly mqttConfig: LinesideConfig['mqtt'];
  private readonly names: TopicNames;
  private readonly destination: MqttDestination;
  private readonly runner: SpooledOutput<RowOut>;
  /** QoS 0 tag values, published live (undefined: none are published, or they are spooled). */
  private readonly live: LiveTagValues | undefined;
  private unlisten: (() => void) | undefined;
  private connection: BrokerConnection | undefined;
  private embedded: EmbeddedBroker | undefined;
  private target: ConnectionTarget | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: MqttPublisherDeps) {
    const { config, spool, clock, tuning } = deps;
    this.log = deps.logger.child({ component: 'mqtt' });
    this.mqttConfig = config.mqtt;
    this.names = topicNames(config);
    this.destination = new MqttDestination({
      name: DESTINATION,
      mqtt: config.mqtt,
      names: this.names,
      statusTopic: statusTopic(this.names),
      retained: new RetainedCache(spool),
      inflightMax: Math.max(1, tuning?.inflightWindow ?? 100),
      writeMax: Math.max(1, tuning?.writeWindow ?? 1_000),
      now: () => clock.monoMs(),
      log: this.log,
      dropConnection: (reason) => this.connection?.drop(reason),
      isConnected: () => this.connection?.isConnected ?? false,
    });
    this.live =
      config.mqtt.samples.publish && !spoolsTagValues(config.mqtt)
        ? new LiveTagValues({
            names: this.names,
            now: () => clock.monoMs(),
          })
        : undefined;
    this.runner = new SpooledOutput(
      this.destination,
      { spool, logger: deps.logger },
      {
        batchSize: Math.max(1, tuning?.batchSize ?? 500),
        flushIntervalMs: 0,
        // The next batch is published while the broker acknowledges the last: no idle round trips.
        maxSendsInFlight: SENDS_IN_FLIGHT,
        maxPerSecond: config.mqtt.backlogMessagesPerSecond,
        backoff: {
          initialMs: config.mqtt.reconnectMin,
          maxMs: Math.max(config.mqtt.reconnectMin, config.mqtt.reconnectMax),
        },
        stopGraceMs: tuning?.stopGraceMs ?? 2_000,
        ...(tuning?.random ? { random: tuning.random } : {}),
      },
    );
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { config } = this.deps;
    const mqttConfig = this.mqttConfig;
    if (!mqttConfig.enabled) {
      this.log.info('MQTT is disabled (mqtt.enabled: false); nothing is published');
      return;
    }
    this.embedded = this.deps.embeddedBroker?.();
    const resolved = resolveTarget(config, statusTopic(this.names), this.embedded, this.log);
    this.target = resolved.target;
    this.connection = new BrokerConnection(
      mqttConfig,
      resolved.target,
      resolved.tlsFiles,
      {
        // Status and retained topics first, then the live tag values.
        onUp: (client, _generation, receiveMaximum) => {
          this.destination.connected(client, receiveMaximum);
          this.live?.connected(client);
        },
        onDown: () => {
          this.destination.disconnected();
          this.live?.disconnected();
        },
      },
      this.deps.clock,
      this.log,
      this.deps.tuning?.random,
    );
    const live = this.live;
    if (live !== undefined) this.unlisten = this.deps.samples?.add(DESTINATION, (s) => live.sample(s));
    this.connection.start();
    await this.runner.start();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // The last batch first (the runner waits for it), then "offline" and a clean DISCONNECT.
      this.unlisten?.();
      await this.runner.stop();
      const graceMs = this.deps.tuning?.stopGraceMs ?? 2_000;
      await this.connection?.stop(
        (client) =>
          new Promise<void>((resolve, reject) => {
            client.publish(statusTopic(this.names), 'offline', { qos: 1, retain: true }, (err) =>
              err ? reject(err) : resolve(),
            );
          }),
        graceMs,
      );
      this.log.info({ released: this.deps.spool.ackedId(DESTINATION) }, 'MQTT publisher stopped');
    })();
    return this.stopping;
  }

  status(): OutputStatus {
    const status = this.runner.status();
    // Live tag values are written, not acknowledged (QoS 0), but they are this output's deliveries too.
    return this.live === undefined ? status : { ...status, sent: status.sent + this.live.published };
  }

  health(): MqttPublisherHealth {
    return publisherHealth(
      {
        config: this.deps.config,
        connection: this.connection,
        target: this.target,
        embedded: this.embedded,
        spoolView: this.deps.spool.health().destinations[DESTINATION],
      },
      {
        inFlight: this.destination.inFlight + (this.live?.inFlight ?? 0),
        published: this.destination.published + (this.live?.published ?? 0),
        publishedPerSecond: this.destination.publishedPerSecond() + (this.live?.publishedPerSecond() ?? 0),
        rejected: this.destination.rejected,
        ackedId: this.deps.spool.ackedId(DESTINATION),
      },
    );
  }
}
