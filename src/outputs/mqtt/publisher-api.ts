/**
 * The MQTT publisher's contract (publisher.ts implements it): what it is given (config, spool,
 * clock, logger, the embedded broker, tuning) and what it offers the agent.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock } from '../../core/sample.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { OutputContext, OutputHandle } from '../output.js';
import type { Spool } from '../spool/index.js';
import type { MqttPublisherHealth } from './health.js';

export interface MqttPublisherDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly spool: Spool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The sources' samples as they happen: QoS 0 tag values are published from here (live-tag-values.ts). */
  readonly samples?: OutputContext['samples'];
  /** The embedded broker (`mqtt.url: embedded`), started before the publisher by its own component. */
  readonly embeddedBroker?: () => EmbeddedBroker | undefined;
  readonly tuning?: {
    /** QoS 1/2 messages awaiting PUBACK; default 100. */
    readonly inflightWindow?: number;
    /** QoS 0 messages awaiting their socket write; default 1,000. */
    readonly writeWindow?: number;
    /** Messages per batch of the runner (four may be in flight: the most a reconnect resends); default 500. */
    readonly batchSize?: number;
    /** Jitter source for the reconnect backoff. */
    readonly random?: () => number;
    /** How long stop() waits for the last batch, and then for the "offline" PUBACK, ms; default 2,000. */
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
