/**
 * The MQTT publisher: reads the spool with its own cursor ("mqtt") and publishes the Unified
 * Namespace topics (docs/architecture.md#mqtt), in spool order.
 *
 * Guarantees and how:
 * - Nothing is lost: a spool row is released (cursor moved past it) only after the broker's
 *   PUBACK for it and for every row before it (AckWindow). On any disconnect, sending resumes
 *   from the cursor: at-least-once; consumers deduplicate by `eventId`.
 * - In order: one connection, rows sent in id order, at most `inflightWindow` unacknowledged;
 *   a resend starts at the oldest unacknowledged row, so after dedupe every station's seq
 *   increases.
 * - The core never waits: appends go to the spool; this reads it when the spool commits, when a
 *   PUBACK frees the window, or when the rate limiter allows; nothing awaits a publish.
 * - The backlog after an outage drains at `backlogMessagesPerSecond` at most.
 * - Retained state is current after restarts of agent or broker (RetainedCache), and the status
 *   topic reads "online" while connected, "offline" after a clean stop or (last will) a crash.
 */
import type { MqttClient } from 'mqtt';
import type { LinesideConfig } from '../../config/schema.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { OutputStatus } from '../output.js';
import type { SpoolRow } from '../spool/index.js';
import type { ConnectionTarget } from './client-options.js';
import { isPermanentPublishRejection } from './connect-errors.js';
import { BrokerConnection } from './connection.js';
import type { MqttPublisherHealth } from './health.js';
import type { MqttPublisher, MqttPublisherDeps } from './publisher-api.js';
import { publisherHealth } from './health-snapshot.js';
import { RateLimiter } from './rate-limiter.js';
import { RateMeter } from '../../lib/rate-meter.js';
import { RepublishQueue } from './republish-queue.js';
import { RetainedCache } from './retained-cache.js';
import { RowMessages } from './row-message.js';
import { SentValues } from './sent-values.js';
import { SpoolWindow } from './spool-window.js';
import { resolveTarget } from './target.js';
import { statusTopic, type TopicNames } from './topics.js';

export const DESTINATION = 'mqtt';

export type { MqttPublisher, MqttPublisherDeps } from './publisher-api.js';

/** Rows handled per pump before yielding to the event loop. */
const PUMP_BUDGET_ROWS = 2_000;

export function createMqttPublisher(deps: MqttPublisherDeps): MqttPublisher {
  return new Publisher(deps);
}

class Publisher implements MqttPublisher {
  private readonly log: Logger;
  private readonly mqttConfig: LinesideConfig['mqtt'];
  private readonly names: TopicNames;
  private readonly retained: RetainedCache;
  private readonly messages: RowMessages;
  private readonly meter = new RateMeter();
  private limiter: RateLimiter;
  private connection: BrokerConnection | undefined;
  private embedded: EmbeddedBroker | undefined;
  private target: ConnectionTarget | undefined;
  private unsubscribeCommit: (() => void) | undefined;

  private client: MqttClient | null = null;
  private generation = -1;
  private readonly window: SpoolWindow;
  /** Status and retained messages to send on connect, before the backlog. */
  private readonly republish: RepublishQueue;
  private readonly sentValues = new SentValues();
  private pumpScheduled = false;
  private pumping = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private published = 0;
  private rejected = 0;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: MqttPublisherDeps) {
    const { config, spool, clock } = deps;
    this.log = deps.logger.child({ component: 'mqtt' });
    this.mqttConfig = config.mqtt;
    this.names = {
      root: config.mqtt.topicRoot ?? config.site.enterprise,
      site: config.site.site,
      agentId: config.agent.id,
    };
    const inflightMax = Math.max(1, deps.tuning?.inflightWindow ?? 100);
    this.window = new SpoolWindow(spool, DESTINATION, config.mqtt.samples.publish ? undefined : ['event'], {
      inflightMax,
      writeMax: Math.max(1, deps.tuning?.writeWindow ?? 1_000),
      spanMax: Math.max(inflightMax, deps.tuning?.maxSpan ?? 20_000),
      readBatch: Math.max(1, deps.tuning?.readBatch ?? 500),
    });
    this.retained = new RetainedCache(spool);
    this.messages = new RowMessages(this.names, this.mqttConfig);
    this.republish = new RepublishQueue(this.log);
    this.limiter = new RateLimiter(config.mqtt.backlogMessagesPerSecond, clock.monoMs());
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
    if (mqttConfig.sparkplug.enabled)
      this.log.warn('mqtt.sparkplug is not implemented yet; publishing the JSON namespace only');
    this.embedded = this.deps.embeddedBroker?.();
    const resolved = resolveTarget(config, statusTopic(this.names), this.embedded, this.log);
    this.target = resolved.target;
    this.connection = new BrokerConnection(
      mqttConfig,
      resolved.target,
      resolved.tlsFiles,
      {
        onUp: (client, generation, receiveMaximum) => this.onUp(client, generation, receiveMaximum),
        onDown: () => this.onDown(),
      },
      this.deps.clock,
      this.log,
      this.deps.tuning?.random,
    );
    this.unsubscribeCommit = this.deps.spool.onCommit(() => this.schedulePump());
    this.connection.start();
  }

  private onUp(client: MqttClient, generation: number, receiveMaximum: number | undefined): void {
    this.client = client;
    this.generation = generation;
    this.window.limitPubacks(receiveMaximum);
    this.window.rewind();
    this.sentValues.reconnected();
    this.republish.load(statusTopic(this.names), this.retained, {
      event: this.mqttConfig.eventQos,
      sample: this.mqttConfig.samples.qos,
    });
    this.schedulePump();
  }

  private onDown(): void {
    this.client = null;
    this.republish.clear();
    this.window.rewind();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.pumpLoop();
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'MQTT publisher failed while sending; retrying shortly');
      this.wakeAfter(1_000);
    } finally {
      this.pumping = false;
    }
    this.window.release();
  }

  private pumpLoop(): void {
    const client = this.client;
    if (client === null || this.stopping !== undefined) return;
    const { clock } = this.deps;
    const republished = this.republish.send(client, this.generation, {
      windowFull: () => this.window.pubacksFull(this.republish.inFlight),
      stale: (generation) => generation !== this.generation || this.client === null,
      completed: () => this.schedulePump(),
    });
    if (!republished) return;
    // Yield to the event loop now and then: skipping a long run of samples must not stall it.
    let budget = PUMP_BUDGET_ROWS;
    while (!this.window.spanFull) {
      if (budget-- <= 0) {
        this.schedulePump();
        return;
      }
      const row = this.window.peek();
      if (row === undefined) return;
      if (row.kind === 'sample' && this.sentValues.unchanged(row.sample.tag, row.sample.value)) {
        // Report by exception: an unchanged value is not sent again (it is retained already).
        this.window.take(row);
      } else if (this.window.full(this.messages.qosOf(row), this.republish.inFlight)) {
        return; // a completion will pump again
      } else if (!this.limiter.tryTake(clock.monoMs())) {
        this.wakeAfter(this.limiter.waitMs(clock.monoMs()));
        return;
      } else {
        this.window.take();
        this.send(client, row);
      }
      this.window.rowDone();
    }
  }

  private wakeAfter(ms: number): void {
    if (this.wakeTimer !== undefined) return;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.schedulePump();
      },
      Math.max(1, ms),
    );
  }

  private send(client: MqttClient, row: SpoolRow): void {
    const generation = this.generation;
    const valueKey = row.kind === 'sample' ? this.sentValues.sending(row.sample.tag, row.sample.value) : undefined;
    const { topic, payload, qos, retain } = this.messages.message(row);
    this.window.add(row.id, qos === 0 ? 'write' : 'puback');
    client.publish(topic, payload, { qos, retain }, (err) => {
      if (generation !== this.generation || this.client === null) return; // from a connection that is gone
      if (err !== undefined && err !== null) {
        if (!isPermanentPublishRejection(err)) {
          this.connection?.drop(`publish to ${topic} failed: ${errorMessage(err)}`);
          return;
        }
        this.rejected += 1;
        this.log.error(
          { topic, spoolId: row.id, err: errorMessage(err) },
          `broker rejected a message on ${topic} for good (${errorMessage(err)}); counted as rejected, check the broker ACL`,
        );
      } else {
        this.published += 1;
        this.meter.add(this.deps.clock.monoMs());
        if (retain) this.retained.confirm(topic, payload, row.id, row.kind);
        if (row.kind === 'sample' && valueKey !== undefined) this.sentValues.confirm(row.sample.tag, valueKey);
      }
      this.window.completed(row.id);
      this.window.release();
      this.schedulePump();
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unsubscribeCommit?.();
      if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
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
      this.client = null;
      this.log.info({ released: this.window.released }, 'MQTT publisher stopped');
    })();
    return this.stopping;
  }

  readonly name = DESTINATION;

  status(): OutputStatus {
    const h = this.health();
    return {
      name: this.name,
      up: h.connected,
      sent: h.published,
      errors: h.connectionLosses + h.rejected,
      ...(h.lastError ? { lastError: h.lastError } : {}),
    };
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
        inFlight: this.window.inFlight + this.republish.inFlight,
        published: this.published,
        publishedPerSecond: this.meter.perSecond(this.deps.clock.monoMs()),
        rejected: this.rejected,
        ackedId: this.window.released,
      },
    );
  }
}
