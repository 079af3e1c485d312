/**
 * The plant server's one MQTT connection: subscribes to the ledger, status, oee and state topics
 * of the shown sites (topics.ts) and hands every message to `onMessage` with its arrival time.
 *
 * The connection is the agent's own (src/outputs/mqtt/connection.ts): a fresh mqtt.js client per
 * attempt, reconnecting forever with capped exponential backoff and jitter (also after a refused
 * CONNACK), errors coded and logged once per change, never an unhandled 'error' or rejection. It
 * has no last will: the plant server publishes nothing. The session is persistent (fixed client
 * id, `clean: false`, MQTT 5 session expiry), so ledgers published while the plant server
 * restarts are queued by the broker, and every (re)subscription brings the retained ones again;
 * the model deduplicates by seq.
 */
import type { MqttClient } from 'mqtt';
import { plantClientId, plantTopicRoot, type PlantConfig } from '../config/plant-schema.js';
import type { Clock } from '../core/sample.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { readTlsFiles, redactUrl } from '../outputs/mqtt/client-options.js';
import { BrokerConnection } from '../outputs/mqtt/connection.js';
import { plantSubscriptions } from './topics.js';

export interface SubscriberHealth {
  readonly connected: boolean;
  /** Broker URL without credentials. */
  readonly broker: string;
  readonly clientId: string;
  readonly subscribed: boolean;
  readonly connects: number;
  readonly connectAttempts: number;
  readonly connectionLosses: number;
  readonly nextReconnectInMs?: number;
  readonly lastError?: string;
  readonly lastErrorCode?: string;
  readonly messages: number;
  /** Wall ms of the last message received, if any. */
  readonly lastMessageAt?: number;
}

export interface SubscriberDeps {
  readonly config: Readonly<PlantConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called for every message, in arrival order; must not throw (a throw is logged and dropped). */
  readonly onMessage: (topic: string, payload: Buffer, receivedAtMs: number) => void;
}

export class PlantSubscriber {
  private readonly connection: BrokerConnection;
  private readonly log: Logger;
  private readonly topics: string[];
  private messages = 0;
  private lastMessageAt: number | undefined;
  private subscribed = false;

  constructor(private readonly deps: SubscriberDeps) {
    const { config } = deps;
    this.log = deps.logger.child({ component: 'plant-mqtt' });
    this.topics = plantSubscriptions(plantTopicRoot(config), config.sites);
    this.connection = new BrokerConnection(
      config.mqtt,
      {
        url: config.mqtt.url,
        protocolVersion: config.mqtt.protocolVersion,
        clientId: plantClientId(config),
        external: true,
        whileDown: 'the plant page shows the last figures; the broker queues ledgers for the session',
      },
      readTlsFiles(config.mqtt),
      {
        onUp: (client, generation) => this.onUp(client, generation),
        onDown: () => {
          this.subscribed = false;
        },
      },
      deps.clock,
      this.log,
    );
  }

  start(): void {
    this.connection.start();
  }

  private onUp(client: MqttClient, generation: number): void {
    // A fresh client per connection: this handler is attached once to it.
    client.on('message', (topic, payload) => {
      if (generation !== this.connection.currentGeneration) return;
      this.messages++;
      const now = this.deps.clock.wallMs();
      this.lastMessageAt = now;
      try {
        this.deps.onMessage(topic, payload, now);
      } catch (err) {
        this.log.error({ topic, err: errorMessage(err) }, 'handling an MQTT message failed (bug); message dropped');
      }
    });
    client.subscribe(this.topics, { qos: 1 }, (err, granted) => {
      if (generation !== this.connection.currentGeneration) return;
      if (err) {
        this.log.warn({ err: errorMessage(err) }, 'subscribing failed; retried on the next connection');
        return;
      }
      // SUBACK 128 (v4) / >= 0x80 (v5): the broker refused a topic, usually its ACL.
      const refused = (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
      if (refused.length > 0)
        this.log.error(
          { refused, broker: redactUrl(this.deps.config.mqtt.url) },
          `the broker refused the subscription to ${refused.join(', ')}: check the account's ACL`,
        );
      this.subscribed = refused.length < this.topics.length;
      this.log.info({ topics: this.topics }, 'subscribed to the plant topics');
    });
  }

  health(): SubscriberHealth {
    const s = this.connection.status();
    return {
      connected: s.connected,
      broker: this.connection.broker,
      clientId: plantClientId(this.deps.config),
      subscribed: this.subscribed,
      connects: s.connects,
      connectAttempts: s.attempts,
      connectionLosses: s.connectionLosses,
      ...(s.nextAttemptInMs === undefined ? {} : { nextReconnectInMs: s.nextAttemptInMs }),
      ...(s.lastError === undefined ? {} : { lastError: s.lastError.message, lastErrorCode: s.lastError.code }),
      messages: this.messages,
      ...(this.lastMessageAt === undefined ? {} : { lastMessageAt: this.lastMessageAt }),
    };
  }

  /** Disconnects cleanly (the broker keeps the persistent session for the next start). */
  async stop(): Promise<void> {
    await this.connection.stop(async () => undefined, 2_000);
  }
}
