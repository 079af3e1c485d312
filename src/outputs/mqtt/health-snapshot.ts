/**
 * Assembles the publisher's health (health.ts) from the broker connection's status, the spool's
 * view of the "mqtt" destination and the publisher's own counters.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { SpoolDestinationHealth } from '../spool/index.js';
import { redactUrl, type ConnectionTarget } from './client-options.js';
import type { BrokerConnection } from './connection.js';
import type { MqttPublisherHealth } from './health.js';

export interface PublisherCounters {
  /** Published, not yet acknowledged (backlog and republished messages). */
  readonly inFlight: number;
  readonly published: number;
  readonly publishedPerSecond: number;
  readonly rejected: number;
  /** Spool cursor of the destination. */
  readonly ackedId: number;
}

export interface PublisherParts {
  readonly config: Readonly<LinesideConfig>;
  readonly connection: BrokerConnection | undefined;
  readonly target: ConnectionTarget | undefined;
  readonly embedded: EmbeddedBroker | undefined;
  /** The spool's view of the destination, if it has one. */
  readonly spoolView: SpoolDestinationHealth | undefined;
}

export function publisherHealth(parts: PublisherParts, counters: PublisherCounters): MqttPublisherHealth {
  const mqttConfig = parts.config.mqtt;
  const status = parts.connection?.status();
  const spoolView = parts.spoolView;
  const lastError = status?.lastError;
  const embedded = parts.embedded;
  return {
    broker: parts.connection?.broker ?? redactUrl(mqttConfig.url),
    clientId: parts.target?.clientId ?? mqttConfig.clientId ?? `lineside-${parts.config.agent.id}`,
    protocolVersion: parts.target?.protocolVersion ?? mqttConfig.protocolVersion,
    connected: status?.connected ?? false,
    ...(status?.connectedSinceWall === undefined ? {} : { connectedSince: status.connectedSinceWall }),
    connectAttempts: status?.attempts ?? 0,
    connects: status?.connects ?? 0,
    connectionLosses: status?.connectionLosses ?? 0,
    ...(status?.nextAttemptInMs === undefined ? {} : { nextReconnectInMs: status.nextAttemptInMs }),
    ...(lastError === undefined ? {} : { lastError: lastError.toString(), lastErrorCode: lastError.code }),
    ...(status?.lastErrorAt === undefined ? {} : { lastErrorAt: status.lastErrorAt }),
    inFlight: counters.inFlight,
    published: counters.published,
    publishedPerSecond: counters.publishedPerSecond,
    rejected: counters.rejected,
    ackedId: counters.ackedId,
    backlog: spoolView?.pending ?? 0,
    oldestUnsentAgeMs: spoolView?.oldestUnsentAgeMs ?? 0,
    ...(embedded === undefined
      ? {}
      : { embeddedBroker: { host: embedded.host, port: embedded.port, clients: embedded.connectedClients() } }),
  };
}
