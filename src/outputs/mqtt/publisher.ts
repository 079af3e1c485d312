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
import type { Clock } from '../../core/sample.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import { SpoolCursor, type Spool, type SpoolRow } from '../spool/index.js';
import { AckWindow } from './ack-window.js';
import { redactUrl, type ConnectionTarget } from './client-options.js';
import { isPermanentPublishRejection } from './connect-errors.js';
import { BrokerConnection } from './connection.js';
import type { MqttPublisherHealth } from './health.js';
import { eventPayload, samplePayload } from './payloads.js';
import { RateLimiter } from './rate-limiter.js';
import { RateMeter } from '../../lib/rate-meter.js';
import { RetainedCache } from './retained-cache.js';
import { resolveTarget } from './target.js';
import { eventRoute, sampleTopic, statusTopic, type TopicNames } from './topics.js';

export const DESTINATION = 'mqtt';

export interface MqttPublisherDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly spool: Spool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The embedded broker (`mqtt.url: embedded`), started before the publisher by its own component. */
  readonly embeddedBroker?: () => EmbeddedBroker | undefined;
  readonly tuning?: {
    /** QoS 1/2 messages awaiting PUBACK; default 100. */
    readonly inflightWindow?: number;
    /** QoS 0 messages awaiting their socket write; default 1,000. */
    readonly writeWindow?: number;
    /** Rows from the oldest incomplete one to the newest sent, i.e. the most a reconnect resends; default 20,000. */
    readonly maxSpan?: number;
    /** Rows read from the spool at a time; default 500. */
    readonly readBatch?: number;
    /** Jitter source for the reconnect backoff. */
    readonly random?: () => number;
    /** How long stop() waits for the "offline" PUBACK, ms; default 2,000. */
    readonly stopGraceMs?: number;
  };
}

export interface MqttPublisher extends OutputHandle {
  /** Begins connecting. Resolves without waiting for the broker; rejects only for what the user
   * must fix (an unreadable TLS file, an embedded broker that did not start). */
  start(): Promise<void>;
  /** Publishes "offline" and disconnects cleanly. Safe to call twice. */
  stop(): Promise<void>;
  health(): MqttPublisherHealth;
}

/** Rows handled per pump before yielding to the event loop. */
const PUMP_BUDGET_ROWS = 2_000;

export function createMqttPublisher(deps: MqttPublisherDeps): MqttPublisher {
  return new Publisher(deps);
}

class Publisher implements MqttPublisher {
  private readonly log: Logger;
  private readonly mqttConfig: LinesideConfig['mqtt'];
  private readonly names: TopicNames;
  private readonly inflightMax: number;
  private readonly writeMax: number;
  private readonly spanMax: number;
  private readonly readBatch: number;
  private readonly retained: RetainedCache;
  private readonly meter = new RateMeter();
  private limiter: RateLimiter;
  private connection: BrokerConnection | undefined;
  private embedded: EmbeddedBroker | undefined;
  private target: ConnectionTarget | undefined;
  private unsubscribeCommit: (() => void) | undefined;

  private client: MqttClient | null = null;
  private generation = -1;
  private window: AckWindow;
  private released: number;
  private readonly cursor: SpoolCursor;
  /** Rows read from the spool and not yet handled: pending[pendingAt..]. */
  private pending: SpoolRow[] = [];
  private pendingAt = 0;
  private pendingScanTo = 0;
  private readonly tagTopics = new Map<string, string>();
  /** Status and retained messages to send on connect, before the backlog. */
  private republish: Array<{ topic: string; payload: string; qos: 0 | 1 | 2 }> = [];
  /** Republished messages awaiting PUBACK (outside the spool window). */
  private extraInFlight = 0;
  /** min(inflightWindow, the broker's receive maximum). */
  private pubackLimit: number;
  /** Tag -> JSON of the last value sent (optimistic) and acknowledged (survives a reconnect). */
  private sentValues = new Map<string, string>();
  private readonly confirmedValues = new Map<string, string>();
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
    this.inflightMax = Math.max(1, deps.tuning?.inflightWindow ?? 100);
    this.writeMax = Math.max(1, deps.tuning?.writeWindow ?? 1_000);
    this.spanMax = Math.max(this.inflightMax, deps.tuning?.maxSpan ?? 20_000);
    this.pubackLimit = this.inflightMax;
    this.readBatch = Math.max(1, deps.tuning?.readBatch ?? 500);
    this.retained = new RetainedCache(spool);
    this.limiter = new RateLimiter(config.mqtt.backlogMessagesPerSecond, clock.monoMs());
    this.released = spool.ackedId(DESTINATION);
    this.cursor = new SpoolCursor(spool, DESTINATION, config.mqtt.samples.publish ? undefined : ['event']);
    this.window = new AckWindow(this.released);
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
    this.pubackLimit = Math.max(1, Math.min(this.inflightMax, receiveMaximum ?? Number.POSITIVE_INFINITY));
    this.window.reset(this.released);
    this.cursor.rewind(this.released);
    this.pending = [];
    this.pendingAt = 0;
    this.sentValues = new Map(this.confirmedValues);
    this.extraInFlight = 0;
    // Status first, then the retained topics (the broker may have restarted without them), then
    // the backlog. They share the PUBACK window with the backlog, so the broker's receive
    // maximum holds for everything we send.
    this.republish = [
      { topic: statusTopic(this.names), payload: 'online', qos: 1 },
      ...this.retained
        .entries()
        .map((e) => ({
          topic: e.topic,
          payload: e.payload,
          qos: e.kind === 'event' ? this.mqttConfig.eventQos : this.mqttConfig.samples.qos,
        })),
    ];
    this.schedulePump();
  }

  /** Sends queued status / retained messages while the window allows; false when some wait. */
  private sendRepublished(client: MqttClient): boolean {
    while (this.republish.length > 0) {
      if (this.window.awaitingPuback + this.extraInFlight >= this.pubackLimit) return false;
      const message = this.republish.shift();
      if (message === undefined) break;
      const generation = this.generation;
      const tracked = message.qos > 0;
      if (tracked) this.extraInFlight += 1;
      client.publish(message.topic, message.payload, { qos: message.qos, retain: true }, (err) => {
        if (generation !== this.generation || this.client === null) return;
        if (tracked) this.extraInFlight -= 1;
        if (err !== undefined && err !== null)
          this.log.warn({ topic: message.topic, err: errorMessage(err) }, 'republishing a retained message failed');
        this.schedulePump();
      });
    }
    return true;
  }

  private onDown(): void {
    this.client = null;
    this.republish = [];
    this.extraInFlight = 0;
    this.window.reset(this.released);
    this.cursor.rewind(this.released);
    this.pending = [];
    this.pendingAt = 0;
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
    this.release();
  }

  private pumpLoop(): void {
    const client = this.client;
    if (client === null || this.stopping !== undefined) return;
    const { clock } = this.deps;
    if (!this.sendRepublished(client)) return;
    // Yield to the event loop now and then: skipping a long run of samples must not stall it.
    let budget = PUMP_BUDGET_ROWS;
    while (this.window.span < this.spanMax) {
      if (budget-- <= 0) {
        this.schedulePump();
        return;
      }
      if (this.pendingAt >= this.pending.length) {
        const { rows, scannedTo } = this.cursor.next(this.readBatch);
        this.pendingScanTo = scannedTo;
        if (rows.length === 0) {
          this.window.scanned(scannedTo);
          return;
        }
        this.pending = rows;
        this.pendingAt = 0;
      }
      const row = this.pending[this.pendingAt];
      if (row === undefined) return;
      if (row.kind === 'sample' && this.sentValues.get(row.sample.tag) === JSON.stringify(row.sample.value)) {
        // Report by exception: an unchanged value is not sent again (it is retained already).
        this.pendingAt += 1;
        this.window.scanned(row.id);
      } else if (this.windowFullFor(row)) {
        return; // a completion will pump again
      } else if (!this.limiter.tryTake(clock.monoMs())) {
        this.wakeAfter(this.limiter.waitMs(clock.monoMs()));
        return;
      } else {
        this.pendingAt += 1;
        this.send(client, row);
      }
      if (this.pendingAt >= this.pending.length) this.window.scanned(this.pendingScanTo);
    }
  }

  private tagTopic(tag: string): string {
    let topic = this.tagTopics.get(tag);
    if (topic === undefined) {
      topic = sampleTopic(this.names, tag);
      if (this.tagTopics.size < 100_000) this.tagTopics.set(tag, topic);
    }
    return topic;
  }

  private qosOf(row: SpoolRow): 0 | 1 | 2 {
    return row.kind === 'event' ? this.mqttConfig.eventQos : this.mqttConfig.samples.qos;
  }

  private windowFullFor(row: SpoolRow): boolean {
    return this.qosOf(row) === 0
      ? this.window.awaitingWrite >= this.writeMax
      : this.window.awaitingPuback + this.extraInFlight >= this.pubackLimit;
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
    let topic: string;
    let payload: string;
    let retain: boolean;
    let qos: 0 | 1 | 2;
    let valueKey: string | undefined;
    if (row.kind === 'event') {
      const route = eventRoute(this.names, row.event);
      topic = route.topic;
      retain = route.retain;
      payload = eventPayload(row.event);
      qos = this.qosOf(row);
    } else {
      valueKey = JSON.stringify(row.sample.value);
      this.sentValues.set(row.sample.tag, valueKey);
      topic = this.tagTopic(row.sample.tag);
      payload = samplePayload(row.sample);
      retain = true;
      qos = this.qosOf(row);
    }
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
        if (row.kind === 'sample' && valueKey !== undefined) this.confirmedValues.set(row.sample.tag, valueKey);
      }
      this.window.completed(row.id);
      this.release();
      this.schedulePump();
    });
  }

  /** Moves the spool cursor to the highest row such that it and all before it are acknowledged. */
  private release(): void {
    const releasable = this.window.releasable();
    if (releasable > this.released) {
      this.released = releasable;
      this.cursor.ack(releasable);
    }
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
      this.log.info({ released: this.released }, 'MQTT publisher stopped');
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
    const status = this.connection?.status();
    const spoolView = this.deps.spool.health().destinations[DESTINATION];
    const lastError = status?.lastError;
    return {
      broker: this.connection?.broker ?? redactUrl(this.mqttConfig.url),
      clientId: this.target?.clientId ?? this.mqttConfig.clientId ?? `lineside-${this.deps.config.agent.id}`,
      protocolVersion: this.target?.protocolVersion ?? this.mqttConfig.protocolVersion,
      connected: status?.connected ?? false,
      ...(status?.connectedSinceWall === undefined ? {} : { connectedSince: status.connectedSinceWall }),
      connectAttempts: status?.attempts ?? 0,
      connects: status?.connects ?? 0,
      connectionLosses: status?.connectionLosses ?? 0,
      ...(status?.nextAttemptInMs === undefined ? {} : { nextReconnectInMs: status.nextAttemptInMs }),
      ...(lastError === undefined ? {} : { lastError: lastError.toString(), lastErrorCode: lastError.code }),
      ...(status?.lastErrorAt === undefined ? {} : { lastErrorAt: status.lastErrorAt }),
      inFlight: this.window.inFlight + this.extraInFlight,
      published: this.published,
      publishedPerSecond: this.meter.perSecond(this.deps.clock.monoMs()),
      rejected: this.rejected,
      ackedId: this.released,
      backlog: spoolView?.pending ?? 0,
      oldestUnsentAgeMs: spoolView?.oldestUnsentAgeMs ?? 0,
      ...(this.embedded === undefined
        ? {}
        : {
            embeddedBroker: {
              host: this.embedded.host,
              port: this.embedded.port,
              clients: this.embedded.connectedClients(),
            },
          }),
    };
  }
}
